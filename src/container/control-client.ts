/**
 * How the worker and the TownDO talk to a town's container: `controlClientFor(env, townId)`
 * returns a `ContainerHandle` over the TOWN_CONTAINER object's RPC (secret, start-on-demand
 * rules, timeouts and watchdog live there). A handle never throws on a call: an RPC failure is
 * a 503 `container_unavailable` answer. `handleOver` wraps an in-process `ContainerControl`.
 */
import type { Env } from '../env.ts';
import type { ContainerControl } from './container-control.ts';
import { fromWire, type ContainerStateView, type ControlMethod, type ControlOptions, type ControlResponse, type RestartMode } from './container-rpc.ts';
import { errorEnvelope } from './control-rules.ts';

/** Calls the town's control server (secret header added, start-on-demand only for start/message/merge/setup, timeouts). */
export interface ControlClient {
  request(method: ControlMethod, path: string, body: unknown, opts: ControlOptions): Promise<{ status: number; body: unknown }>;
}

/** A town's container: the control protocol plus its lifecycle. */
export interface ContainerHandle extends ControlClient {
  request(method: ControlMethod, path: string, body: unknown, opts: ControlOptions): Promise<ControlResponse>;
  /** SIGTERM (drain); a no-op when stopped. */
  stop(): Promise<void>;
  /** SIGKILL; forgets the watchdog state. */
  destroy(): Promise<void>;
  restart(mode: RestartMode): Promise<void>;
  state(): Promise<ContainerStateView>;
}

function rpcFailure(e: unknown): ControlResponse {
  return { status: 503, body: errorEnvelope('container_unavailable', `The container object failed: ${e instanceof Error ? e.message : 'unknown error'}`) };
}

/** The handle of `townId`'s container through the TOWN_CONTAINER binding. */
export function controlClientFor(env: Env, townId: string): ContainerHandle {
  const id = townId.toLowerCase();
  const stub = env.TOWN_CONTAINER.get(env.TOWN_CONTAINER.idFromName(id));
  return {
    async request(method, path, body, opts) {
      try {
        return fromWire(await stub.control(id, method, path, body, opts));
      } catch (e) {
        return rpcFailure(e);
      }
    },
    stop: () => stub.stopContainer(id),
    destroy: () => stub.destroyContainer(id),
    restart: (mode) => stub.restartContainer(id, mode),
    state: () => stub.containerState(id),
  };
}

/** A handle over an in-process `ContainerControl` (the tests' fake container, benchmarks). */
export function handleOver(control: ContainerControl, townId: string): ContainerHandle {
  return {
    request: (method, path, body, opts) => control.control(townId, method, path, body, opts),
    stop: () => control.stop(townId),
    destroy: () => control.destroy(townId),
    restart: (mode) => control.restart(townId, mode),
    state: () => control.state(townId),
  };
}
