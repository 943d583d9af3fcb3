/**
 * `runTick` (`reconciler.md` §2, §8) over real SQLite with an in-memory executor: the guard,
 * observe (working polecats/refineries only, deduplicated `container_status` events), the
 * committed core before any effect, effect outcomes (and failures) written back as events,
 * the §8 tick record, housekeeping retention on both sides, alerts.
 */
import { describe, expect, it } from 'vitest';
import { runTick, type TickDeps } from '../../../../src/town/reconciler/tick.ts';
import type { EffectContext, EffectExecutor, ObservedStatus } from '../../../../src/town/reconciler/effects.ts';
import type { EffectIntent } from '../../../../src/town/context.ts';
import type { NewTownEvent } from '../../../../src/town/events/town-events.ts';
import type { SqlHandle } from '../../../../src/town/db/sql.ts';
import type { Thresholds } from '../../../../src/town/reconciler/constants.ts';
import { TickRecord } from '../../../../src/protocol/events.ts';
import { TownBuilder } from './town-builder.ts';
import { HOUR, MIN, NOW, SEC, T } from './rules/rule-ctx.ts';

const DAY = 24 * HOUR;
const iso = (t: number): string => new Date(t).toISOString();

type Observation = { status: ObservedStatus; exit_reason?: string };

/** Whether a transaction is open on the handle (BEGIN inside one fails). */
function inTransaction(sql: SqlHandle): boolean {
  try {
    sql.run('BEGIN');
  } catch (e) {
    if (e instanceof Error && /within a transaction/.test(e.message)) return true;
    throw e;
  }
  sql.run('COMMIT');
  return false;
}

/** The in-memory executor: scripted observations and effect outcomes, every call recorded. */
class FakeExecutor implements EffectExecutor {
  readonly observed: string[][] = [];
  readonly observeContexts: EffectContext[] = [];
  readonly ran: EffectIntent[] = [];
  readonly log: string[] = [];
  statuses = new Map<string, Observation>();
  observeError: Error | null = null;
  outcome: (intent: EffectIntent) => NewTownEvent[] = () => [];
  onObserve: () => void = () => undefined;
  onRun: (intent: EffectIntent) => void = () => undefined;

  async observe(agentIds: readonly string[], ctx: EffectContext): Promise<Map<string, Observation>> {
    this.log.push('observe');
    this.observed.push([...agentIds]);
    this.observeContexts.push(ctx);
    this.onObserve();
    if (this.observeError !== null) throw this.observeError;
    return new Map(agentIds.map((id) => [id, this.statuses.get(id) ?? { status: 'running' }]));
  }

  async run(intent: EffectIntent): Promise<NewTownEvent[]> {
    this.log.push(`run:${intent.kind}`);
    this.ran.push(intent);
    this.onRun(intent);
    return this.outcome(intent);
  }
}

function harness(b: TownBuilder, thresholds: Thresholds = T) {
  const executor = new FakeExecutor();
  const alerts: Array<{ kind: string; message: string; tags: Record<string, string> }> = [];
  const clock = { now: NOW };
  const deps: TickDeps = {
    sql: b.sql,
    now: () => clock.now,
    executor,
    thresholds,
    development: true,
    alert: (kind, message, tags) => void alerts.push({ kind, message, tags }),
  };
  return { executor, alerts, clock, deps };
}

async function tick(deps: TickDeps) {
  const outcome = await runTick(deps);
  if (outcome === null) throw new Error('the tick found no town');
  return outcome;
}

interface EventRow {
  event_id: string;
  event_type: string;
  agent_id: string | null;
  payload: Record<string, unknown>;
  dedupe_key: string | null;
  processed_at: string | null;
}

function events(b: TownBuilder, type: string): EventRow[] {
  return b.sql.all(`SELECT * FROM town_events WHERE event_type = ? ORDER BY created_at, rowid`, type).map((r) => ({
    event_id: String(r.event_id),
    event_type: String(r.event_type),
    agent_id: typeof r.agent_id === 'string' ? r.agent_id : null,
    payload: JSON.parse(String(r.payload)) as Record<string, unknown>,
    dedupe_key: typeof r.dedupe_key === 'string' ? r.dedupe_key : null,
    processed_at: typeof r.processed_at === 'string' ? r.processed_at : null,
  }));
}

function beadEventTypes(b: TownBuilder, beadId: string): string[] {
  return b.sql.all(`SELECT event_type FROM bead_events WHERE bead_id = ? ORDER BY seq`, beadId).map((r) => String(r.event_type));
}

function exists(b: TownBuilder, table: string, column: string, id: string): boolean {
  return b.sql.all(`SELECT 1 AS x FROM ${table} WHERE ${column} = ?`, id).length > 0;
}

/** A rig with one ready issue the tick will dispatch. */
function readyTown(): { b: TownBuilder; rig: string; bead: string } {
  const b = new TownBuilder();
  const rig = b.rig();
  return { b, rig, bead: b.bead({ rig_id: rig, status: 'open' }) };
}

/** The §8 names, nothing more. */
const RECORD_FIELDS = [
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

describe('guard', () => {
  it('no town row → null, no container call', async () => {
    const b = new TownBuilder();
    const rig = b.rig();
    b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: b.bead({ rig_id: rig, status: 'in_progress' }), last_heartbeat_at: NOW - SEC });
    b.sql.run(`DELETE FROM town`);
    const { deps, executor } = harness(b);
    expect(await runTick(deps)).toBeNull();
    expect(executor.log).toEqual([]);
  });
});

describe('phases', () => {
  it('observe → drain/reconcile/apply (committed) → effects → invariants → housekeeping', async () => {
    const { b, bead } = readyTown();
    const rig = b.view().rigs()[0]?.id ?? '';
    const working = b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: b.bead({ rig_id: rig, status: 'in_progress' }), last_heartbeat_at: NOW - SEC, last_dispatch_at: NOW - MIN });
    const earlier = b.event({ created_at: NOW - SEC });
    const { deps, executor } = harness(b);
    const seen: Record<string, unknown> = {};
    executor.onObserve = () => {
      seen.observe_in_tx = inTransaction(b.sql);
      seen.observe_event_pending = b.view().pendingEvents().count;
    };
    executor.onRun = (intent) => {
      seen.run_in_tx = inTransaction(b.sql);
      seen.run_event_processed = events(b, 'nudge_sent').find((e) => e.event_id === earlier)?.processed_at;
      if (intent.kind === 'dispatch') seen.run_agent = b.view().agent(intent.agent_id);
    };
    const outcome = await tick(deps);
    expect(b.sql.transaction(() => inTransaction(b.sql))).toBe(true); // the probe itself works
    expect(executor.observed).toEqual([[working]]);
    expect(executor.log).toEqual(['observe', 'run:dispatch']);
    const intent = executor.ran[0];
    if (intent?.kind !== 'dispatch') throw new Error('expected a dispatch');
    expect(intent.bead_id).toBe(bead);
    // observe ran before the drain, outside any transaction
    expect(seen.observe_in_tx).toBe(false);
    expect(seen.observe_event_pending).toBe(1);
    // the effect ran after the commit: the drain and the dispatch's SQL are already durable
    expect(seen.run_in_tx).toBe(false);
    expect(seen.run_event_processed).toBe(iso(NOW));
    expect(seen.run_agent).toMatchObject({ id: intent.agent_id, status: 'working', current_dispatch_id: intent.dispatch_id, hooked_bead_id: bead });
    expect(Object.keys(outcome.record.phase_ms)).toEqual(['observe', 'drain_reconcile_apply', 'effects', 'invariants', 'housekeeping']);
  });
});

describe('observe', () => {
  it('asks only about working polecats and refineries — never the mayor, idle or stalled agents', async () => {
    const b = new TownBuilder();
    const rig = b.rig();
    b.agent({ role: 'mayor', status: 'working', last_heartbeat_at: NOW - SEC, last_dispatch_at: NOW - MIN });
    const polecat = b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: b.bead({ rig_id: rig, status: 'in_progress' }), last_heartbeat_at: NOW - SEC, last_dispatch_at: NOW - MIN });
    const refinery = b.agent({ role: 'refinery', rig_id: rig, status: 'working', hook: b.mergeRequest({ rig_id: rig, status: 'in_progress' }), last_heartbeat_at: NOW - SEC, last_dispatch_at: NOW - MIN });
    b.agent({ role: 'polecat', rig_id: rig, status: 'idle', last_heartbeat_at: NOW - SEC });
    b.agent({ role: 'polecat', rig_id: rig, status: 'stalled', hook: b.bead({ rig_id: rig, status: 'in_progress' }), stalled_at: NOW - MIN });
    const { deps, executor } = harness(b);
    await tick(deps);
    expect(executor.observed).toEqual([[polecat, refinery]]);
    expect(executor.observeContexts[0]).toMatchObject({ now: NOW, deadline: NOW + T.CONTAINER_STATUS_TIMEOUT_MS });
  });

  it('no working polecat or refinery → no observe call', async () => {
    const b = new TownBuilder();
    b.agent({ role: 'mayor', status: 'working', last_heartbeat_at: NOW - SEC, last_dispatch_at: NOW - MIN });
    const { deps, executor } = harness(b);
    await tick(deps);
    expect(executor.observed).toEqual([]);
  });

  it('exited/not_found become container_status events drained in the same tick; running/unknown write nothing', async () => {
    const b = new TownBuilder();
    const rig = b.rig();
    const agents: Record<string, string> = {};
    const beads: Record<string, string> = {};
    for (const name of ['exited', 'not_found', 'running', 'unknown']) {
      beads[name] = b.bead({ rig_id: rig, status: 'in_progress', dispatch_attempts: 1, last_dispatch_attempt_at: NOW - 10 * SEC, status_changed_at: NOW - 10 * SEC });
      agents[name] = b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: beads[name], last_heartbeat_at: NOW - 5 * SEC, last_dispatch_at: NOW - 10 * SEC });
    }
    const mr = b.mergeRequest({ rig_id: rig, status: 'in_progress' });
    const refinery = b.agent({ role: 'refinery', rig_id: rig, status: 'working', hook: mr, last_heartbeat_at: NOW - 5 * SEC, last_dispatch_at: NOW - MIN });
    const { deps, executor } = harness(b);
    executor.statuses = new Map<string, Observation>([
      [agents.exited ?? '', { status: 'exited', exit_reason: 'process exited with code 1' }],
      [agents.not_found ?? '', { status: 'not_found' }],
      [agents.unknown ?? '', { status: 'unknown' }],
      [refinery, { status: 'exited' }],
    ]);
    const outcome = await tick(deps);
    const rows = events(b, 'container_status');
    expect(rows.map((r) => [r.agent_id, r.payload, r.dedupe_key, r.processed_at])).toEqual([
      [agents.exited, { status: 'exited', exit_reason: 'process exited with code 1' }, `container_status:${agents.exited ?? ''}`, iso(NOW)],
      [agents.not_found, { status: 'not_found' }, `container_status:${agents.not_found ?? ''}`, iso(NOW)],
      [refinery, { status: 'exited' }, `container_status:${refinery}`, iso(NOW)],
    ]);
    expect(outcome.record.events_drained).toBe(3);
    // exited polecat: bead reopened (still in backoff, so not re-dispatched this tick), agent idle
    expect(b.view().agent(agents.exited ?? '')).toMatchObject({ status: 'idle', hooked_bead_id: null });
    expect(b.view().bead(beads.exited ?? '')?.status).toBe('open');
    // not_found within the cold-start grace: ignored
    expect(b.view().agent(agents.not_found ?? '')).toMatchObject({ status: 'working', hooked_bead_id: beads.not_found });
    // refinery exit: idle with its hook kept, so R6 re-dispatches it to its MR in the same tick
    expect(executor.ran.map((i) => i.kind === 'dispatch' && [i.agent_id, i.bead_id])).toEqual([[refinery, mr]]);
    expect(b.view().agent(refinery)).toMatchObject({ status: 'working', hooked_bead_id: mr, last_dispatch_at: NOW });
    for (const name of ['running', 'unknown']) expect(b.view().agent(agents[name] ?? '')?.status).toBe('working');
  });

  it('two observes before a drain leave one pending row per agent, with the latest report', async () => {
    const b = new TownBuilder();
    const rig = b.rig();
    const one = b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: b.bead({ rig_id: rig, status: 'in_progress' }), last_heartbeat_at: NOW - SEC, last_dispatch_at: NOW - MIN });
    const two = b.agent({ role: 'refinery', rig_id: rig, status: 'working', hook: b.mergeRequest({ rig_id: rig, status: 'in_progress' }), last_heartbeat_at: NOW - SEC, last_dispatch_at: NOW - MIN });
    // a drain batch of 0: ticks observe but drain nothing
    const { deps, executor, clock } = harness(b, { ...T, EVENT_DRAIN_BATCH: 0 });
    executor.statuses = new Map<string, Observation>([
      [one, { status: 'not_found' }],
      [two, { status: 'not_found' }],
    ]);
    await tick(deps);
    executor.statuses.set(one, { status: 'exited', exit_reason: 'oom' });
    clock.now = NOW + 5 * SEC;
    const outcome = await tick(deps);
    expect(executor.observed).toHaveLength(2);
    const rows = events(b, 'container_status');
    expect(rows.map((r) => [r.agent_id, r.payload, r.processed_at])).toEqual([
      [one, { status: 'exited', exit_reason: 'oom' }, null],
      [two, { status: 'not_found' }, null],
    ]);
    expect(outcome.record.pending_events).toBe(2);
    expect(outcome.record.oldest_pending_ms).toBe(5 * SEC);
  });

  it('an observe that throws writes nothing and the tick goes on', async () => {
    const { b, bead } = readyTown();
    const rig = b.view().rigs()[0]?.id ?? '';
    b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: b.bead({ rig_id: rig, status: 'in_progress' }), last_heartbeat_at: NOW - SEC, last_dispatch_at: NOW - MIN });
    const { deps, executor } = harness(b);
    executor.observeError = new Error('container unreachable');
    const outcome = await tick(deps);
    expect(events(b, 'container_status')).toEqual([]);
    expect(b.view().bead(bead)?.status).toBe('in_progress');
    expect(outcome.record.actions_by_type.dispatch_agent).toBe(1);
  });
});

describe('effects', () => {
  it('an effect outcome is written back as a pending event, applied by the next tick', async () => {
    const { b, bead } = readyTown();
    const { deps, executor, clock } = harness(b);
    executor.outcome = (intent) =>
      intent.kind === 'dispatch' ? [{ event_type: 'dispatch_result', agent_id: intent.agent_id, bead_id: intent.bead_id, payload: { dispatch_id: intent.dispatch_id, ok: true } }] : [];
    const first = await tick(deps);
    const intent = executor.ran[0];
    if (intent?.kind !== 'dispatch') throw new Error('expected a dispatch');
    expect(first.eventsInserted).toBe(1);
    expect(first.record).toMatchObject({ effects_ok: { dispatch: 1 }, effects_failed: {}, pending_events: 1, cadence: 'active' });
    expect(events(b, 'dispatch_result').map((e) => [e.agent_id, e.payload, e.processed_at])).toEqual([[intent.agent_id, { dispatch_id: intent.dispatch_id, ok: true }, null]]);

    clock.now = NOW + 5 * SEC;
    const second = await tick(deps);
    expect(second.record.events_drained).toBe(1);
    expect(beadEventTypes(b, bead)).toContain('dispatched');
  });

  it('a throwing executor produces the failure outcome (dispatch_result ok: false); the agent stays working', async () => {
    const { b, bead } = readyTown();
    const { deps, executor, clock } = harness(b);
    executor.onRun = () => {
      throw new Error('connect ECONNREFUSED');
    };
    const first = await tick(deps);
    const intent = executor.ran[0];
    if (intent?.kind !== 'dispatch') throw new Error('expected a dispatch');
    expect(first.record).toMatchObject({ effects_ok: {}, effects_failed: { dispatch: 1 } });
    expect(events(b, 'dispatch_result').map((e) => [e.agent_id, e.payload])).toEqual([
      [intent.agent_id, { dispatch_id: intent.dispatch_id, ok: false, error: { phase: 'request', message: 'connect ECONNREFUSED' } }],
    ]);
    expect(b.view().agent(intent.agent_id)).toMatchObject({ status: 'working', hooked_bead_id: bead, current_dispatch_id: intent.dispatch_id });

    // the next tick records the failure on the bead; nothing else moves
    clock.now = NOW + 5 * SEC;
    executor.onRun = () => undefined;
    await tick(deps);
    expect(beadEventTypes(b, bead)).toContain('dispatch_failed');
    expect(b.view().agent(intent.agent_id)).toMatchObject({ status: 'working', hooked_bead_id: bead });
    expect(b.view().bead(bead)).toMatchObject({ status: 'in_progress', dispatch_attempts: 1 });
  });
});

describe('effect failures of the git-host effects', () => {
  it('a poll_pr that throws counts as a transient failure (pr_polled, status 0)', async () => {
    const b = new TownBuilder();
    const rig = b.rig();
    const mr = b.mergeRequest({ rig_id: rig, status: 'in_progress', source: b.bead({ rig_id: rig, status: 'in_review' }), pr_url: 'https://github.com/acme/app/pull/7', branch: 'gt/x' });
    const { deps, executor } = harness(b);
    executor.onRun = (intent) => {
      if (intent.kind === 'poll_pr') throw new Error('token service down');
    };
    const outcome = await tick(deps);
    expect(outcome.record.effects_failed).toEqual({ poll_pr: 1 });
    expect(events(b, 'pr_polled').map((e) => e.payload)).toEqual([{ outcome: { ok: false, kind: 'http_error', status: 0, transient: true } }]);
    expect(b.view().review(mr)).toMatchObject({ poll_transient_count: 0 });
  });
});

describe('analytics events', () => {
  /** An MR in the PR phase with a pending `pr_polled` carrying `outcome`. */
  function polledTown(outcome: Record<string, unknown>) {
    const b = new TownBuilder();
    const rig = b.rig();
    const issue = b.bead({ rig_id: rig, status: 'in_review' });
    const mr = b.mergeRequest({ rig_id: rig, status: 'in_progress', source: issue, pr_url: 'https://github.com/acme/app/pull/7', branch: 'gt/x' });
    b.event({ type: 'pr_polled', bead_id: mr, payload: { outcome } });
    return { b, rig, mr };
  }

  it('an applied record_metric reaches the sink after commit, with the town id', async () => {
    const { b, rig, mr } = polledTown({ ok: false, kind: 'no_token', trace: [{ source: 'github_cli_pat', outcome: 'absent' }] });
    const { deps } = harness(b);
    const seen: Array<{ townId: string; name: string; data: Record<string, unknown>; committed: boolean }> = [];
    deps.analytics = (townId, event) => seen.push({ townId, ...event, committed: !inTransaction(b.sql) && b.view().bead(mr)?.status === 'failed' });
    await tick(deps);
    expect(seen).toEqual([
      {
        townId: b.townId,
        name: 'pr.poll_failed',
        data: { rig_id: rig, bead_id: mr, provider: 'github', failure_kind: 'no_token', transient_count: 0, non_transient_count: 0 },
        committed: true,
      },
    ]);
  });

  it('an event that fails (and rolls back) reports nothing', async () => {
    const { b } = polledTown({ ok: true, state: 'merged' });
    const { deps } = harness(b);
    const seen: string[] = [];
    deps.analytics = (_townId, event) => void seen.push(event.name);
    const outcome = await tick(deps);
    expect(outcome.record.events_failed).toBe(1);
    expect(seen).toEqual([]);
  });
});

describe('the tick record (§8)', () => {
  it('has exactly the §8 field names and parses as TickRecord', async () => {
    const { b } = readyTown();
    const broken = b.bead({ status: 'open' });
    b.setColumns('beads', broken, { status: 'closed' }); // I8: closed without closed_at
    b.event({ created_at: NOW - 2 * SEC, payload: { nudge_id: 'bad', ok: true } });
    const { deps } = harness(b);
    const { record, violations } = await tick(deps);
    expect(Object.keys(record).sort()).toEqual([...RECORD_FIELDS].sort());
    expect(TickRecord.parse(record)).toEqual(record);
    expect(violations.map((v) => v.invariant)).toEqual(['I8']);
    expect(record).toMatchObject({
      at: iso(NOW),
      events_drained: 0,
      events_failed: 1,
      events_dead_lettered: 0,
      events_stale: 0,
      actions_by_type: { dispatch_agent: 1 },
      actions_stale: 0,
      actions_failed: 0,
      effects_ok: { dispatch: 1 },
      effects_failed: {},
      violations: { I8: 1 },
      pending_events: 1,
      oldest_pending_ms: 2 * SEC,
      breaker_open: false,
      cadence: 'active',
      next_alarm_ms: 5 * SEC,
    });
  });

  it('a quiet town: nothing pending, idle cadence', async () => {
    const b = new TownBuilder();
    const { deps } = harness(b);
    const { record } = await tick(deps);
    expect(record).toMatchObject({ pending_events: 0, oldest_pending_ms: 0, violations: {}, cadence: 'idle', next_alarm_ms: 5 * MIN, actions_by_type: {} });
  });
});

describe('alerts', () => {
  it('a dead letter and a failed action are alerted with the town id', async () => {
    const b = new TownBuilder();
    const rig = b.rig();
    const bead = b.bead({ rig_id: rig, status: 'open' });
    b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: bead, last_heartbeat_at: NOW - SEC, last_dispatch_at: NOW - MIN });
    b.setColumns('beads', bead, { assignee_agent_bead_id: null }); // ready yet hooked: its dispatch conflicts
    const poison = b.event({ type: 'agent_exploded', created_at: NOW - SEC, retry_count: 2 });
    const { deps, alerts } = harness(b);
    await tick(deps);
    expect(alerts).toEqual([
      { kind: 'dead_letter', message: expect.stringContaining('agent_exploded'), tags: { town_id: b.townId, event_id: poison } },
      { kind: 'action_failed', message: expect.stringContaining('dispatch_agent'), tags: { town_id: b.townId } },
    ]);
  });
});

describe('housekeeping', () => {
  it('expires pending nudges past expires_at only', async () => {
    const b = new TownBuilder();
    const mayor = b.agent({ role: 'mayor', status: 'idle' });
    const past = b.nudge(mayor, { mode: 'queue', created_at: NOW - HOUR, expires_at: NOW - 1 });
    const atNow = b.nudge(mayor, { mode: 'queue', created_at: NOW - HOUR, expires_at: NOW });
    const future = b.nudge(mayor, { mode: 'queue', created_at: NOW - HOUR, expires_at: NOW + 1 });
    const delivered = b.nudge(mayor, { mode: 'queue', created_at: NOW - HOUR, expires_at: NOW - HOUR, status: 'delivered' });
    const { deps } = harness(b);
    await tick(deps);
    const status = (id: string): unknown => b.sql.all(`SELECT status FROM agent_nudges WHERE nudge_id = ?`, id)[0]?.status;
    expect([past, atNow, future, delivered].map(status)).toEqual(['expired', 'pending', 'pending', 'delivered']);
  });

  it('prunes processed events older than 7 d and dead letters older than 30 d', async () => {
    const b = new TownBuilder();
    const cases: Array<{ name: string; id: string; kept: boolean }> = [
      { name: 'processed 7 d + 1 ms ago', id: b.event({ created_at: NOW - 8 * DAY, processed_at: NOW - 7 * DAY - 1 }), kept: false },
      { name: 'processed exactly 7 d ago', id: b.event({ created_at: NOW - 8 * DAY, processed_at: NOW - 7 * DAY }), kept: true },
      { name: 'processed 7 d - 1 ms ago', id: b.event({ created_at: NOW - 8 * DAY, processed_at: NOW - 7 * DAY + 1 }), kept: true },
      {
        name: 'dead-lettered 30 d + 1 ms ago',
        id: b.event({ created_at: NOW - 31 * DAY, processed_at: NOW - 30 * DAY - 1, dead_lettered_at: NOW - 30 * DAY - 1, retry_count: 3, last_error: 'x' }),
        kept: false,
      },
      {
        name: 'dead-lettered 29 d ago (processed > 7 d ago, still kept)',
        id: b.event({ created_at: NOW - 29 * DAY, processed_at: NOW - 29 * DAY, dead_lettered_at: NOW - 29 * DAY, retry_count: 3, last_error: 'x' }),
        kept: true,
      },
    ];
    const { deps } = harness(b);
    await tick(deps);
    expect(cases.map((c) => [c.name, exists(b, 'town_events', 'event_id', c.id)])).toEqual(cases.map((c) => [c.name, c.kept]));
  });

  it('deletes dead agents untouched for more than 7 d', async () => {
    const b = new TownBuilder();
    const rig = b.rig();
    const old = b.agent({ role: 'polecat', rig_id: rig, status: 'dead' });
    const recent = b.agent({ role: 'polecat', rig_id: rig, status: 'dead' });
    b.setColumns('beads', old, { updated_at: iso(NOW - 7 * DAY - 1) }).setColumns('beads', recent, { updated_at: iso(NOW - 7 * DAY + 1) });
    const { deps } = harness(b);
    await tick(deps);
    expect([exists(b, 'beads', 'bead_id', old), exists(b, 'agent_metadata', 'bead_id', old)]).toEqual([false, false]);
    expect([exists(b, 'beads', 'bead_id', recent), exists(b, 'agent_metadata', 'bead_id', recent)]).toEqual([true, true]);
  });
});
