/**
 * TownContainerDO: the town's Cloudflare Container (`container.md` §11), built from
 * `container/Dockerfile`; each start gets §1's boot env with a fresh container token. Its
 * constructor throws when containers are disabled, which is why local mode binds
 * `LocalTownContainerDO`; both expose the same RPC over `ContainerControl`.
 */
import { Container } from '@cloudflare/containers';
import type { Env } from '../env.ts';
import { buildBootEnv } from './boot-env.ts';
import { CloudflareTransport } from './cloudflare-transport.ts';
import { ContainerControl } from './container-control.ts';
import { toWire, type ContainerRpc, type ContainerStateView, type ControlMethod, type ControlOptions, type RestartMode, type WireResponse } from './container-rpc.ts';
import { storageStore } from './control-store.ts';

export class TownContainerDO extends Container<Env> implements ContainerRpc {
  override defaultPort = 8080;
  override sleepAfter = '10m';
  private readonly behaviour = new ContainerControl({
    transport: new CloudflareTransport(this),
    store: storageStore(this.ctx.storage),
    jwtSecret: this.env.GASTOWN_JWT_SECRET,
    bootEnv: (townId, now) => buildBootEnv(this.env, townId, now),
    now: () => Date.now(),
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
