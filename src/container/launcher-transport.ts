/**
 * The transport of `LocalTownContainerDO`: the local launcher (`container.md` §11) at
 * `LOCAL_LAUNCHER_URL`. `POST /towns/:townId/start {env}` spawns a control server and answers
 * once `/health` does; `POST /towns/:townId/stop {signal}` (SIGTERM, or SIGKILL to destroy);
 * `/towns/:townId/c/<path>` is proxied (its 404 "no running control server" means it exited).
 * Whether it runs is remembered in the object's storage.
 */
import { ContainerNotRunning, type ContainerTransport, type TransportRequest, type TransportResponse } from './transport.ts';
import { withDeadline } from './deadline.ts';

export interface LauncherDeps {
  baseUrl: string | undefined;
  /** `fetch`, or a stub launcher in tests. */
  fetch(request: Request): Promise<Response>;
  storage: Pick<DurableObjectStorage, 'get' | 'put'>;
}

const RUNNING_KEY = 'gastown_launcher_running';
/** The launcher's own 404 for a town without a live control server (the proxy's, not the server's). */
const NO_SERVER = /has no running control server/;
const STOP_TIMEOUT_MS = 10_000;

export class LauncherTransport implements ContainerTransport {
  constructor(private readonly d: LauncherDeps) {}

  private url(townId: string, rest: string): string {
    const base = this.d.baseUrl;
    if (base === undefined || base === '') throw new Error('LOCAL_LAUNCHER_URL is not set');
    return `${base.replace(/\/+$/, '')}/towns/${encodeURIComponent(townId)}${rest}`;
  }

  async isRunning(): Promise<boolean> {
    return (await this.d.storage.get<boolean>(RUNNING_KEY)) === true;
  }

  async start(townId: string, env: Record<string, string>, timeoutMs: number): Promise<void> {
    const res = await withDeadline(
      (signal) => this.d.fetch(new Request(this.url(townId, '/start'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ env }), signal })),
      timeoutMs,
    );
    await res.body?.cancel();
    if (!res.ok) throw new Error(`the launcher answered ${res.status} to start`);
    await this.d.storage.put(RUNNING_KEY, true);
  }

  async send(townId: string, req: TransportRequest): Promise<TransportResponse> {
    const res = await this.d.fetch(
      new Request(this.url(townId, `/c${req.path}`), { method: req.method, headers: req.headers, signal: req.signal, ...(req.body === undefined ? {} : { body: req.body }) }),
    );
    const text = await res.text();
    if (res.status === 404 && NO_SERVER.test(text)) {
      await this.d.storage.put(RUNNING_KEY, false);
      throw new ContainerNotRunning(`the launcher has no control server for town ${townId}`);
    }
    return { status: res.status, text };
  }

  private async signal(townId: string, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const res = await withDeadline(
      (abort) => this.d.fetch(new Request(this.url(townId, '/stop'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ signal }), signal: abort })),
      STOP_TIMEOUT_MS,
    );
    await res.body?.cancel();
    await this.d.storage.put(RUNNING_KEY, false);
    if (!res.ok && res.status !== 404) throw new Error(`the launcher answered ${res.status} to stop`);
  }

  stop(townId: string): Promise<void> {
    return this.signal(townId, 'SIGTERM');
  }

  destroy(townId: string): Promise<void> {
    return this.signal(townId, 'SIGKILL');
  }
}
