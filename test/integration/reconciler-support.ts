/**
 * Support for reconciler tests in workerd: a town whose TownDO runs with a pinned clock and the
 * fake effect executor, ticks driven by `runDurableObjectAlarm`, and direct reads of its rows.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { expect } from 'vitest';
import type { TownDO } from '../../src/town/town-do.ts';
import type { NewTownEvent } from '../../src/town/events/town-events.ts';
import { FakeExecutor } from '../fakes/fake-executor.ts';
import { call, data, fixture } from './helpers.ts';

export const START = Date.parse('2026-07-01T00:00:00.000Z');

export interface TownHarness {
  token: string;
  townId: string;
  rigId: string;
  stub: DurableObjectStub<TownDO>;
  fake: FakeExecutor;
  /** The town's pinned time. */
  now(): number;
  advance(ms: number): Promise<void>;
  /** Runs the pending alarm (a tick); fails the test if none was armed. */
  tick(): Promise<void>;
  /** Arms the alarm now (as a command creating work would). */
  kick(): Promise<void>;
  ticks(n: number, stepMs: number): Promise<void>;
  sql<T = Record<string, unknown>>(query: string, ...params: (string | number | null)[]): Promise<T[]>;
  insertEvents(events: NewTownEvent[]): Promise<void>;
  bead(id: string): Promise<Record<string, unknown>>;
  agent(id: string): Promise<Record<string, unknown>>;
  sling(title: string, extra?: Record<string, unknown>): Promise<string>;
}

export async function harness(configPatch?: Record<string, unknown>): Promise<TownHarness> {
  const f = await fixture();
  const stub = env.TOWN.get(env.TOWN.idFromName(f.townId));
  const fake = new FakeExecutor();
  let now = START;
  await holdAlarms(stub, fake, now);
  if (configPatch !== undefined) {
    const r = await call('PATCH', `/api/towns/${f.townId}/config`, { token: f.token, body: configPatch });
    expect(r.status).toBe(200);
  }
  const h: TownHarness = {
    ...f,
    stub,
    fake,
    now: () => now,
    async advance(ms) {
      now += ms;
      await runInDurableObject(stub, (instance: TownDO) => instance.clock.set(now));
    },
    async tick() {
      // The executor and clock live on the instance; re-apply them in case it was rebuilt.
      await holdAlarms(stub, fake, now);
      const ran = await runDurableObjectAlarm(stub);
      expect(ran, 'an alarm should be armed').toBe(true);
      await holdAlarms(stub, fake, now);
    },
    async kick() {
      await runInDurableObject(stub, (instance: TownDO) => instance.kick());
    },
    async ticks(n, stepMs) {
      for (let i = 0; i < n; i += 1) {
        await h.advance(stepMs);
        await h.tick();
      }
    },
    async sql(query, ...params) {
      return runInDurableObject(stub, (_i: TownDO, state) => state.storage.sql.exec(query, ...params).toArray() as never);
    },
    async insertEvents(events) {
      await runInDurableObject(stub, async (instance: TownDO) => {
        await instance.insertEvents(events);
      });
    },
    async bead(id) {
      const rows = await h.sql(`SELECT * FROM beads WHERE bead_id = ?`, id);
      const row = rows[0];
      if (row === undefined) throw new Error(`no bead ${id}`);
      return row;
    },
    async agent(id) {
      const rows = await h.sql(`SELECT a.*, b.status AS bead_status FROM agent_metadata a JOIN beads b ON b.bead_id = a.bead_id WHERE a.bead_id = ?`, id);
      const row = rows[0];
      if (row === undefined) throw new Error(`no agent ${id}`);
      return row;
    },
    async sling(title, extra = {}) {
      const r = await call('POST', `/api/towns/${f.townId}/sling`, { token: f.token, body: { rig_id: f.rigId, title, ...extra } });
      expect(r.status).toBe(201);
      return data<{ bead: { id: string } }>(r).bead.id;
    },
  };
  return h;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Ticks run only when the test fires them: alarms would otherwise fire on their own (wall
 * clock) and race the test. Kicks and re-arms still arm an alarm, a day away, so
 * `runDurableObjectAlarm` finds one.
 */
async function holdAlarms(stub: DurableObjectStub<TownDO>, fake: FakeExecutor, now: number): Promise<void> {
  await runInDurableObject(stub, async (instance: TownDO, state) => {
    instance.executor = fake;
    instance.clock.set(now);
    instance.scheduler.kick = async () => {
      const pending = await state.storage.getAlarm();
      if (pending === null || pending < Date.now() + DAY_MS / 2) await state.storage.setAlarm(Date.now() + DAY_MS);
    };
    const pending = await state.storage.getAlarm();
    if (pending !== null) await state.storage.setAlarm(Date.now() + DAY_MS);
  });
}

/** The agent hooked to a bead, or null. */
export async function holderOf(h: TownHarness, beadId: string): Promise<string | null> {
  const rows = await h.sql<{ bead_id: string }>(`SELECT bead_id FROM agent_metadata WHERE current_hook_bead_id = ?`, beadId);
  return rows[0]?.bead_id ?? null;
}
