/**
 * The transport of `TownContainerDO`: the object's own Cloudflare container (port 8080).
 * `start` sets the boot env and waits for the port; a draining (`stopping`) container still
 * counts as running, so calls reach it and get its 503 `container_draining`.
 */
import type { Container } from '@cloudflare/containers';
import type { ContainerTransport, TransportRequest, TransportResponse } from './transport.ts';

/** The slice of `Container` the transport uses (the base-class methods, not the RPC). */
export interface ContainerLike {
  envVars: Container['envVars'];
  getState: Container['getState'];
  startAndWaitForPorts(args: { startOptions: { envVars: Record<string, string> }; cancellationOptions: { portReadyTimeoutMS: number; instanceGetTimeoutMS: number } }): Promise<void>;
  containerFetch(request: Request): Promise<Response>;
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  destroy(): Promise<void>;
}

export class CloudflareTransport implements ContainerTransport {
  constructor(private readonly container: ContainerLike) {}

  async isRunning(): Promise<boolean> {
    const s = await this.container.getState();
    return s.status === 'running' || s.status === 'healthy' || s.status === 'stopping';
  }

  async start(_townId: string, env: Record<string, string>, timeoutMs: number): Promise<void> {
    // Also the env of any start the base class makes on its own.
    this.container.envVars = env;
    await this.container.startAndWaitForPorts({ startOptions: { envVars: env }, cancellationOptions: { portReadyTimeoutMS: timeoutMs, instanceGetTimeoutMS: timeoutMs } });
  }

  async send(_townId: string, req: TransportRequest): Promise<TransportResponse> {
    const res = await this.container.containerFetch(
      new Request(`http://container${req.path}`, { method: req.method, headers: req.headers, signal: req.signal, ...(req.body === undefined ? {} : { body: req.body }) }),
    );
    return { status: res.status, text: await res.text() };
  }

  stop(): Promise<void> {
    return this.container.stop('SIGTERM');
  }

  destroy(): Promise<void> {
    return this.container.destroy();
  }
}
