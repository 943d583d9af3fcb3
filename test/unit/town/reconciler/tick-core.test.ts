/**
 * `drainReconcileApply` (`reconciler.md` §2 phases 2–4, §3, §6) over real SQLite inside one
 * transaction: the drain order and batch, poison events (retried, dead-lettered on the 3rd
 * failure without holding back later events, secrets redacted), missing/stale subjects, rule
 * actions that fail or miss their compare-and-set, and the dispatch contract (lazy agent choice).
 */
import { describe, expect, it } from 'vitest';
import { drainReconcileApply, redactError, type CoreResult } from '../../../../src/town/reconciler/tick-core.ts';
import { applyAction } from '../../../../src/town/reconciler/apply/apply-action.ts';
import { insertTownEvent } from '../../../../src/town/events/town-events.ts';
import type { TownCtx } from '../../../../src/town/context.ts';
import type { Thresholds } from '../../../../src/town/reconciler/constants.ts';
import { TownBuilder } from './town-builder.ts';
import { HOUR, MIN, NOW, SEC, T } from './rules/rule-ctx.ts';

const iso = (t: number): string => new Date(t).toISOString();
const GITHUB_TOKEN = 'ghp_abcdefghijklmnopqrstuv12';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudCIsImRpc3BhdGNoSWQiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

/** One tick's synchronous core at `now`, inside a transaction as the TownDO runs it. */
function core(b: TownBuilder, now = NOW, t: Thresholds = T): { result: CoreResult; ctx: TownCtx } {
  const ctx = b.ctx(now);
  const result = b.sql.transaction(() => drainReconcileApply(ctx, { thresholds: t }));
  return { result, ctx };
}

interface EventRow {
  retry_count: number;
  last_error: string | null;
  processed_at: string | null;
  dead_lettered_at: string | null;
}

function eventRow(b: TownBuilder, id: string): EventRow {
  const row = b.sql.all(`SELECT retry_count, last_error, processed_at, dead_lettered_at FROM town_events WHERE event_id = ?`, id)[0];
  if (row === undefined) throw new Error(`no event ${id}`);
  return {
    retry_count: Number(row.retry_count),
    last_error: typeof row.last_error === 'string' ? row.last_error : null,
    processed_at: typeof row.processed_at === 'string' ? row.processed_at : null,
    dead_lettered_at: typeof row.dead_lettered_at === 'string' ? row.dead_lettered_at : null,
  };
}

function nudgeStatus(b: TownBuilder, id: string): unknown {
  return b.sql.all(`SELECT status FROM agent_nudges WHERE nudge_id = ?`, id)[0]?.status;
}

function agentsOf(b: TownBuilder): Array<{ id: string; name: string; status: string }> {
  return b.view().agents().map((a) => ({ id: a.id, name: a.name, status: a.status }));
}

/** A harmless valid event: a failed nudge delivery (warning only). */
function failedNudge(b: TownBuilder, createdAt: number): string {
  return insertTownEvent(b.sql, { event_type: 'nudge_sent', payload: { nudge_id: crypto.randomUUID(), ok: false } }, createdAt);
}

describe('drain order and batch', () => {
  it('drains pending events oldest first, ties in insertion order, and marks each processed', () => {
    const b = new TownBuilder();
    const second = failedNudge(b, NOW - 2 * SEC);
    const third = failedNudge(b, NOW - SEC);
    const first = failedNudge(b, NOW - 3 * SEC);
    const tie = failedNudge(b, NOW - SEC);
    const { result } = core(b);
    expect(result.events.map((e) => e.event_id)).toEqual([first, second, third, tie]);
    expect(result.stats.events_drained).toBe(4);
    for (const id of [first, second, third, tie]) expect(eventRow(b, id)).toEqual({ retry_count: 0, last_error: null, processed_at: iso(NOW), dead_lettered_at: null });
  });

  it('takes at most EVENT_DRAIN_BATCH events per tick; the rest wait, oldest first, for the next', () => {
    const b = new TownBuilder();
    const ids = [3, 2, 1].map((n) => failedNudge(b, NOW - n * SEC));
    const t = { ...T, EVENT_DRAIN_BATCH: 2 };
    expect(core(b, NOW, t).result.events.map((e) => e.event_id)).toEqual(ids.slice(0, 2));
    expect(eventRow(b, ids[2] ?? '').processed_at).toBeNull();
    expect(core(b, NOW + SEC, t).result.events.map((e) => e.event_id)).toEqual(ids.slice(2));
  });

  it('skips processed events', () => {
    const b = new TownBuilder();
    b.event({ created_at: NOW - MIN, processed_at: NOW - MIN });
    expect(core(b).result.events).toEqual([]);
  });
});

describe('poison events (guarantee 3)', () => {
  it('a bad payload is retried, dead-lettered on exactly the 3rd failed drain, and never holds back a later good event', () => {
    const b = new TownBuilder();
    const mayor = b.agent({ role: 'mayor', status: 'idle' });
    const nudge = b.nudge(mayor, { mode: 'queue', created_at: NOW - MIN });
    const poison = insertTownEvent(b.sql, { event_type: 'nudge_sent', payload: { nudge_id: 'not-a-uuid', ok: true } }, NOW - 2 * SEC);
    const good = insertTownEvent(b.sql, { event_type: 'nudge_sent', payload: { nudge_id: nudge, ok: true } }, NOW - SEC);

    // drain 1: the poison fails, the later good event is applied in the same drain
    const first = core(b).result;
    expect(first.events.map((e) => e.event_id)).toEqual([poison, good]);
    expect(first.stats).toMatchObject({ events_drained: 1, events_failed: 1, events_dead_lettered: 0 });
    expect(first.events[0]).toMatchObject({ event_id: poison, actions: [], error: expect.stringContaining('must be a UUID') });
    expect(first.events[1]).toMatchObject({ event_id: good, actions: [{ type: 'mark_nudge', nudge_id: nudge, status: 'delivered' }] });
    expect(nudgeStatus(b, nudge)).toBe('delivered');
    expect(eventRow(b, good).processed_at).toBe(iso(NOW));
    const afterOne = eventRow(b, poison);
    expect(afterOne).toEqual({ retry_count: 1, last_error: expect.stringContaining('must be a UUID'), processed_at: null, dead_lettered_at: null });
    expect(first.alerts).toEqual([]);

    // drain 2: second failure, still pending
    const second = core(b, NOW + 5 * SEC).result;
    expect(second.stats).toMatchObject({ events_drained: 0, events_failed: 1, events_dead_lettered: 0 });
    expect(eventRow(b, poison)).toEqual({ ...afterOne, retry_count: 2 });

    // drain 3: dead-lettered, last_error kept, a dead-letter alert
    const third = core(b, NOW + 10 * SEC).result;
    expect(third.stats).toMatchObject({ events_drained: 0, events_failed: 1, events_dead_lettered: 1 });
    expect(eventRow(b, poison)).toEqual({ retry_count: 3, last_error: afterOne.last_error, processed_at: iso(NOW + 10 * SEC), dead_lettered_at: iso(NOW + 10 * SEC) });
    expect(third.alerts).toEqual([{ kind: 'dead_letter', id: poison, message: expect.stringContaining('nudge_sent') }]);

    // drain 4: nothing left
    expect(core(b, NOW + 15 * SEC).result.events).toEqual([]);
  });

  it('an unknown event type fails like a bad payload', () => {
    const b = new TownBuilder();
    const id = b.event({ type: 'agent_exploded', created_at: NOW - SEC, payload: {} });
    core(b);
    expect(eventRow(b, id)).toMatchObject({ retry_count: 1, last_error: expect.stringContaining('unknown town event type: agent_exploded') });
  });

  it('last_error, the report and the alert never contain a token from the failing event', () => {
    const b = new TownBuilder();
    const type = `leak ${GITHUB_TOKEN} ${JWT} https://x-access-token:s3cr3tvalue@github.com/acme/app.git`;
    const id = b.event({ type, created_at: NOW - SEC, payload: {}, retry_count: 2 });
    const { result } = core(b);
    const row = eventRow(b, id);
    const texts = [row.last_error ?? '', result.events[0]?.error ?? '', ...result.alerts.map((a) => a.message)];
    expect(row.last_error).toContain('unknown town event type');
    expect(row.dead_lettered_at).toBe(iso(NOW));
    for (const text of texts) {
      expect(text).not.toContain(GITHUB_TOKEN);
      expect(text).not.toContain(JWT);
      expect(text).not.toContain('s3cr3tvalue');
      expect(text).toContain(`****${GITHUB_TOKEN.slice(-4)}`);
    }
  });
});

describe('redactError', () => {
  const cases: Array<{ name: string; input: string; expected: string }> = [
    { name: 'a GitHub classic token', input: `token ${GITHUB_TOKEN} rejected`, expected: 'token ****uv12 rejected' },
    { name: 'a GitHub OAuth/app token', input: 'gho_ABCDEFGH12345678 and ghs_abcdefgh1234XYZW', expected: '****5678 and ****XYZW' },
    { name: 'a GitHub fine-grained token', input: 'pat github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVW9876 denied', expected: 'pat ****9876 denied' },
    { name: 'a GitLab token', input: 'glpat-abcdefgh1234-WXYZ', expected: '****WXYZ' },
    { name: 'an API key', input: 'key sk-proj-abcdefgh9876', expected: 'key ****9876' },
    { name: 'a JWT', input: `Bearer ${JWT}.`, expected: 'Bearer ****.' },
    { name: 'URL userinfo', input: 'fetch https://oauth2:glsecret@gitlab.com/a/b.git failed', expected: 'fetch https://***@gitlab.com/a/b.git failed' },
    { name: 'ordinary text', input: 'SqlError: UNIQUE constraint failed: agent_metadata.current_hook_bead_id', expected: 'SqlError: UNIQUE constraint failed: agent_metadata.current_hook_bead_id' },
    { name: 'a short gh_ prefix', input: 'ghp_short', expected: 'ghp_short' },
  ];
  for (const c of cases) {
    it(`masks ${c.name}`, () => {
      expect(redactError(c.input)).toBe(c.expected);
    });
  }

  it('keeps at most 1000 characters', () => {
    expect(redactError('x'.repeat(1000))).toHaveLength(1000);
    expect(redactError('x'.repeat(1001))).toHaveLength(1000);
    expect(redactError('x'.repeat(999))).toHaveLength(999);
  });
});

describe('missing and stale subjects', () => {
  it('an event about a missing agent is processed with a warning, never retried', () => {
    const b = new TownBuilder();
    const id = insertTownEvent(b.sql, { event_type: 'agent_completed', agent_id: crypto.randomUUID(), payload: { dispatch_id: crypto.randomUUID(), status: 'completed' } }, NOW - SEC);
    const { result } = core(b);
    expect(result.events).toEqual([{ event_id: id, event_type: 'agent_completed', actions: [], warning: expect.stringContaining('not found') }]);
    expect(result.stats).toMatchObject({ events_drained: 1, events_failed: 0, events_stale: 0 });
    expect(eventRow(b, id)).toEqual({ retry_count: 0, last_error: null, processed_at: iso(NOW), dead_lettered_at: null });
  });

  it('an agent report from an older dispatch is processed as stale and changes nothing', () => {
    const b = new TownBuilder();
    const rig = b.rig();
    const issue = b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - MIN });
    const current = crypto.randomUUID();
    const agent = b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: issue, current_dispatch_id: current, last_dispatch_at: NOW - MIN, last_heartbeat_at: NOW - SEC });
    const id = insertTownEvent(b.sql, { event_type: 'agent_completed', agent_id: agent, payload: { dispatch_id: crypto.randomUUID(), status: 'failed' } }, NOW - SEC);
    const { result } = core(b);
    expect(result.stats).toMatchObject({ events_drained: 1, events_failed: 0, events_stale: 1 });
    expect(result.events[0]).toMatchObject({ event_id: id, actions: [], warning: expect.stringContaining(current) });
    expect(eventRow(b, id)).toMatchObject({ retry_count: 0, processed_at: iso(NOW) });
    expect(b.view().agent(agent)).toMatchObject({ status: 'working', hooked_bead_id: issue });
    expect(b.view().bead(issue)?.status).toBe('in_progress');
  });
});

describe('rule actions: failures and compare-and-set misses', () => {
  it('an action that throws is rolled back alone and counted; the other actions apply', () => {
    const b = new TownBuilder();
    const rig = b.rig();
    // bead1 is ready (open, unassigned) yet hooked by a working polecat: dispatching it conflicts
    const bead1 = b.bead({ rig_id: rig, status: 'open' });
    const bead2 = b.bead({ rig_id: rig, status: 'open' });
    const holder = b.agent({ role: 'polecat', rig_id: rig, name: 'Birch', status: 'working', hook: bead1, last_dispatch_at: NOW - MIN, last_heartbeat_at: NOW - SEC });
    b.setColumns('beads', bead1, { assignee_agent_bead_id: null });

    const { result } = core(b);
    expect(result.rule_actions.filter((a) => a.type === 'dispatch_agent').map((a) => a.type === 'dispatch_agent' && a.bead_id)).toEqual([bead1, bead2]);
    expect(result.stats.actions_failed).toBe(1);
    expect(result.stats.actions_by_type).toEqual({ dispatch_agent: 1 });
    expect(result.alerts).toEqual([{ kind: 'action_failed', message: expect.stringMatching(/^dispatch_agent: Conflict: .*held by agent/) }]);
    // the failed dispatch left nothing behind: no agent, no attempt, no intent
    expect(b.view().bead(bead1)).toMatchObject({ status: 'open', dispatch_attempts: 0, last_dispatch_attempt_at: null });
    const agents = agentsOf(b);
    expect(agents.map((a) => a.name)).toEqual(['Birch', 'Toast']);
    const toast = agents[1]?.id ?? '';
    expect(b.view().bead(bead2)).toMatchObject({ status: 'in_progress', assignee_agent_id: toast, dispatch_attempts: 1 });
    expect(result.intents.map((i) => i.kind === 'dispatch' && [i.agent_id, i.bead_id])).toEqual([[toast, bead2]]);
    expect(b.view().agent(holder)?.hooked_bead_id).toBe(bead1);
  });

  it('a compare-and-set miss is skipped and counted as stale (A1 idles the agent before G3 tries working → stalled)', () => {
    const b = new TownBuilder();
    const rig = b.rig();
    const issue = b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - 3 * HOUR });
    const agent = b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: issue, last_dispatch_at: NOW - 3 * HOUR, last_heartbeat_at: NOW - 3 * HOUR });
    const { result } = core(b);
    const transitions = result.rule_actions.filter((a) => a.type === 'transition_agent');
    expect(transitions.map((a) => a.type === 'transition_agent' && `${a.from}→${a.to}`)).toEqual(['working→idle', 'working→stalled']);
    expect(result.stats.actions_stale).toBe(1);
    expect(result.stats.actions_failed).toBe(0);
    expect(result.stats.actions_by_type.transition_agent).toBe(1);
    expect(b.view().agent(agent)).toMatchObject({ status: 'idle', stalled_at: null });
  });

  it('a reconcile that throws leaves the drain committed and reports reconcile_failed', () => {
    const b = new TownBuilder();
    const rig = b.rig();
    b.sql.run(`UPDATE rigs SET config = 'not json' WHERE rig_id = ?`, rig);
    const id = failedNudge(b, NOW - SEC);
    const { result } = core(b);
    expect(result.rule_actions).toEqual([]);
    expect(result.alerts).toEqual([{ kind: 'reconcile_failed', message: expect.stringContaining('SyntaxError') }]);
    expect(eventRow(b, id).processed_at).toBe(iso(NOW));
  });
});

describe('dispatch_agent (reconciler.md §6)', () => {
  it('B1 with no polecat: creates Toast, hooks, bead in_progress, attempt counted, agent working with a fresh dispatch id, one intent', () => {
    const b = new TownBuilder();
    const rig = b.rig();
    const bead = b.bead({ rig_id: rig, status: 'open', dispatch_attempts: 1, last_dispatch_attempt_at: NOW - HOUR });
    const { result, ctx } = core(b);
    const [agent] = b.view().agents();
    if (agent === undefined) throw new Error('no agent created');
    expect(agent).toMatchObject({ role: 'polecat', name: 'Toast', rig_id: rig, status: 'working', hooked_bead_id: bead, last_dispatch_at: NOW, working_since: NOW, last_event_at: null, active_tools: [] });
    expect(agent.current_dispatch_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.view().bead(bead)).toMatchObject({ status: 'in_progress', assignee_agent_id: agent.id, dispatch_attempts: 2, last_dispatch_attempt_at: NOW, status_changed_at: NOW });
    const intent = { kind: 'dispatch', agent_id: agent.id, bead_id: bead, dispatch_id: agent.current_dispatch_id, role: 'polecat' };
    expect(result.intents).toEqual([intent]);
    expect(ctx.effects).toEqual([intent]);
    expect(result.stats.actions_by_type.dispatch_agent).toBe(1);
  });

  const names: Array<{ name: string; existing: Array<{ name: string; status: 'working' | 'dead' }>; expected: string }> = [
    { name: 'no polecat yet', existing: [], expected: 'Toast' },
    { name: 'Toast busy', existing: [{ name: 'Toast', status: 'working' }], expected: 'Maple' },
    { name: 'Toast dead, Maple busy', existing: [{ name: 'Toast', status: 'dead' }, { name: 'Maple', status: 'working' }], expected: 'Toast' },
    { name: 'Toast and Maple busy', existing: [{ name: 'Toast', status: 'working' }, { name: 'Maple', status: 'working' }], expected: 'Birch' },
  ];
  for (const c of names) {
    it(`a new polecat takes the first free name (${c.name} → ${c.expected})`, () => {
      const b = new TownBuilder();
      const rig = b.rig();
      for (const e of c.existing) {
        const hook = e.status === 'working' ? b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - MIN }) : null;
        b.agent({ role: 'polecat', rig_id: rig, name: e.name, status: e.status, hook, last_dispatch_at: NOW - MIN, last_heartbeat_at: NOW - SEC });
      }
      const bead = b.bead({ rig_id: rig, status: 'open' });
      const { result } = core(b);
      const intent = result.intents[0];
      expect(result.intents).toHaveLength(1);
      if (intent?.kind !== 'dispatch') throw new Error('expected a dispatch intent');
      expect(intent.bead_id).toBe(bead);
      expect(b.view().agent(intent.agent_id)?.name).toBe(c.expected);
    });
  }

  const reuse: Array<{ name: string; heartbeats: Array<number | null>; chosen: number }> = [
    { name: 'the oldest heartbeat among idle unhooked polecats', heartbeats: [NOW - 10 * MIN, NOW - HOUR, NOW - 30 * MIN], chosen: 1 },
    { name: 'one that never heartbeated before any that did', heartbeats: [NOW - HOUR, null], chosen: 1 },
  ];
  for (const c of reuse) {
    it(`reuses ${c.name}, with a new dispatch id`, () => {
      const b = new TownBuilder();
      const rig = b.rig();
      const polecats = c.heartbeats.map((hb) =>
        b.agent({ role: 'polecat', rig_id: rig, status: 'idle', last_heartbeat_at: hb, current_dispatch_id: crypto.randomUUID(), created_at: NOW - 2 * HOUR }),
      );
      const bead = b.bead({ rig_id: rig, status: 'open' });
      const before = b.view().agents();
      const { result } = core(b);
      const chosen = polecats[c.chosen] ?? '';
      expect(result.intents.map((i) => i.kind === 'dispatch' && i.agent_id)).toEqual([chosen]);
      const after = b.view().agent(chosen);
      expect(after).toMatchObject({ status: 'working', hooked_bead_id: bead });
      expect(after?.current_dispatch_id).not.toBe(before.find((a) => a.id === chosen)?.current_dispatch_id);
      expect(b.view().agents()).toHaveLength(polecats.length);
      for (const other of polecats.filter((p) => p !== chosen)) expect(b.view().agent(other)).toMatchObject({ status: 'idle', hooked_bead_id: null });
    });
  }

  it('B2: an idle polecat hooked to an open issue is dispatched with it', () => {
    const b = new TownBuilder();
    const rig = b.rig();
    const bead = b.bead({ rig_id: rig, status: 'open', dispatch_attempts: 1, last_dispatch_attempt_at: NOW - HOUR });
    const agent = b.agent({ role: 'polecat', rig_id: rig, status: 'idle', hook: bead, last_heartbeat_at: NOW - 10 * MIN });
    const { result } = core(b);
    expect(result.intents.map((i) => i.kind === 'dispatch' && [i.agent_id, i.bead_id])).toEqual([[agent, bead]]);
    expect(b.view().agent(agent)?.status).toBe('working');
    expect(b.view().bead(bead)).toMatchObject({ status: 'in_progress', dispatch_attempts: 2 });
  });

  it('R5: the refinery is created for an open MR, which is already in_progress when dispatched', () => {
    const b = new TownBuilder();
    const rig = b.rig();
    const mr = b.mergeRequest({ rig_id: rig, status: 'open' });
    const { result } = core(b);
    const [refinery] = b.view().agents();
    expect(refinery).toMatchObject({ role: 'refinery', name: 'refinery', status: 'working', hooked_bead_id: mr });
    expect(b.view().bead(mr)).toMatchObject({ status: 'in_progress', dispatch_attempts: 1, assignee_agent_id: refinery?.id });
    expect(result.intents).toEqual([{ kind: 'dispatch', agent_id: refinery?.id, bead_id: mr, dispatch_id: refinery?.current_dispatch_id, role: 'refinery' }]);
  });

  it('no polecat capacity when applied → deferred: nothing created, nothing hooked, no intent', () => {
    const b = new TownBuilder();
    const rig = b.rig({ config: { max_polecats_per_rig: 1 } });
    const busy = b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - MIN });
    b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: busy, last_heartbeat_at: NOW - SEC });
    const bead = b.bead({ rig_id: rig, status: 'open' });
    const ctx = b.ctx(NOW);
    const outcome = b.sql.transaction(() => applyAction(ctx, b.view(), { type: 'dispatch_agent', bead_id: bead, agent_id: null, role: 'polecat' }));
    expect(outcome).toBe('deferred');
    expect(ctx.effects).toEqual([]);
    expect(b.view().agents()).toHaveLength(1);
    expect(b.view().bead(bead)).toMatchObject({ status: 'open', assignee_agent_id: null, dispatch_attempts: 0 });
    // and B1 does not even emit it: capacity is tracked by the rule
    expect(core(b).result.rule_actions.filter((a) => a.type === 'dispatch_agent')).toEqual([]);
  });

  const stale: Array<{ name: string; seed: (b: TownBuilder, rig: string) => { bead: string; agent: string | null } }> = [
    {
      name: 'a named agent that is not idle',
      seed: (b, rig) => {
        const other = b.bead({ rig_id: rig, status: 'in_progress' });
        return { bead: b.bead({ rig_id: rig, status: 'open' }), agent: b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: other }) };
      },
    },
    { name: 'an issue no longer open', seed: (b, rig) => ({ bead: b.bead({ rig_id: rig, status: 'in_progress' }), agent: null }) },
    { name: 'an MR not yet in_progress', seed: (b, rig) => ({ bead: b.mergeRequest({ rig_id: rig, status: 'open' }), agent: null }) },
    { name: 'a missing bead', seed: () => ({ bead: crypto.randomUUID(), agent: null }) },
  ];
  for (const c of stale) {
    it(`${c.name} → stale, nothing written`, () => {
      const b = new TownBuilder();
      const rig = b.rig();
      const { bead, agent } = c.seed(b, rig);
      const role = b.view().bead(bead)?.type === 'merge_request' ? 'refinery' : 'polecat';
      const before = agentsOf(b);
      const ctx = b.ctx(NOW);
      expect(b.sql.transaction(() => applyAction(ctx, b.view(), { type: 'dispatch_agent', bead_id: bead, agent_id: agent, role }))).toBe('stale');
      expect(ctx.effects).toEqual([]);
      expect(agentsOf(b)).toEqual(before);
    });
  }
});
