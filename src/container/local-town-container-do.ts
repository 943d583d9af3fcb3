/**
 * LocalTownContainerDO: the plain Durable Object bound as TOWN_CONTAINER in `--env local` and
 * in tests. Same RPC and behaviour as `TownContainerDO`; its transport is the local launcher
 * (`container.md` §11). Tests swap `launcherFetch` (a stub launcher) and `now` through
 * `runInDurableObject`.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';
import { buildBootEnv } from './boot-env.ts';
import { ContainerControl } from './container-control.ts';
import { toWire, type ContainerRpc, type ContainerStateView, type ControlMethod, type ControlOptions, type RestartMode, type WireResponse } from './container-rpc.ts';
import { storageStore } from './control-store.ts';
import { LauncherTransport } from './launcher-transport.ts';

export class LocalTownContainerDO extends DurableObject<Env> implements ContainerRpc {
  /** How the launcher is reached. */
  launcherFetch: (request: Request) => Promise<Response> = (request) => fetch(request);
  /** The watchdog's clock. */
  now: () => number = () => Date.now();
  private readonly behaviour = new ContainerControl({
    transport: new LauncherTransport({ baseUrl: this.env.LOCAL_LAUNCHER_URL, fetch: (request) => this.launcherFetch(request), storage: this.ctx.storage }),
    store: storageStore(this.ctx.storage),
    jwtSecret: this.env.GASTOWN_JWT_SECRET,
    bootEnv: (townId, now) => buildBootEnv(this.env, townId, now),
    now: () => this.now(),
  });

  async control(townId: string, method: ControlMethod, path: string, body: unknown, opts: ControlOptions): Promise<WireResponse> {
    return toWire(await this.behaviour.control(townId, method, path, body, opts));
  }
  async stopContainer(townId?: string): Promise<void> {
    await this.behaviour.stop(townId);
  }
  async destroyContainer(townId?: string): Promise<void> {
    await this.behaviour.destroy(townId);
  }
  async restartContainer(townId: string, mode: RestartMode): Promise<void> {
    await this.behaviour.restart(townId, mode);
  }
  async containerState(townId?: string): Promise<ContainerStateView> {
    return this.behaviour.state(townId);
  }
}
