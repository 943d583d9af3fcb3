/**
 * `ContainerTransport`: how bytes reach a town's control server — the Cloudflare container
 * (`cloudflare-transport.ts`), the local launcher (`launcher-transport.ts`) or the tests' fake.
 * Everything else (secret, start-on-demand, timeouts, watchdog) is `container-control.ts`.
 */

/**
 * Thrown by `send` when the transport finds no control server at all (e.g. the launcher has no
 * live process for the town: it exited after a drain). The transport then reports not running.
 */
export class ContainerNotRunning extends Error {
  override readonly name = 'ContainerNotRunning';
}

/** One HTTP exchange with the control server. */
export interface TransportRequest {
  method: string;
  /** Control-protocol path with query, e.g. `/agents/<id>/status`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborted at the call's deadline. */
  signal: AbortSignal;
}

export interface TransportResponse {
  status: number;
  text: string;
}

export interface ContainerTransport {
  /** Whether a control server runs (or is still draining) for `townId`. */
  isRunning(townId: string): Promise<boolean>;
  /** Starts it with `env` as its boot env and resolves once it answers (≤ `timeoutMs`). */
  start(townId: string, env: Record<string, string>, timeoutMs: number): Promise<void>;
  /** One request to the running control server; throws on a network error or abort. */
  send(townId: string, req: TransportRequest): Promise<TransportResponse>;
  /** SIGTERM: drain, then exit. */
  stop(townId: string): Promise<void>;
  /** SIGKILL. */
  destroy(townId: string): Promise<void>;
}
