/**
 * Rule group 5.1 (`agentRules`): A1 stale heartbeat with its cold-start grace, A2 hookless
 * polecat, A3 stalled release, A4 idle hook holders (the seed's hook-leak fix: a fresh idle
 * holder keeps its hook), A5 the mayor; each on both sides of its threshold, and the drain gate.
 */
import { describe, expect, it } from 'vitest';
import { agentRules } from '../../../../../src/town/reconciler/rules/agents.ts';
import { TownBuilder } from '../town-builder.ts';
import { HOUR, NOW, ofType, ruleCtx, T, types } from './rule-ctx.ts';

function town(rigConfig: Record<string, unknown> = {}): { b: TownBuilder; rig: string } {
  const b = new TownBuilder();
  return { b, rig: b.rig({ config: rigConfig }) };
}

describe('A1: working agent with stale liveness → idle, hook kept', () => {
  const cases: Array<{ name: string; hb: number | null; dispatch: number | null; stale: boolean }> = [
    { name: 'heartbeat exactly 90 s ago', hb: NOW - 90_000, dispatch: NOW - 600_000, stale: false },
    { name: 'heartbeat 90 001 ms ago', hb: NOW - 90_001, dispatch: NOW - 600_000, stale: true },
    { name: 'heartbeat 89 999 ms ago', hb: NOW - 89_999, dispatch: NOW - 600_000, stale: false },
    { name: 'no heartbeat, dispatched exactly 180 s ago (cold start)', hb: null, dispatch: NOW - 180_000, stale: false },
    { name: 'no heartbeat, dispatched 180 001 ms ago', hb: null, dispatch: NOW - 180_001, stale: true },
    { name: 'heartbeat only before the dispatch, dispatched 179 999 ms ago', hb: NOW - 500_000, dispatch: NOW - 179_999, stale: false },
    { name: 'heartbeat only before the dispatch, dispatched 180 001 ms ago', hb: NOW - 500_000, dispatch: NOW - 180_001, stale: true },
    { name: 'heartbeat after a recent dispatch goes stale at 90 s', hb: NOW - 90_001, dispatch: NOW - 100_000, stale: true },
  ];
  for (const role of ['polecat', 'refinery'] as const) {
    for (const c of cases) {
      it(`${role}: ${c.name} → ${c.stale ? 'idle' : 'left alone'}`, () => {
        const { b, rig } = town();
        const bead = b.bead({ type: role === 'polecat' ? 'issue' : 'merge_request', rig_id: rig, status: 'in_progress' });
        const agent = b.agent({ role, rig_id: rig, status: 'working', hook: bead, last_heartbeat_at: c.hb, last_dispatch_at: c.dispatch });
        const actions = agentRules(ruleCtx(b));
        if (!c.stale) expect(actions).toEqual([]);
        else {
          expect(actions).toEqual([
            { type: 'transition_agent', agent_id: agent, from: 'working', to: 'idle', reason: { code: 'heartbeat_stale', message: expect.any(String) } },
          ]);
        }
      });
    }
  }

  it('does not unhook (A4/B3/R6 recover the bead later)', () => {
    const { b, rig } = town();
    const bead = b.bead({ rig_id: rig, status: 'in_progress' });
    b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: bead, last_heartbeat_at: NOW - HOUR, last_dispatch_at: NOW - 2 * HOUR });
    const actions = agentRules(ruleCtx(b));
    expect(types(actions)).toEqual(['transition_agent']);
  });

  it('is off while the container drains', () => {
    const { b, rig } = town();
    const bead = b.bead({ rig_id: rig, status: 'in_progress' });
    b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: bead, last_heartbeat_at: NOW - HOUR, last_dispatch_at: NOW - 2 * HOUR });
    expect(agentRules(ruleCtx(b, { draining: true }))).toEqual([]);
  });

  it('seed fix: a phantom dispatch failure leaves the agent working; A1 only idles it once stale, keeping the hook', () => {
    const { b, rig } = town();
    const bead = b.bead({ rig_id: rig, status: 'in_progress' });
    // dispatch_result failed, but the session is alive and heartbeating
    b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: bead, last_dispatch_at: NOW - 120_000, last_heartbeat_at: NOW - 20_000 });
    expect(agentRules(ruleCtx(b))).toEqual([]);
    const later = agentRules(ruleCtx(b, { now: NOW + 70_001 }));
    expect(types(later)).toEqual(['transition_agent']);
    expect(ofType(later, 'unhook')).toEqual([]);
  });
});

describe('A2: working polecat without a hook → stop + idle', () => {
  it('stops and idles a hookless working polecat even with a fresh heartbeat, also while draining', () => {
    for (const draining of [false, true]) {
      const { b, rig } = town();
      const agent = b.agent({ role: 'polecat', rig_id: rig, status: 'working', last_heartbeat_at: NOW - 1000, last_dispatch_at: NOW - 60_000 });
      expect(agentRules(ruleCtx(b, { draining }))).toEqual([
        { type: 'stop_agent', agent_id: agent, reason: 'working_without_hook' },
        { type: 'transition_agent', agent_id: agent, from: 'working', to: 'idle', reason: { code: 'no_hook', message: expect.any(String) } },
      ]);
    }
  });

  it('emits one idle transition (not A1 as well) for a stale hookless polecat', () => {
    const { b, rig } = town();
    b.agent({ role: 'polecat', rig_id: rig, status: 'working', last_heartbeat_at: NOW - HOUR, last_dispatch_at: NOW - HOUR });
    expect(types(agentRules(ruleCtx(b)))).toEqual(['stop_agent', 'transition_agent']);
  });

  it('lets a refinery unhooked by request-changes run on (I2)', () => {
    const { b, rig } = town();
    b.agent({ role: 'refinery', rig_id: rig, status: 'working', last_heartbeat_at: NOW - 1000, last_dispatch_at: NOW - 60_000 });
    expect(agentRules(ruleCtx(b))).toEqual([]);
  });
});

describe('A3: stalled release after STALLED_RELEASE_MS', () => {
  const release = T.STALLED_RELEASE_MS;

  it('holds a stalled agent 1 ms short of the release', () => {
    const { b, rig } = town();
    const bead = b.bead({ rig_id: rig, status: 'in_progress', dispatch_attempts: 1 });
    b.agent({ role: 'polecat', rig_id: rig, status: 'stalled', hook: bead, stalled_at: NOW - release + 1 });
    expect(agentRules(ruleCtx(b))).toEqual([]);
  });

  it('releases at exactly 2.5 h: bead reopened, then unhook, agent idle', () => {
    const { b, rig } = town();
    const bead = b.bead({ rig_id: rig, status: 'in_progress', dispatch_attempts: 1 });
    const agent = b.agent({ role: 'polecat', rig_id: rig, status: 'stalled', hook: bead, stalled_at: NOW - release });
    const reason = { code: 'stalled_release', message: expect.any(String) };
    expect(agentRules(ruleCtx(b))).toEqual([
      { type: 'transition_agent', agent_id: agent, from: 'stalled', to: 'idle', reason },
      { type: 'transition_bead', bead_id: bead, from: 'in_progress', to: 'open', reason },
      { type: 'unhook', agent_id: agent, reason: 'stalled_release' },
    ]);
  });

  it('fails the bead at the rig cap (with its escalation) instead of reopening it', () => {
    const { b, rig } = town({ max_dispatch_attempts: 2 });
    const bead = b.bead({ rig_id: rig, status: 'in_progress', dispatch_attempts: 2 });
    b.agent({ role: 'polecat', rig_id: rig, status: 'stalled', hook: bead, stalled_at: NOW - release });
    const actions = agentRules(ruleCtx(b));
    expect(ofType(actions, 'transition_bead')).toEqual([
      { type: 'transition_bead', bead_id: bead, from: 'in_progress', to: 'failed', reason: { code: 'dispatch_exhausted', message: expect.any(String) } },
    ]);
    expect(ofType(actions, 'escalate')).toMatchObject([{ category: 'dispatch_exhausted', severity: 'medium', parent_bead_id: bead }]);
    expect(types(actions)).toEqual(['transition_agent', 'transition_bead', 'escalate', 'unhook']);
  });

  it('one attempt under the cap still reopens', () => {
    const { b, rig } = town({ max_dispatch_attempts: 2 });
    const bead = b.bead({ rig_id: rig, status: 'in_progress', dispatch_attempts: 1 });
    b.agent({ role: 'polecat', rig_id: rig, status: 'stalled', hook: bead, stalled_at: NOW - release });
    expect(ofType(agentRules(ruleCtx(b)), 'transition_bead')).toMatchObject([{ to: 'open' }]);
  });

  it('a stalled refinery with an in_progress MR re-queues the MR; releases also while draining', () => {
    const { b, rig } = town();
    const mr = b.mergeRequest({ rig_id: rig, status: 'in_progress', dispatch_attempts: 1 });
    b.agent({ role: 'refinery', rig_id: rig, status: 'stalled', hook: mr, stalled_at: NOW - release });
    expect(types(agentRules(ruleCtx(b, { draining: true })))).toEqual(['transition_agent', 'transition_bead', 'unhook']);
  });

  it('a stalled agent without a hook just goes idle', () => {
    const { b, rig } = town();
    const agent = b.agent({ role: 'polecat', rig_id: rig, status: 'stalled', stalled_at: NOW - release });
    expect(agentRules(ruleCtx(b))).toMatchObject([{ type: 'transition_agent', agent_id: agent, from: 'stalled', to: 'idle' }]);
  });
});

describe('A4: idle agent holding a hook', () => {
  it('unhooks and clears the checkpoint when the bead is terminal or missing', () => {
    for (const status of ['closed', 'failed'] as const) {
      const { b, rig } = town();
      const bead = b.bead({ rig_id: rig, status });
      const agent = b.agent({ role: 'polecat', rig_id: rig, status: 'idle', hook: bead, last_heartbeat_at: NOW - 1000 });
      expect(agentRules(ruleCtx(b))).toEqual([
        { type: 'unhook', agent_id: agent, reason: 'bead_terminal' },
        { type: 'clear_checkpoint', agent_id: agent },
      ]);
    }
    const { b, rig } = town();
    const refinery = b.agent({ role: 'refinery', rig_id: rig, status: 'idle', hook: crypto.randomUUID() });
    expect(agentRules(ruleCtx(b))).toEqual([
      { type: 'unhook', agent_id: refinery, reason: 'bead_missing' },
      { type: 'clear_checkpoint', agent_id: refinery },
    ]);
  });

  const liveness: Array<{ name: string; hb: number | null; dispatch: number | null; release: boolean }> = [
    { name: 'heartbeat 89 999 ms ago (seed fix: live session, hook kept)', hb: NOW - 89_999, dispatch: NOW - HOUR, release: false },
    { name: 'heartbeat exactly 90 s ago', hb: NOW - 90_000, dispatch: NOW - HOUR, release: true },
    { name: 'heartbeat 90 001 ms ago', hb: NOW - 90_001, dispatch: NOW - HOUR, release: true },
    { name: 'no heartbeat, dispatched 89 999 ms ago', hb: null, dispatch: NOW - 89_999, release: false },
    { name: 'no heartbeat, dispatched 90 001 ms ago', hb: null, dispatch: NOW - 90_001, release: true },
  ];
  for (const c of liveness) {
    it(`polecat on an in_progress issue, ${c.name} → ${c.release ? 'released' : 'left alone'}`, () => {
      const { b, rig } = town();
      const bead = b.bead({ rig_id: rig, status: 'in_progress', dispatch_attempts: 1 });
      const agent = b.agent({ role: 'polecat', rig_id: rig, status: 'idle', hook: bead, last_heartbeat_at: c.hb, last_dispatch_at: c.dispatch });
      const actions = agentRules(ruleCtx(b));
      if (!c.release) expect(actions).toEqual([]);
      else {
        expect(actions).toEqual([
          { type: 'transition_bead', bead_id: bead, from: 'in_progress', to: 'open', reason: { code: 'agent_lost', message: expect.any(String) } },
          { type: 'unhook', agent_id: agent, reason: 'agent_lost' },
        ]);
      }
    });
  }

  it('fails the issue at the cap (default 5) instead of reopening it', () => {
    const { b, rig } = town();
    const bead = b.bead({ rig_id: rig, status: 'in_progress', dispatch_attempts: 5 });
    b.agent({ role: 'polecat', rig_id: rig, status: 'idle', hook: bead, last_heartbeat_at: NOW - HOUR });
    const actions = agentRules(ruleCtx(b));
    expect(types(actions)).toEqual(['transition_bead', 'escalate', 'unhook']);
    expect(ofType(actions, 'transition_bead')[0]).toMatchObject({ from: 'in_progress', to: 'failed' });
  });

  it('leaves a refinery on an in_progress MR (R6) and a polecat on an open issue (B2) alone', () => {
    const { b, rig } = town();
    const mr = b.mergeRequest({ rig_id: rig, status: 'in_progress' });
    b.agent({ role: 'refinery', rig_id: rig, status: 'idle', hook: mr, last_heartbeat_at: NOW - HOUR });
    const issue = b.bead({ rig_id: rig, status: 'open' });
    b.agent({ role: 'polecat', rig_id: rig, status: 'idle', hook: issue, last_heartbeat_at: NOW - HOUR });
    expect(agentRules(ruleCtx(b))).toEqual([]);
  });

  it('is off while the container drains', () => {
    const { b, rig } = town();
    const done = b.bead({ rig_id: rig, status: 'closed' });
    b.agent({ role: 'polecat', rig_id: rig, status: 'idle', hook: done });
    const live = b.bead({ rig_id: rig, status: 'in_progress' });
    b.agent({ role: 'polecat', rig_id: rig, status: 'idle', hook: live, last_heartbeat_at: NOW - HOUR });
    expect(agentRules(ruleCtx(b, { draining: true }))).toEqual([]);
  });
});

describe('A5: the mayor', () => {
  const cases: Array<{ status: 'working' | 'waiting'; hb: number | null; dispatch: number; idle: boolean }> = [
    { status: 'working', hb: NOW - 90_000, dispatch: NOW - HOUR, idle: false },
    { status: 'working', hb: NOW - 90_001, dispatch: NOW - HOUR, idle: true },
    { status: 'waiting', hb: NOW - 90_000, dispatch: NOW - HOUR, idle: false },
    { status: 'waiting', hb: NOW - 90_001, dispatch: NOW - HOUR, idle: true },
    { status: 'working', hb: null, dispatch: NOW - 180_000, idle: false },
    { status: 'working', hb: null, dispatch: NOW - 180_001, idle: true },
  ];
  for (const c of cases) {
    it(`${c.status}, heartbeat ${c.hb === null ? 'never' : `${NOW - c.hb} ms ago`}, dispatched ${NOW - c.dispatch} ms ago → ${c.idle ? 'idle' : 'kept'}`, () => {
      const b = new TownBuilder();
      const mayor = b.agent({ role: 'mayor', status: c.status, last_heartbeat_at: c.hb, last_dispatch_at: c.dispatch });
      const expected = c.idle ? [{ type: 'transition_agent', agent_id: mayor, from: c.status, to: 'idle', reason: { code: 'heartbeat_stale', message: expect.any(String) } }] : [];
      expect(agentRules(ruleCtx(b))).toEqual(expected);
    });
  }

  it('still runs while draining, and the mayor is never subject to A2 or A4', () => {
    const b = new TownBuilder();
    b.agent({ role: 'mayor', status: 'working', last_heartbeat_at: NOW - HOUR, last_dispatch_at: NOW - HOUR });
    expect(types(agentRules(ruleCtx(b, { draining: true })))).toEqual(['transition_agent']);
    const fresh = new TownBuilder();
    fresh.agent({ role: 'mayor', status: 'working', last_heartbeat_at: NOW - 1000, last_dispatch_at: NOW - HOUR });
    fresh.agent({ role: 'mayor', status: 'idle', last_heartbeat_at: NOW - 10 * HOUR });
    expect(agentRules(ruleCtx(fresh))).toEqual([]);
  });
});
