/**
 * The RPC both container classes expose (`container.md` §11) and its value types. The names
 * avoid `Container`'s own `stop(signal)`, `destroy()` and private `state`, which the base class
 * uses for its `sleepAfter` lifecycle. Callers use `controlClientFor` (control-client.ts).
 */
import type { ControlHealth } from '../protocol/control.ts';

export type ControlMethod = 'GET' | 'POST' | 'PUT' | 'PATCH';

/** Per-call options: the deadline, and whether a stopped container may be started for it. */
export interface ControlOptions {
  timeoutMs: number;
  /** Honoured only for `/agents/start`, `/agents/:id/message`, `/git/merge`, `/repos/setup`. */
  startOnDemand: boolean;
}

/**
 * What the control server answered (its `{data}`/`{error}` envelope), or a local answer: a
 * stopped container's `not_found`/no-op, or 503 `container_unavailable`. `unhealthy` is set while
 * the health watchdog has given up (restart budget spent): the town escalates it once.
 */
export interface ControlResponse {
  status: number;
  body: unknown;
  unhealthy?: true;
}

/** `ControlResponse` as it crosses the RPC boundary: the body as JSON text (RPC types stay flat). */
export interface WireResponse {
  status: number;
  body_json: string;
  unhealthy?: true;
}

export function toWire(r: ControlResponse): WireResponse {
  return { status: r.status, body_json: JSON.stringify(r.body ?? null), ...(r.unhealthy === true ? { unhealthy: true as const } : {}) };
}

export function fromWire(w: WireResponse): ControlResponse {
  return { status: w.status, body: JSON.parse(w.body_json) as unknown, ...(w.unhealthy === true ? { unhealthy: true as const } : {}) };
}

export type RestartMode = 'graceful' | 'hard';

/** `containerState()`: whether it runs, what `/health` said (5 s), and the watchdog's counters. */
export interface ContainerStateView {
  running: boolean;
  health: ControlHealth | null;
  started_at: string | null;
  health_failures: number;
  restarts_30m: number;
  unhealthy: boolean;
}

/** The RPC surface shared by `TownContainerDO` and `LocalTownContainerDO`. */
export interface ContainerRpc {
  control(townId: string, method: ControlMethod, path: string, body: unknown, opts: ControlOptions): Promise<WireResponse>;
  /** SIGTERM: the control server drains, then exits. No-op when stopped. */
  stopContainer(townId?: string): Promise<void>;
  /** SIGKILL, and the watchdog state is forgotten (town deleted). */
  destroyContainer(townId?: string): Promise<void>;
  /** `graceful`: SIGTERM (the next start-on-demand call starts a new one); `hard`: SIGKILL and start now. */
  restartContainer(townId: string, mode: RestartMode): Promise<void>;
  containerState(townId?: string): Promise<ContainerStateView>;
}
