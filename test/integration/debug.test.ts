/**
 * `/debug/towns/:townId/*` through the real worker (`http-api.md` §4.6, `reconciler.md` §8–§9):
 * admin and localhost access, the status view and tick records, the dry run and replay (the
 * database stays byte-identical), the inbox (list, requeue, inject), tick now, and the read
 * views (rigs, convoys, bead, config) with the admin sling-convoy.
 */
import { SELF, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { Bead, Convoy, ConvoyDetail, InboxEvent, Rig } from '../../src/protocol/api.ts';
import { TownConfig } from '../../src/protocol/config.ts';
import { DebugStatus } from '../../src/protocol/debug.ts';
import { TickRecord } from '../../src/protocol/events.ts';
import type { TownDO } from '../../src/town/town-do.ts';
import { DEFAULT_TOWN_CONFIG } from '../../src/town/config/index.ts';
import { call, createIssue, data, devToken, errorOf, nextCursor, uniqueUser, type CallResult } from './helpers.ts';
import { START, harness, holderOf, type TownHarness } from './reconciler-support.ts';
import { quietFixture, seedAgent } from './seed.ts';

const S = 1000;
const DAY = 24 * 60 * 60 * S;

/** The §8 names, exactly: `D/status.last_tick` and `D/tick` carry these and nothing else. */
const TICK_RECORD_NAMES = [
  'at',
  'wall_ms',
  'phase_ms',
  'events_drained',
  'events_failed',
  'events_dead_lettered',
  'events_stale',
  'actions_by_type',
  'actions_stale',
  'actions_failed',
  'effects_ok',
  'effects_failed',
  'violations',
  'pending_events',
  'oldest_pending_ms',
  'breaker_open',
  'cadence',
  'next_alarm_ms',
];

const D = (townId: string) => `/debug/towns/${townId}`;

async function adminToken(): Promise<{ token: string; sub: string }> {
  const sub = uniqueUser('admin');
  return { token: await devToken(sub, { admin: true }), sub };
}

function ok<T = Record<string, unknown>>(r: CallResult, status = 200): T {
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return data<T>(r);
}

/** Every table of the town's database (schema and rows in rowid order), as one string. */
async function dump(stub: DurableObjectStub<TownDO>): Promise<string> {
  return runInDurableObject(stub, (_instance: TownDO, state) => {
    const sql = state.storage.sql;
    const schema = sql.exec(`SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name`).toArray();
    // Every table the town's code can reach; workerd's own `_cf_*` tables (the alarm among
    // them, compared separately) refuse reads.
    const names = sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name`).toArray();
    const tables = names.map((t) => [t.name, sql.exec(`SELECT * FROM "${t.name}" ORDER BY rowid`).toArray()]);
    // BLOB columns come back as ArrayBuffers, which JSON would flatten to {}: keep their bytes.
    return JSON.stringify({ schema, tables }, (_key, value: unknown) => (value instanceof ArrayBuffer ? Array.from(new Uint8Array(value)) : value));
  });
}

async function alarmOf(stub: DurableObjectStub<TownDO>): Promise<number | null> {
  return runInDurableObject(stub, (_instance: TownDO, state) => state.storage.getAlarm());
}

/** POST D/tick, then holds the alarm the tick re-armed a day away again (no wall-clock ticks). */
async function postTick(h: TownHarness, token: string): Promise<TickRecord> {
  const r = await call('POST', `${D(h.townId)}/tick`, { token });
  await h.kick();
  const value = ok(r);
  expect(Object.keys(value).sort()).toEqual([...TICK_RECORD_NAMES].sort());
  return TickRecord.parse(value);
}

async function status(townId: string, token: string): Promise<DebugStatus> {
  return DebugStatus.parse(ok(await call('GET', `${D(townId)}/status`, { token })));
}

async function inbox(townId: string, token: string, query = ''): Promise<InboxEvent[]> {
  const r = await call('GET', `${D(townId)}/events${query}`, { token });
  expect(nextCursor(r)).toBeNull();
  return ok<unknown[]>(r).map((e) => InboxEvent.parse(e));
}

async function inject(townId: string, token: string, body: Record<string, unknown>): Promise<InboxEvent> {
  return InboxEvent.parse(ok(await call('POST', `${D(townId)}/events`, { token, body }), 201));
}

/** Slings a bead and ticks twice: dispatched to a working polecat, its dispatch_result applied. */
async function dispatchedBead(h: TownHarness, title = 'First'): Promise<{ beadId: string; agentId: string; dispatchId: string }> {
  const beadId = await h.sling(title);
  await h.tick();
  const agentId = await holderOf(h, beadId);
  if (agentId === null) throw new Error('the bead was not dispatched');
  await h.advance(S);
  await h.tick();
  const agent = await h.agent(agentId);
  expect(agent.status).toBe('working');
  return { beadId, agentId, dispatchId: String(agent.current_dispatch_id) };
}

/** An `agent_done` without its required `branch`: every attempt to apply it throws. */
async function poisonEvent(h: TownHarness): Promise<string> {
  const agentId = await seedAgent(h.townId, { role: 'polecat', rigId: h.rigId });
  await h.insertEvents([{ event_type: 'agent_done', agent_id: agentId, payload: { dispatch_id: null } }]);
  const rows = await h.sql<{ event_id: string }>(`SELECT event_id FROM town_events WHERE event_type = 'agent_done' AND agent_id = ?`, agentId);
  const id = rows[0]?.event_id;
  if (id === undefined) throw new Error('poison event not stored');
  return id;
}

describe('debug auth', () => {
  it('is a 401 without a token on a non-localhost host', async () => {
    const f = await quietFixture();
    const r = await call('GET', `${D(f.townId)}/status`);
    expect(r.status).toBe(401);
    expect(errorOf(r).code).toBe('unauthorized');
    expect(errorOf(r).details?.reason).toBe('missing');
  });

  it('is a 403 forbidden for a user token without admin, even the owner', async () => {
    const f = await quietFixture();
    for (const [method, path] of [
      ['GET', 'status'],
      ['POST', 'tick'],
      ['GET', 'config'],
    ] as const) {
      const r = await call(method, `${D(f.townId)}/${path}`, { token: f.token });
      expect(r.status).toBe(403);
      expect(errorOf(r).code).toBe('forbidden');
    }
  });

  it('checks the path id syntax (400) before the admin role (403), as §1.3 orders them', async () => {
    const f = await quietFixture();
    const malformed = await call('GET', '/debug/towns/not-a-uuid/status', { token: f.token });
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed)).toMatchObject({ code: 'invalid_id', details: { param: 'townId' } });
    const unknown = await call('GET', `${D(crypto.randomUUID())}/status`, { token: f.token });
    expect(unknown.status).toBe(403);
  });

  it("works with an admin token on another user's town (ownership is not checked)", async () => {
    const f = await quietFixture();
    const admin = await adminToken();
    expect(admin.sub).not.toBe(f.user);
    const r = await call('GET', `${D(f.townId)}/status`, { token: admin.token });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const rigsReply = await call('GET', `${D(f.townId)}/rigs`, { token: admin.token });
    expect(ok<unknown[]>(rigsReply).map((x) => Rig.parse(x).id)).toEqual([f.rigId]);
    expect(rigsReply.body).toHaveProperty('next_cursor', null);
  });

  it('grants nothing under /api: an admin token is still a stranger to the town', async () => {
    const f = await quietFixture();
    const admin = await adminToken();
    const r = await call('GET', `/api/towns/${f.townId}`, { token: admin.token });
    expect(r.status).toBe(403);
    expect(errorOf(r).code).toBe('forbidden');
  });

  it('is a 404 for an unknown town and a 400 invalid_id for a malformed one', async () => {
    const admin = await adminToken();
    const unknown = await call('GET', `${D(crypto.randomUUID())}/status`, { token: admin.token });
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown).code).toBe('not_found');
    const tick = await call('POST', `${D(crypto.randomUUID())}/tick`, { token: admin.token });
    expect(tick.status).toBe(404);
    const bad = await call('GET', `${D('not-a-uuid')}/status`, { token: admin.token });
    expect(bad.status).toBe(400);
    expect(errorOf(bad).code).toBe('invalid_id');
  });

  it('works without a token on localhost in development (localhost, 127.0.0.1, [::1])', async () => {
    const f = await quietFixture();
    for (const host of ['localhost', '127.0.0.1', '[::1]']) {
      const res = await SELF.fetch(`http://${host}/debug/towns/${f.townId}/status`);
      expect(res.status, host).toBe(200);
      const body: unknown = await res.json();
      expect(typeof body === 'object' && body !== null && 'data' in body).toBe(true);
    }
    // An unknown town is still a 404 on localhost.
    const res = await SELF.fetch(`http://localhost/debug/towns/${crypto.randomUUID()}/status`);
    expect(res.status).toBe(404);
  });
});

describe('GET D/status', () => {
  it('for a town that never ticked: no last tick, the cadence a tick would choose, empty counts', async () => {
    const h = await harness();
    const admin = await adminToken();
    const s = await status(h.townId, admin.token);
    expect(s.last_tick).toBeNull();
    expect(s.alarm.cadence).toBe('idle');
    expect(s.alarm.interval_ms).toBe(DEFAULT_TOWN_CONFIG.alarm.idle_interval_seconds * S);
    const alarm = await alarmOf(h.stub);
    expect(s.alarm.next_fire_at).toBe(alarm === null ? null : new Date(alarm).toISOString());
    expect(s.agents).toEqual([]);
    expect(s.beads).toEqual({ counts: {}, non_terminal: [] });
    expect(s.draining).toBe(false);
    expect(typeof s.container.state).toBe('string');
  });

  it('shows agents, bead counts by type and status, non-terminal refs and the armed alarm', async () => {
    const h = await harness();
    const admin = await adminToken();
    const { beadId, agentId } = await dispatchedBead(h, 'Build it');
    const held = (await createIssue(h.token, h.townId, { rig_id: h.rigId, title: 'Later', held: true })).id;
    const s = await status(h.townId, admin.token);
    expect(s.agents.map((a) => [a.id, a.role, a.status, a.hooked_bead_id])).toEqual([[agentId, 'polecat', 'working', beadId]]);
    expect(s.beads.counts).toEqual({ agent: { open: 1 }, issue: { in_progress: 1, open: 1 } });
    expect(new Set(s.beads.non_terminal.map((b) => `${b.id}:${b.type}:${b.status}`))).toEqual(new Set([`${beadId}:issue:in_progress`, `${held}:issue:open`]));
    const alarm = await alarmOf(h.stub);
    expect(alarm).not.toBeNull();
    expect(s.alarm.next_fire_at).toBe(new Date(alarm ?? 0).toISOString());
    // The last tick drained the dispatch_result with a polecat still working: active cadence.
    expect(s.last_tick?.events_drained).toBe(1);
    expect(s.alarm.cadence).toBe('active');
    expect(s.alarm.interval_ms).toBe(s.last_tick?.next_alarm_ms);
  });

  it('after POST D/tick, last_tick is that tick record with exactly the §8 names', async () => {
    const h = await harness();
    const admin = await adminToken();
    const beadId = await h.sling('Build it');
    await h.tick();
    // The dispatch_result of that tick is pending; POST D/tick drains it (no effects follow).
    await h.advance(2 * S);
    const record = await postTick(h, admin.token);
    expect(record.at).toBe(new Date(START + 2 * S).toISOString());
    expect(record.events_drained).toBe(1);
    expect(record.events_failed).toBe(0);
    expect(record.pending_events).toBe(0);
    expect(record.oldest_pending_ms).toBe(0);
    expect(record.cadence).toBe('active');
    expect(record.next_alarm_ms).toBe(DEFAULT_TOWN_CONFIG.alarm.active_interval_seconds * S);
    expect(record.breaker_open).toBe(false);
    expect(record.violations).toEqual({});
    expect((await h.bead(beadId)).status).toBe('in_progress');

    const r = await call('GET', `${D(h.townId)}/status`, { token: admin.token });
    const raw = ok<{ last_tick: Record<string, unknown> }>(r);
    expect(Object.keys(raw.last_tick).sort()).toEqual([...TICK_RECORD_NAMES].sort());
    expect(TickRecord.parse(raw.last_tick)).toEqual(record);
    expect(DebugStatus.parse(raw).alarm.cadence).toBe('active');
  });
});

describe('POST D/tick', () => {
  it('runs a tick now and returns its record: an injected event is drained', async () => {
    const h = await harness();
    const admin = await adminToken();
    // An event about an agent that does not exist: processed with a warning, never retried.
    const e = await inject(h.townId, admin.token, { event_type: 'heartbeat_resumed', agent_id: crypto.randomUUID(), payload: { dispatch_id: null } });
    const record = await postTick(h, admin.token);
    expect(record.events_drained).toBe(1);
    expect(record.pending_events).toBe(0);
    expect(record.cadence).toBe('idle');
    const rows = await h.sql<{ processed_at: string | null; retry_count: number }>(`SELECT processed_at, retry_count FROM town_events WHERE event_id = ?`, e.id);
    expect(rows).toEqual([{ processed_at: new Date(START).toISOString(), retry_count: 0 }]);
    expect(h.fake.intents).toEqual([]);
  });
});

describe('POST D/reconcile-dry-run', () => {
  it('lists the event actions, the dispatch rule action and its intent, and changes nothing', async () => {
    const h = await harness();
    const admin = await adminToken();
    const first = await dispatchedBead(h);
    const second = await h.sling('Second');
    const injected = await inject(h.townId, admin.token, { event_type: 'agent_completed', agent_id: first.agentId, payload: { dispatch_id: first.dispatchId, status: 'completed' } });

    const before = await dump(h.stub);
    const alarmBefore = await alarmOf(h.stub);
    const intentsBefore = h.fake.intents.length;
    const observesBefore = h.fake.observeCalls.length;
    const lastTickBefore = (await status(h.townId, admin.token)).last_tick;

    const result = ok<{ events: { event_id: string; actions: { type: string; [k: string]: unknown }[]; warning?: string }[]; rule_actions: { type: string; [k: string]: unknown }[]; effect_intents: { kind: string; [k: string]: unknown }[]; invariant_violations: unknown[] }>(
      await call('POST', `${D(h.townId)}/reconcile-dry-run`, { token: admin.token }),
    );
    expect(Object.keys(result).sort()).toEqual(['effect_intents', 'events', 'invariant_violations', 'rule_actions']);
    // The injected exit releases the first bead and its agent.
    expect(result.events.map((e) => e.event_id)).toEqual([injected.id]);
    const eventActions = result.events[0]?.actions ?? [];
    expect(eventActions).toContainEqual(expect.objectContaining({ type: 'transition_bead', bead_id: first.beadId, from: 'in_progress', to: 'open' }));
    expect(eventActions).toContainEqual(expect.objectContaining({ type: 'transition_agent', agent_id: first.agentId, from: 'working', to: 'idle' }));
    expect(eventActions.map((a) => a.type)).toContain('unhook');
    // The ready bead is dispatched by a rule, and its start is an effect intent (not run).
    const dispatches = result.rule_actions.filter((a) => a.type === 'dispatch_agent');
    expect(dispatches.map((a) => a.bead_id)).toEqual([second]);
    const intents = result.effect_intents.filter((i) => i.kind === 'dispatch');
    expect(intents.map((i) => i.bead_id)).toEqual([second]);
    expect(result.invariant_violations).toEqual([]);

    // Nothing happened: same bytes, no effect, same alarm, no tick recorded.
    expect(await dump(h.stub)).toBe(before);
    expect(h.fake.intents.length).toBe(intentsBefore);
    expect(h.fake.observeCalls.length).toBe(observesBefore);
    expect(await alarmOf(h.stub)).toBe(alarmBefore);
    expect((await status(h.townId, admin.token)).last_tick).toEqual(lastTickBefore);
    expect((await inbox(h.townId, admin.token, '?state=pending')).map((e) => e.id)).toEqual([injected.id]);

    // The real tick does what the dry run predicted.
    await h.advance(S);
    await h.tick();
    expect((await h.bead(first.beadId)).status).toBe('open');
    expect((await h.bead(second)).status).toBe('in_progress');
    expect(h.fake.dispatches.slice(intentsBefore).map((d) => d.bead_id)).toEqual([second]);
    // The dump does see a real tick's writes.
    expect(await dump(h.stub)).not.toBe(before);
  });

  it('reports a failing event with its error without spending a retry', async () => {
    const h = await harness();
    const admin = await adminToken();
    const poison = await poisonEvent(h);
    const before = await dump(h.stub);
    const result = ok<{ events: { event_id: string; actions: unknown[]; error?: string }[] }>(await call('POST', `${D(h.townId)}/reconcile-dry-run`, { token: admin.token }));
    expect(result.events.map((e) => [e.event_id, e.actions])).toEqual([[poison, []]]);
    expect(typeof result.events[0]?.error).toBe('string');
    expect(await dump(h.stub)).toBe(before);
    const [event] = await inbox(h.townId, admin.token);
    expect([event?.id, event?.retry_count, event?.last_error, event?.processed_at]).toEqual([poison, 0, null, null]);
  });

  it('returns empty lists for a quiet town', async () => {
    const h = await harness();
    const admin = await adminToken();
    const before = await dump(h.stub);
    const result = ok(await call('POST', `${D(h.townId)}/reconcile-dry-run`, { token: admin.token }));
    expect(result).toEqual({ events: [], rule_actions: [], effect_intents: [], invariant_violations: [] });
    expect(await dump(h.stub)).toBe(before);
  });
});

describe('POST D/replay-events', () => {
  const iso = (ms: number) => new Date(ms).toISOString();

  it('validates {from, to} and {event_ids}', async () => {
    const f = await quietFixture();
    const admin = await adminToken();
    const bodies: unknown[] = [
      { from: iso(START), to: iso(START) },
      { from: iso(START + S), to: iso(START) },
      { from: iso(START), to: iso(START + 7 * DAY + 1) },
      { from: 'yesterday', to: iso(START) },
      { from: iso(START) },
      { event_ids: [] },
      { event_ids: Array.from({ length: 501 }, () => crypto.randomUUID()) },
      { event_ids: ['not-a-uuid'] },
      { from: iso(START), to: iso(START + S), event_ids: [crypto.randomUUID()] },
      {},
    ];
    for (const body of bodies) {
      const r = await call('POST', `${D(f.townId)}/replay-events`, { token: admin.token, body });
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(errorOf(r).code).toBe('validation_failed');
    }
    // The widest window (exactly 7 days) and 500 ids are accepted.
    expect((await call('POST', `${D(f.townId)}/replay-events`, { token: admin.token, body: { from: iso(START), to: iso(START + 7 * DAY) } })).status).toBe(200);
    const many = Array.from({ length: 500 }, () => crypto.randomUUID());
    expect(ok(await call('POST', `${D(f.townId)}/replay-events`, { token: admin.token, body: { event_ids: many } }))).toEqual({ replayed: 0, events: [] });
  });

  it('re-applies processed events in order, by range or by id, and changes nothing', async () => {
    const h = await harness();
    const admin = await adminToken();
    const first = await dispatchedBead(h);
    const [dispatchResult] = await h.sql<{ event_id: string }>(`SELECT event_id FROM town_events WHERE event_type = 'dispatch_result'`);
    if (dispatchResult === undefined) throw new Error('no dispatch_result event');
    await h.advance(S);
    const exit = await inject(h.townId, admin.token, { event_type: 'agent_completed', agent_id: first.agentId, payload: { dispatch_id: first.dispatchId, status: 'completed' } });
    await h.tick();
    expect((await h.bead(first.beadId)).status).toBe('open');
    // A pending event is not replayed.
    await h.advance(S);
    const pending = await inject(h.townId, admin.token, { event_type: 'heartbeat_resumed', agent_id: first.agentId, payload: { dispatch_id: null } });

    const before = await dump(h.stub);
    const alarmBefore = await alarmOf(h.stub);
    const replay = async (body: Record<string, unknown>) => ok<{ replayed: number; events: { event_id: string; actions: unknown[] }[] }>(await call('POST', `${D(h.townId)}/replay-events`, { token: admin.token, body }));

    const all = await replay({ from: iso(START - 60 * S), to: iso(START + 60 * S) });
    expect(all.replayed).toBe(2);
    expect(all.events.map((e) => e.event_id)).toEqual([dispatchResult.event_id, exit.id]);
    for (const e of all.events) expect(Array.isArray(e.actions)).toBe(true);

    const later = await replay({ from: iso(START + 500), to: iso(START + 60 * S) });
    expect(later.events.map((e) => e.event_id)).toEqual([exit.id]);
    expect((await replay({ from: iso(START - 60 * S), to: iso(START) })).replayed).toBe(0);

    const byId = await replay({ event_ids: [exit.id, pending.id] });
    expect(byId.replayed).toBe(1);
    expect(byId.events.map((e) => e.event_id)).toEqual([exit.id]);

    expect(await dump(h.stub)).toBe(before);
    expect(await alarmOf(h.stub)).toBe(alarmBefore);
    expect((await inbox(h.townId, admin.token, '?state=pending')).map((e) => e.id)).toEqual([pending.id]);
  });
});

describe('D/events: list, requeue, inject', () => {
  it('dead-letters an event on its third failure, and lists pending and dead letters by state', async () => {
    const h = await harness();
    const admin = await adminToken();
    const poison = await poisonEvent(h);
    for (let i = 1; i <= 3; i += 1) {
      await h.advance(5 * S);
      await h.tick();
    }
    const record = (await status(h.townId, admin.token)).last_tick;
    expect([record?.events_failed, record?.events_dead_lettered]).toEqual([1, 1]);

    const dead = await inbox(h.townId, admin.token, '?state=dead_lettered');
    expect(dead.map((e) => e.id)).toEqual([poison]);
    const [letter] = dead;
    expect(letter?.retry_count).toBe(3);
    expect(letter?.last_error).toEqual(expect.any(String));
    expect(letter?.dead_lettered_at).toBe(new Date(START + 15 * S).toISOString());
    expect(letter?.processed_at).toBe(letter?.dead_lettered_at);
    expect(await inbox(h.townId, admin.token, '?state=pending')).toEqual([]);

    const pending = await inject(h.townId, admin.token, { event_type: 'heartbeat_resumed', agent_id: crypto.randomUUID(), payload: { dispatch_id: null } });
    expect((await inbox(h.townId, admin.token, '?state=pending')).map((e) => e.id)).toEqual([pending.id]);
    expect(new Set((await inbox(h.townId, admin.token)).map((e) => e.id))).toEqual(new Set([poison, pending.id]));

    const bad = await call('GET', `${D(h.townId)}/events?state=processed`, { token: admin.token });
    expect(bad.status).toBe(400);
    expect(errorOf(bad).code).toBe('validation_failed');
  });

  it('requeues a dead letter as pending with a fresh retry budget; anything else is a 409 or 404', async () => {
    const h = await harness();
    const admin = await adminToken();
    const poison = await poisonEvent(h);
    for (let i = 0; i < 3; i += 1) {
      await h.advance(5 * S);
      await h.tick();
    }
    const r = await call('POST', `${D(h.townId)}/events/${poison}/requeue`, { token: admin.token });
    const event = InboxEvent.parse(ok(r));
    expect([event.id, event.retry_count, event.processed_at, event.dead_lettered_at]).toEqual([poison, 0, null, null]);
    expect((await inbox(h.townId, admin.token, '?state=pending')).map((e) => e.id)).toEqual([poison]);
    expect(await inbox(h.townId, admin.token, '?state=dead_lettered')).toEqual([]);

    // It is pending again: a requeue now is a conflict, and the next tick retries it.
    const again = await call('POST', `${D(h.townId)}/events/${poison}/requeue`, { token: admin.token });
    expect(again.status).toBe(409);
    expect(errorOf(again).code).toBe('conflict');
    await h.advance(5 * S);
    await h.tick();
    const [retried] = await inbox(h.townId, admin.token, '?state=pending');
    expect([retried?.id, retried?.retry_count]).toEqual([poison, 1]);

    // A processed event that was never dead-lettered is a conflict too; an unknown one a 404.
    const done = await inject(h.townId, admin.token, { event_type: 'heartbeat_resumed', agent_id: crypto.randomUUID(), payload: { dispatch_id: null } });
    await h.advance(5 * S);
    await h.tick();
    const processed = await call('POST', `${D(h.townId)}/events/${done.id}/requeue`, { token: admin.token });
    expect(processed.status).toBe(409);
    expect(errorOf(processed).code).toBe('conflict');
    const unknown = await call('POST', `${D(h.townId)}/events/${crypto.randomUUID()}/requeue`, { token: admin.token });
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown).code).toBe('not_found');
    const malformed = await call('POST', `${D(h.townId)}/events/nope/requeue`, { token: admin.token });
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed).code).toBe('invalid_id');
  });

  it('POST D/events (development) inserts a raw event as is: 201 InboxEvent, then pending', async () => {
    const h = await harness();
    const admin = await adminToken();
    const agentId = crypto.randomUUID();
    const beadId = crypto.randomUUID();
    // The payload is not checked at insert: a fault test may store what applyEvent rejects.
    const payload = { dispatch_id: null, anything: { nested: [1, 2] } };
    const e = await inject(h.townId, admin.token, { event_type: 'agent_done', agent_id: agentId.toUpperCase(), bead_id: beadId, payload });
    expect(e).toEqual({
      id: expect.any(String),
      type: 'agent_done',
      agent_id: agentId,
      bead_id: beadId,
      payload,
      retry_count: 0,
      last_error: null,
      created_at: new Date(START).toISOString(),
      processed_at: null,
      dead_lettered_at: null,
    });
    expect(await inbox(h.townId, admin.token, '?state=pending')).toEqual([e]);
    // The inject kicked: an alarm is armed.
    expect(await alarmOf(h.stub)).not.toBeNull();

    for (const body of [
      { event_type: 'not_an_event', payload: {} },
      { event_type: 'agent_done' },
      { event_type: 'agent_done', payload: {}, extra: 1 },
      { event_type: 'agent_done', agent_id: 'x', payload: {} },
    ]) {
      const r = await call('POST', `${D(h.townId)}/events`, { token: admin.token, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(r).code).toBe('validation_failed');
    }
  });
});

describe('read views and sling-convoy', () => {
  it('POST D/sling-convoy creates like sling-batch (201), as admin:<sub>', async () => {
    const f = await quietFixture();
    const admin = await adminToken();
    const body = { rig_id: f.rigId, title: 'Plan', tasks: [{ title: 'one' }, { title: 'two', depends_on: [0] }] };
    const created = ok<{ convoy: unknown; beads: unknown[] }>(await call('POST', `${D(f.townId)}/sling-convoy`, { token: admin.token, body }), 201);
    const convoy = ConvoyDetail.parse(created.convoy);
    const beads = created.beads.map((b) => Bead.parse(b));
    expect(beads.map((b) => [b.title, b.created_by, b.convoy_id])).toEqual([
      ['one', `admin:${admin.sub}`, convoy.id],
      ['two', `admin:${admin.sub}`, convoy.id],
    ]);
    expect(convoy.created_by).toBe(`admin:${admin.sub}`);
    expect(convoy.status).toBe('open');
    // The owner sees the same beads through the user API.
    const seen = Bead.parse(ok(await call('GET', `/api/towns/${f.townId}/beads/${beads[0]?.id ?? ''}`, { token: f.token })).bead);
    expect(seen.created_by).toBe(`admin:${admin.sub}`);

    // Localhost in development is the admin `localhost`.
    const res = await SELF.fetch(`http://localhost/debug/towns/${f.townId}/sling-convoy`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...body, title: 'Local' }) });
    expect(res.status).toBe(201);
    const local: unknown = await res.json();
    const localBeads = typeof local === 'object' && local !== null && 'data' in local ? (local.data as { beads: unknown[] }).beads : [];
    expect(localBeads.map((b) => Bead.parse(b).created_by)).toEqual(['admin:localhost', 'admin:localhost']);

    // The same validation as sling-batch: two tasks without an order are a 422.
    const unordered = await call('POST', `${D(f.townId)}/sling-convoy`, { token: admin.token, body: { rig_id: f.rigId, title: 'Plan', tasks: [{ title: 'a' }, { title: 'b' }] } });
    expect(unordered.status).toBe(422);
    expect(errorOf(unordered).code).toBe('dependencies_required');
    const forbidden = await call('POST', `${D(f.townId)}/sling-convoy`, { token: f.token, body });
    expect(forbidden.status).toBe(403);
  });

  it('GET D/convoys lists convoys with progress, filtered by ?status=', async () => {
    const f = await quietFixture();
    const admin = await adminToken();
    const sling = async (extra: Record<string, unknown>) =>
      ConvoyDetail.parse(ok<{ convoy: unknown }>(await call('POST', `${D(f.townId)}/sling-convoy`, { token: admin.token, body: { rig_id: f.rigId, title: 'Plan', tasks: [{ title: 'one' }, { title: 'two', depends_on: [0] }], ...extra } }), 201).convoy);
    const open = await sling({});
    const staged = await sling({ staged: true });
    const list = async (query: string) => ok<unknown[]>(await call('GET', `${D(f.townId)}/convoys${query}`, { token: admin.token })).map((c) => Convoy.parse(c));
    const all = await list('');
    expect(new Set(all.map((c) => c.id))).toEqual(new Set([open.id, staged.id]));
    for (const c of all) expect(c.progress).toEqual({ total: 2, closed: 0, failed: 0, active: 0 });
    expect((await list('?status=staged')).map((c) => c.id)).toEqual([staged.id]);
    expect((await list('?status=open')).map((c) => c.id)).toEqual([open.id]);
    expect(new Set((await list('?status=open,staged')).map((c) => c.id))).toEqual(new Set([open.id, staged.id]));
    expect(await list('?status=landed')).toEqual([]);
    const paged = await call('GET', `${D(f.townId)}/convoys?limit=1`, { token: admin.token });
    expect(ok<unknown[]>(paged)).toHaveLength(1);
    expect(typeof (paged.body as { next_cursor?: unknown }).next_cursor).toBe('string');
    const bogus = await call('GET', `${D(f.townId)}/convoys?status=open,bogus`, { token: admin.token });
    expect(bogus.status).toBe(400);
    expect(errorOf(bogus)).toMatchObject({ code: 'validation_failed', details: { location: 'query' } });
  });

  it('GET D/beads/:beadId returns the bead, its dependencies both ways, all activity and its inbox events', async () => {
    const h = await harness();
    const admin = await adminToken();
    const created = ok<{ convoy: unknown; beads: { id: string }[] }>(
      await call('POST', `${D(h.townId)}/sling-convoy`, { token: admin.token, body: { rig_id: h.rigId, title: 'Plan', tasks: [{ title: 'one' }, { title: 'two', depends_on: [0] }] } }),
      201,
    );
    const [one, two] = created.beads.map((b) => b.id);
    if (one === undefined || two === undefined) throw new Error('two beads expected');
    const event = await inject(h.townId, admin.token, { event_type: 'pr_polled', bead_id: one, payload: {} });

    const view = ok<{ bead: unknown; dependencies: { bead_id: string; depends_on_bead_id: string; kind: string }[]; activity: { bead_id: string; type: string }[]; inbox_events: unknown[] }>(
      await call('GET', `${D(h.townId)}/beads/${one}`, { token: admin.token }),
    );
    expect(Object.keys(view).sort()).toEqual(['activity', 'bead', 'dependencies', 'inbox_events']);
    expect(Bead.parse(view.bead).id).toBe(one);
    expect(view.dependencies).toContainEqual({ bead_id: two, depends_on_bead_id: one, kind: 'blocks' });
    for (const d of view.dependencies) expect(d.bead_id === one || d.depends_on_bead_id === one).toBe(true);
    expect(view.activity.length).toBeGreaterThan(0);
    expect(view.activity.every((a) => a.bead_id === one)).toBe(true);
    expect(view.activity.map((a) => a.type)).toContain('created');
    expect(view.inbox_events.map((e) => InboxEvent.parse(e))).toEqual([event]);

    const second = ok<{ dependencies: unknown[]; inbox_events: unknown[] }>(await call('GET', `${D(h.townId)}/beads/${two}`, { token: admin.token }));
    expect(second.dependencies).toContainEqual({ bead_id: two, depends_on_bead_id: one, kind: 'blocks' });
    expect(second.inbox_events).toEqual([]);

    const unknown = await call('GET', `${D(h.townId)}/beads/${crypto.randomUUID()}`, { token: admin.token });
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown).code).toBe('not_found');
  });

  it('GET D/config returns the town config with secrets masked', async () => {
    const f = await quietFixture();
    const admin = await adminToken();
    const patch = { git_auth: { github_token: 'ghp_abcdefghijklmnop1234' }, env_vars: { API_SECRET: 'verysecretvalue9876', SHORT: 'abc' }, github_cli_pat: 'pat_0123456789wxyz' };
    expect((await call('PATCH', `/api/towns/${f.townId}/config`, { token: f.token, body: patch })).status).toBe(200);
    const config = TownConfig.parse(ok(await call('GET', `${D(f.townId)}/config`, { token: admin.token })));
    expect(config.git_auth.github_token).toBe('****1234');
    expect(config.env_vars).toEqual({ API_SECRET: '****9876', SHORT: '****' });
    expect(config.github_cli_pat).toBe('****wxyz');
    expect(JSON.stringify(config)).not.toContain('abcdefghijklmnop');
    // The same view as the owner's config route.
    expect(ok(await call('GET', `/api/towns/${f.townId}/config`, { token: f.token }))).toEqual(config);
  });
});
