/**
 * Support for dispatch tests in workerd: a town whose TownDO keeps its real `ContainerExecutor`
 * but talks to a `FakeContainer` (the real shared behaviour over the fake transport), with a
 * pinned clock and ticks fired only by the test (`runDurableObjectAlarm`), upkeep included.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { expect } from 'vitest';
import type { TownDO } from '../../src/town/town-do.ts';
import { FakeContainer } from '../fakes/fake-container.ts';
import { call, data, fixture } from './helpers.ts';
import { START } from './reconciler-support.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ContainerHarness {
  token: string;
  townId: string;
  rigId: string;
  stub: DurableObjectStub<TownDO>;
  container: FakeContainer;
  now(): number;
  advance(ms: number): Promise<void>;
  /** Runs the armed alarm: a tick, then the container upkeep. */
  tick(): Promise<void>;
  sql<T = Record<string, unknown>>(query: string, ...params: (string | number | null)[]): Promise<T[]>;
  sling(title: string): Promise<string>;
  /** The agent hooked to `beadId`. */
  holder(beadId: string): Promise<Record<string, unknown> | null>;
  bead(beadId: string): Promise<Record<string, unknown>>;
}

/** Puts the fake container, the pinned clock and the held alarm on the (possibly rebuilt) instance. */
async function apply(stub: DurableObjectStub<TownDO>, container: FakeContainer, now: number): Promise<void> {
  await runInDurableObject(stub, async (instance: TownDO, state) => {
    instance.containerFor = () => container;
    instance.clock.set(now);
    instance.scheduler.kick = async () => {
      const pending = await state.storage.getAlarm();
      if (pending === null || pending < Date.now() + DAY_MS / 2) await state.storage.setAlarm(Date.now() + DAY_MS);
    };
    const pending = await state.storage.getAlarm();
    if (pending !== null) await state.storage.setAlarm(Date.now() + DAY_MS);
  });
}

export async function containerHarness(configPatch?: Record<string, unknown>): Promise<ContainerHarness> {
  const f = await fixture();
  const stub = env.TOWN.get(env.TOWN.idFromName(f.townId));
  let now = START;
  const container = new FakeContainer({ townId: f.townId, jwtSecret: env.GASTOWN_JWT_SECRET, now: () => now });
  await apply(stub, container, now);
  if (configPatch !== undefined) {
    const r = await call('PATCH', `/api/towns/${f.townId}/config`, { token: f.token, body: configPatch });
    expect(r.status).toBe(200);
  }
  const h: ContainerHarness = {
    ...f,
    stub,
    container,
    now: () => now,
    async advance(ms) {
      now += ms;
      await runInDurableObject(stub, (instance: TownDO) => instance.clock.set(now));
    },
    async tick() {
      await apply(stub, container, now);
      const ran = await runDurableObjectAlarm(stub);
      expect(ran, 'an alarm should be armed').toBe(true);
      await apply(stub, container, now);
    },
    async sql(query, ...params) {
      return runInDurableObject(stub, (_i: TownDO, state) => state.storage.sql.exec(query, ...params).toArray() as never);
    },
    async sling(title) {
      const r = await call('POST', `/api/towns/${f.townId}/sling`, { token: f.token, body: { rig_id: f.rigId, title } });
      expect(r.status).toBe(201);
      return data<{ bead: { id: string } }>(r).bead.id;
    },
    async holder(beadId) {
      const rows = await h.sql(`SELECT * FROM agent_metadata WHERE current_hook_bead_id = ?`, beadId);
      return rows[0] ?? null;
    },
    async bead(beadId) {
      const rows = await h.sql(`SELECT * FROM beads WHERE bead_id = ?`, beadId);
      const row = rows[0];
      if (row === undefined) throw new Error(`no bead ${beadId}`);
      return row;
    },
  };
  return h;
}
