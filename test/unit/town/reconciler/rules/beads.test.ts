/**
 * Rule group 5.2 (`breakerOpen`, `breakerActions`, `beadRules`): the B0 breaker and its
 * window, B1 dispatch with cap, backoff table and per-tick capacity, B2 hooked re-dispatch, B3
 * stale `in_progress` (deferring to A4), B4 the `in_review` safety net, B5 stray assignees.
 */
import { describe, expect, it } from 'vitest';
import { beadRules, breakerActions, breakerOpen } from '../../../../../src/town/reconciler/rules/beads.ts';
import { agentRules } from '../../../../../src/town/reconciler/rules/agents.ts';
import { TownBuilder } from '../town-builder.ts';
import { HOUR, MIN, NOW, ofType, ruleCtx, SEC, T, types } from './rule-ctx.ts';

function town(rigConfig: Record<string, unknown> = {}): { b: TownBuilder; rig: string } {
  const b = new TownBuilder();
  return { b, rig: b.rig({ config: rigConfig }) };
}

describe('B0: circuit breaker', () => {
  function seedRetried(b: TownBuilder, n: number, at: number, attempts = 2, status: 'open' | 'in_progress' | 'failed' = 'open'): void {
    for (let i = 0; i < n; i++) b.bead({ status, dispatch_attempts: attempts, last_dispatch_attempt_at: at });
  }
  const window = T.BREAKER_WINDOW_MS;
  const cases: Array<{ name: string; seed: (b: TownBuilder) => void; open: boolean }> = [
    { name: '20 beads with 2 attempts, the last exactly 30 min ago', seed: (b) => seedRetried(b, 20, NOW - window), open: true },
    { name: '19 such beads', seed: (b) => seedRetried(b, 19, NOW - window), open: false },
    { name: '19 in the window and 1 attempted 30 min + 1 ms ago', seed: (b) => (seedRetried(b, 19, NOW - window), seedRetried(b, 1, NOW - window - 1)), open: false },
    { name: '19 with 2 attempts and 1 with a single attempt', seed: (b) => (seedRetried(b, 19, NOW - MIN), seedRetried(b, 1, NOW - MIN, 1)), open: false },
    { name: '19 live and 1 terminal', seed: (b) => (seedRetried(b, 19, NOW - MIN, 3, 'in_progress'), seedRetried(b, 1, NOW - MIN, 3, 'failed')), open: false },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.open ? 'open' : 'closed'}`, () => {
      const b = new TownBuilder();
      c.seed(b);
      expect(breakerOpen(b.view(), NOW, T)).toBe(c.open);
      const actions = breakerActions(b.view(), NOW, T);
      if (c.open) expect(actions).toMatchObject([{ type: 'escalate', category: 'circuit_breaker', severity: 'high', parent_bead_id: null }]);
      else expect(actions).toEqual([]);
    });
  }
});

describe('B1: ready issues', () => {
  it('dispatches a fresh ready issue with a lazily chosen polecat', () => {
    const { b, rig } = town();
    const bead = b.bead({ rig_id: rig });
    expect(beadRules(ruleCtx(b))).toEqual([{ type: 'dispatch_agent', bead_id: bead, agent_id: null, role: 'polecat' }]);
  });

  it('capacity is tracked within the call: two ready beads, capacity 1 → one dispatch, of the first in order', () => {
    const { b, rig } = town({ max_polecats_per_rig: 1 });
    b.bead({ rig_id: rig, priority: 'low' });
    const high = b.bead({ rig_id: rig, priority: 'high' });
    expect(beadRules(ruleCtx(b))).toEqual([{ type: 'dispatch_agent', bead_id: high, agent_id: null, role: 'polecat' }]);
  });

  const busy: Array<{ name: string; seed: (b: TownBuilder, rig: string, other: string) => void; dispatches: number }> = [
    { name: 'no polecats', seed: () => {}, dispatches: 2 },
    { name: 'one working polecat', seed: (b, rig) => void b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: b.bead({ rig_id: rig, status: 'in_progress' }) }), dispatches: 1 },
    { name: 'one idle polecat holding a hook', seed: (b, rig) => void b.agent({ role: 'polecat', rig_id: rig, status: 'idle', hook: b.bead({ rig_id: rig, status: 'in_review' }) }), dispatches: 1 },
    { name: 'one stalled unhooked polecat', seed: (b, rig) => void b.agent({ role: 'polecat', rig_id: rig, status: 'stalled' }), dispatches: 1 },
    { name: 'one idle unhooked polecat (reusable)', seed: (b, rig) => void b.agent({ role: 'polecat', rig_id: rig, status: 'idle' }), dispatches: 2 },
    { name: 'one dead polecat', seed: (b, rig) => void b.agent({ role: 'polecat', rig_id: rig, status: 'dead' }), dispatches: 2 },
    { name: 'a working refinery', seed: (b, rig) => void b.agent({ role: 'refinery', rig_id: rig, status: 'working' }), dispatches: 2 },
    { name: 'a working polecat of another rig', seed: (b, _rig, other) => void b.agent({ role: 'polecat', rig_id: other, status: 'working' }), dispatches: 2 },
    { name: 'two working polecats', seed: (b, rig) => (b.agent({ role: 'polecat', rig_id: rig, status: 'working' }), void b.agent({ role: 'polecat', rig_id: rig, status: 'working' })), dispatches: 0 },
  ];
  for (const c of busy) {
    it(`max 2 polecats, 3 ready beads, ${c.name} → ${c.dispatches} dispatch(es)`, () => {
      const { b, rig } = town({ max_polecats_per_rig: 2 });
      const other = b.rig();
      c.seed(b, rig, other);
      for (let i = 0; i < 3; i++) b.bead({ rig_id: rig });
      expect(ofType(beadRules(ruleCtx(b)), 'dispatch_agent')).toHaveLength(c.dispatches);
    });
  }

  it('counts capacity per rig', () => {
    const b = new TownBuilder();
    const r1 = b.rig({ config: { max_polecats_per_rig: 1 } });
    const r2 = b.rig({ config: { max_polecats_per_rig: 1 } });
    const a1 = b.bead({ rig_id: r1 });
    b.bead({ rig_id: r1 });
    const a2 = b.bead({ rig_id: r2 });
    b.bead({ rig_id: null });
    // rigs created in the same ms are ordered by their random ids: compare as a set
    expect(ofType(beadRules(ruleCtx(b)), 'dispatch_agent').map((a) => a.bead_id).sort()).toEqual([a1, a2].sort());
  });

  // DISPATCH_BACKOFF_MS: after attempt 1: 30 s, 2: 1 min, 3: 2 min, 4: 5 min, ≥ 5: 10 min
  const backoff: Array<[attempts: number, ms: number]> = [
    [1, 30 * SEC],
    [2, 1 * MIN],
    [3, 2 * MIN],
    [4, 5 * MIN],
    [5, 10 * MIN],
    [7, 10 * MIN],
  ];
  for (const [attempts, ms] of backoff) {
    for (const [offset, dispatched] of [
      [-1, false],
      [0, true],
    ] as const) {
      it(`after ${attempts} attempt(s), last ${ms + offset} ms ago → ${dispatched ? 'dispatched' : 'waits'}`, () => {
        const { b, rig } = town({ max_dispatch_attempts: 10 });
        b.bead({ rig_id: rig, dispatch_attempts: attempts, last_dispatch_attempt_at: NOW - ms - offset });
        expect(ofType(beadRules(ruleCtx(b)), 'dispatch_agent')).toHaveLength(dispatched ? 1 : 0);
      });
    }
  }

  it('a bead in backoff does not hold the rig\'s capacity from the ones behind it', () => {
    const { b, rig } = town({ max_polecats_per_rig: 1 });
    b.bead({ rig_id: rig, priority: 'critical', dispatch_attempts: 1, last_dispatch_attempt_at: NOW - SEC });
    b.bead({ rig_id: rig, priority: 'high', dispatch_attempts: 1, last_dispatch_attempt_at: NOW - SEC });
    const fresh = b.bead({ rig_id: rig, priority: 'low' });
    expect(beadRules(ruleCtx(b))).toEqual([{ type: 'dispatch_agent', bead_id: fresh, agent_id: null, role: 'polecat' }]);
  });

  it('at the cap → failed (dispatch_exhausted) + medium escalation, without using capacity', () => {
    const { b, rig } = town({ max_polecats_per_rig: 1 });
    const spent = b.bead({ rig_id: rig, priority: 'high', dispatch_attempts: 5, last_dispatch_attempt_at: NOW - HOUR });
    const next = b.bead({ rig_id: rig });
    expect(beadRules(ruleCtx(b))).toEqual([
      { type: 'transition_bead', bead_id: spent, from: 'open', to: 'failed', reason: { code: 'dispatch_exhausted', message: expect.any(String) } },
      { type: 'escalate', category: 'dispatch_exhausted', severity: 'medium', parent_bead_id: spent, title: expect.any(String), body: expect.any(String) },
      { type: 'dispatch_agent', bead_id: next, agent_id: null, role: 'polecat' },
    ]);
  });

  it('the cap is the rig\'s effective max_dispatch_attempts: 2 fails at 2, dispatches at 1', () => {
    const { b, rig } = town({ max_dispatch_attempts: 2 });
    const at = b.bead({ rig_id: rig, dispatch_attempts: 2, last_dispatch_attempt_at: NOW - HOUR });
    const under = b.bead({ rig_id: rig, dispatch_attempts: 1, last_dispatch_attempt_at: NOW - HOUR });
    const actions = beadRules(ruleCtx(b));
    expect(ofType(actions, 'transition_bead').map((a) => a.bead_id)).toEqual([at]);
    expect(ofType(actions, 'dispatch_agent').map((a) => a.bead_id)).toEqual([under]);
  });

  it('is off while draining; under an open breaker it emits no dispatch but still fails beads at the cap', () => {
    const { b, rig } = town();
    const spent = b.bead({ rig_id: rig, dispatch_attempts: 5, last_dispatch_attempt_at: NOW - HOUR });
    b.bead({ rig_id: rig });
    expect(beadRules(ruleCtx(b, { draining: true }))).toEqual([]);
    const actions = beadRules(ruleCtx(b, { breakerOpen: true }));
    expect(types(actions)).toEqual(['transition_bead', 'escalate']);
    expect(ofType(actions, 'transition_bead')[0]?.bead_id).toBe(spent);
  });
});

describe('B2: idle polecat hooked to an open issue', () => {
  function hooked(attempts: number, lastAt: number | null, rigConfig: Record<string, unknown> = {}): { b: TownBuilder; bead: string; agent: string } {
    const { b, rig } = town(rigConfig);
    const bead = b.bead({ rig_id: rig, status: 'open', dispatch_attempts: attempts, last_dispatch_attempt_at: lastAt });
    const agent = b.agent({ role: 'polecat', rig_id: rig, status: 'idle', hook: bead });
    return { b, bead, agent };
  }

  it('re-dispatches with that agent once the backoff has elapsed (30 s after attempt 1), not 1 ms before', () => {
    const ready = hooked(1, NOW - 30 * SEC);
    expect(beadRules(ruleCtx(ready.b))).toEqual([{ type: 'dispatch_agent', bead_id: ready.bead, agent_id: ready.agent, role: 'polecat' }]);
    const early = hooked(1, NOW - 30 * SEC + 1);
    expect(beadRules(ruleCtx(early.b))).toEqual([]);
  });

  it('needs no free capacity: the hooked polecat is already counted', () => {
    const { b, bead, agent } = hooked(0, null, { max_polecats_per_rig: 1 });
    expect(beadRules(ruleCtx(b))).toEqual([{ type: 'dispatch_agent', bead_id: bead, agent_id: agent, role: 'polecat' }]);
  });

  it('at the cap → failed + escalation, and the polecat lets go', () => {
    const { b, bead, agent } = hooked(3, NOW - HOUR, { max_dispatch_attempts: 3 });
    expect(beadRules(ruleCtx(b))).toEqual([
      { type: 'transition_bead', bead_id: bead, from: 'open', to: 'failed', reason: { code: 'dispatch_exhausted', message: expect.any(String) } },
      expect.objectContaining({ type: 'escalate', category: 'dispatch_exhausted', severity: 'medium', parent_bead_id: bead }),
      { type: 'unhook', agent_id: agent, reason: 'dispatch_exhausted' },
      { type: 'clear_checkpoint', agent_id: agent },
    ]);
  });

  it('is off while draining and emits no dispatch under an open breaker', () => {
    const { b } = hooked(1, NOW - HOUR);
    expect(beadRules(ruleCtx(b, { draining: true }))).toEqual([]);
    expect(beadRules(ruleCtx(b, { breakerOpen: true }))).toEqual([]);
  });

  it('ignores a working polecat and a polecat hooked to an in_progress issue', () => {
    const { b, rig } = town();
    b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: b.bead({ rig_id: rig, status: 'open' }), last_heartbeat_at: NOW });
    b.agent({ role: 'polecat', rig_id: rig, status: 'idle', hook: b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW }), last_heartbeat_at: NOW });
    expect(ofType(beadRules(ruleCtx(b)), 'dispatch_agent')).toEqual([]);
  });
});

describe('B3: stale in_progress issue', () => {
  const stale = T.STALE_IN_PROGRESS_MS;

  it('reopens an issue with no holder at exactly 5 min, not 1 ms before', () => {
    const { b, rig } = town();
    const bead = b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - stale, dispatch_attempts: 1 });
    b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - stale + 1, dispatch_attempts: 1 });
    expect(beadRules(ruleCtx(b))).toEqual([
      { type: 'transition_bead', bead_id: bead, from: 'in_progress', to: 'open', reason: { code: 'stale_in_progress', message: expect.any(String) } },
    ]);
  });

  it('fails it at the cap', () => {
    const { b, rig } = town();
    b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - HOUR, dispatch_attempts: 5 });
    expect(types(beadRules(ruleCtx(b)))).toEqual(['transition_bead', 'escalate']);
  });

  const holders: Array<{ name: string; status: 'working' | 'stalled' | 'idle'; hb: number | null; releases: boolean }> = [
    { name: 'a working holder with a stale heartbeat', status: 'working', hb: NOW - HOUR, releases: false },
    { name: 'a stalled holder', status: 'stalled', hb: NOW - HOUR, releases: false },
    { name: 'an idle holder heartbeated 89 999 ms ago', status: 'idle', hb: NOW - 89_999, releases: false },
    { name: 'an idle holder heartbeated 90 001 ms ago', status: 'idle', hb: NOW - 90_001, releases: true },
    { name: 'an idle holder that never heartbeated', status: 'idle', hb: null, releases: true },
  ];
  for (const c of holders) {
    it(`while draining (A4 off), ${c.name} → ${c.releases ? 'released + unhooked' : 'kept'}`, () => {
      const { b, rig } = town();
      const bead = b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - HOUR, dispatch_attempts: 1 });
      const agent = b.agent({ role: 'polecat', rig_id: rig, status: c.status, hook: bead, last_heartbeat_at: c.hb, last_dispatch_at: NOW - 2 * HOUR });
      const expected = c.releases
        ? [
            { type: 'transition_bead', bead_id: bead, from: 'in_progress', to: 'open', reason: { code: 'stale_in_progress', message: expect.any(String) } },
            { type: 'unhook', agent_id: agent, reason: 'stale_in_progress' },
          ]
        : [];
      expect(beadRules(ruleCtx(b, { draining: true }))).toEqual(expected);
    });
  }

  it('outside a drain leaves an idle stale holder\'s bead to A4, so it is released once', () => {
    const { b, rig } = town();
    const bead = b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - HOUR, dispatch_attempts: 1 });
    b.agent({ role: 'polecat', rig_id: rig, status: 'idle', hook: bead, last_heartbeat_at: NOW - HOUR });
    expect(beadRules(ruleCtx(b))).toEqual([]);
    expect(ofType(agentRules(ruleCtx(b)), 'transition_bead')).toHaveLength(1);
  });
});

describe('B4: in_review safety net', () => {
  const net = T.IN_REVIEW_SAFETY_NET_MS;
  const cases: Array<{ name: string; mrs: Array<'open' | 'in_progress' | 'closed' | 'failed'>; age: number; to: 'open' | 'closed' | null }> = [
    { name: 'no MR, 1 ms short of 5 min', mrs: [], age: net - 1, to: null },
    { name: 'no MR, exactly 5 min', mrs: [], age: net, to: 'open' },
    { name: 'only failed MRs', mrs: ['failed', 'failed'], age: net, to: 'open' },
    { name: 'a failed and a merged MR', mrs: ['failed', 'closed'], age: net, to: 'closed' },
    { name: 'a merged MR, 1 ms short', mrs: ['closed'], age: net - 1, to: null },
    { name: 'a live open MR', mrs: ['failed', 'open'], age: HOUR, to: null },
    { name: 'a live in_progress MR', mrs: ['in_progress'], age: HOUR, to: null },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.to ?? 'kept'}`, () => {
      const { b, rig } = town();
      const issue = b.bead({ rig_id: rig, status: 'in_review', status_changed_at: NOW - c.age });
      for (const status of c.mrs) b.mergeRequest({ rig_id: rig, status, source: issue, status_changed_at: NOW });
      const actions = beadRules(ruleCtx(b));
      if (c.to === null) expect(actions).toEqual([]);
      else expect(actions).toMatchObject([{ type: 'transition_bead', bead_id: issue, from: 'in_review', to: c.to }]);
    });
  }
});

describe('B5: open issue whose assignee holds no hook on it', () => {
  it('clears the assignee when it is unhooked, hooked elsewhere, dead or missing; keeps a holding one', () => {
    const { b, rig } = town();
    const unhooked = b.agent({ role: 'polecat', rig_id: rig, status: 'working' });
    const elsewhere = b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW }), last_heartbeat_at: NOW });
    const dead = b.agent({ role: 'polecat', rig_id: rig, status: 'dead' });
    const stray = [unhooked, elsewhere, dead, crypto.randomUUID()].map((agent) => b.bead({ rig_id: rig, assignee_agent_id: agent }));
    // a hooked idle holder (B2 would dispatch it; dispatch is drained off here to isolate B5)
    const held = b.bead({ rig_id: rig });
    b.agent({ role: 'polecat', rig_id: rig, status: 'idle', hook: held });
    // an in_progress issue is not B5's
    b.bead({ rig_id: rig, status: 'in_progress', assignee_agent_id: unhooked, status_changed_at: NOW });
    expect(beadRules(ruleCtx(b, { draining: true }))).toEqual(stray.map((bead_id) => ({ type: 'clear_assignee', bead_id })));
  });
});
