/**
 * Rule group 5.5 (`guppRules`): the progress clock, G1 warn / G2 escalate / G3 force stop on
 * both sides of each threshold, the repeat window, tier exclusivity, the drain gate, and the
 * mayor's exemption.
 */
import { describe, expect, it } from 'vitest';
import { guppRules } from '../../../../../src/town/reconciler/rules/gupp.ts';
import { TownBuilder } from '../town-builder.ts';
import { HOUR, MIN, NOW, ruleCtx, T, types } from './rule-ctx.ts';

interface Seed {
  role?: 'polecat' | 'refinery' | 'mayor';
  status?: 'working' | 'idle' | 'stalled' | 'waiting';
  progress: number;
  dispatch?: number;
  tools?: string[];
  warnAt?: number;
  escalateAt?: number;
  hooked?: boolean;
}

function seed(s: Seed): { b: TownBuilder; agent: string; bead: string } {
  const b = new TownBuilder();
  const rig = b.rig();
  const bead = b.bead({ rig_id: rig, status: 'in_progress' });
  const role = s.role ?? 'polecat';
  const agent = b.agent({
    role,
    rig_id: role === 'mayor' ? null : rig,
    status: s.status ?? 'working',
    hook: s.hooked === false || role === 'mayor' ? null : bead,
    last_event_at: NOW - s.progress,
    last_dispatch_at: s.dispatch ?? NOW - 10 * HOUR,
    last_heartbeat_at: NOW - 1000,
    active_tools: s.tools ?? [],
  });
  if (s.warnAt !== undefined) b.nudge(agent, { mode: 'immediate', source: 'reconciler:warn', created_at: s.warnAt, status: 'delivered' });
  if (s.escalateAt !== undefined) b.nudge(agent, { mode: 'immediate', source: 'reconciler:escalate', created_at: s.escalateAt, status: 'delivered' });
  return { b, agent, bead };
}

describe('tiers by the progress clock', () => {
  const cases: Array<{ name: string; seed: Seed; fired: string[]; tier?: string }> = [
    { name: '15 min − 1 ms', seed: { progress: T.GUPP_WARN_MS - 1 }, fired: [] },
    { name: 'exactly 15 min → G1', seed: { progress: T.GUPP_WARN_MS }, fired: ['send_nudge'], tier: 'warn' },
    { name: '15 min with a tool running', seed: { progress: T.GUPP_WARN_MS, tools: ['bash'] }, fired: [] },
    { name: '15 min, warned 60 min − 1 ms ago', seed: { progress: T.GUPP_WARN_MS, warnAt: NOW - T.GUPP_REPEAT_MS + 1 }, fired: [] },
    { name: '15 min, warned exactly 60 min ago → G1 again', seed: { progress: T.GUPP_WARN_MS, warnAt: NOW - T.GUPP_REPEAT_MS }, fired: ['send_nudge'], tier: 'warn' },
    { name: '1 h − 1 ms → still G1', seed: { progress: T.GUPP_ESCALATE_MS - 1 }, fired: ['send_nudge'], tier: 'warn' },
    { name: 'exactly 1 h → G2 only', seed: { progress: T.GUPP_ESCALATE_MS }, fired: ['send_nudge', 'escalate'], tier: 'escalate' },
    { name: '1 h with a tool running → G2 regardless', seed: { progress: T.GUPP_ESCALATE_MS, tools: ['bash'] }, fired: ['send_nudge', 'escalate'], tier: 'escalate' },
    { name: '1 h, escalate-nudged 60 min − 1 ms ago → nothing (G1 does not fire instead)', seed: { progress: T.GUPP_ESCALATE_MS, escalateAt: NOW - T.GUPP_REPEAT_MS + 1 }, fired: [] },
    { name: '1 h, escalate-nudged exactly 60 min ago → G2 again', seed: { progress: T.GUPP_ESCALATE_MS, escalateAt: NOW - T.GUPP_REPEAT_MS }, fired: ['send_nudge', 'escalate'], tier: 'escalate' },
    { name: '1 h, only a recent warn nudge → G2', seed: { progress: T.GUPP_ESCALATE_MS, warnAt: NOW - MIN }, fired: ['send_nudge', 'escalate'], tier: 'escalate' },
    { name: '2 h − 1 ms → G2', seed: { progress: T.GUPP_FORCE_STOP_MS - 1 }, fired: ['send_nudge', 'escalate'], tier: 'escalate' },
    { name: 'exactly 2 h → G3 only', seed: { progress: T.GUPP_FORCE_STOP_MS }, fired: ['transition_agent', 'stop_agent', 'escalate'] },
    { name: '2 h with recent nudges of both tiers → G3', seed: { progress: T.GUPP_FORCE_STOP_MS, warnAt: NOW - MIN, escalateAt: NOW - MIN }, fired: ['transition_agent', 'stop_agent', 'escalate'] },
    { name: 'old events but dispatched 15 min − 1 ms ago', seed: { progress: 5 * HOUR, dispatch: NOW - T.GUPP_WARN_MS + 1 }, fired: [] },
    { name: 'old events, dispatched exactly 15 min ago → G1', seed: { progress: 5 * HOUR, dispatch: NOW - T.GUPP_WARN_MS }, fired: ['send_nudge'], tier: 'warn' },
  ];
  for (const c of cases) {
    it(`${c.name}`, () => {
      const { b } = seed(c.seed);
      const actions = guppRules(ruleCtx(b));
      expect(types(actions)).toEqual(c.fired);
      if (c.tier !== undefined) expect(actions[0]).toMatchObject({ type: 'send_nudge', tier: c.tier });
    });
  }
});

describe('actions', () => {
  it('G2: urgent nudge + medium stuck_agent escalation on the hooked bead', () => {
    const { b, agent, bead } = seed({ progress: T.GUPP_ESCALATE_MS });
    expect(guppRules(ruleCtx(b))).toEqual([
      { type: 'send_nudge', agent_id: agent, tier: 'escalate', message: expect.any(String) },
      { type: 'escalate', category: 'stuck_agent', severity: 'medium', parent_bead_id: bead, title: expect.any(String), body: expect.any(String) },
    ]);
  });

  it('G3: working → stalled, stop, high stuck_agent escalation', () => {
    const { b, agent, bead } = seed({ progress: T.GUPP_FORCE_STOP_MS });
    expect(guppRules(ruleCtx(b))).toEqual([
      { type: 'transition_agent', agent_id: agent, from: 'working', to: 'stalled', reason: { code: 'gupp_force_stop', message: expect.any(String) } },
      { type: 'stop_agent', agent_id: agent, reason: 'gupp_force_stop' },
      { type: 'escalate', category: 'stuck_agent', severity: 'high', parent_bead_id: bead, title: expect.any(String), body: expect.any(String) },
    ]);
  });

  it('an unhooked refinery is watched too; its escalation is about the agent itself', () => {
    const { b, agent } = seed({ role: 'refinery', hooked: false, progress: T.GUPP_ESCALATE_MS });
    expect(guppRules(ruleCtx(b))).toMatchObject([{ type: 'send_nudge', agent_id: agent }, { type: 'escalate', parent_bead_id: agent }]);
  });
});

describe('scope and gates', () => {
  it('never the mayor, working or waiting', () => {
    for (const status of ['working', 'waiting'] as const) {
      const { b } = seed({ role: 'mayor', status, progress: 10 * HOUR });
      expect(guppRules(ruleCtx(b))).toEqual([]);
    }
  });

  it('only working agents', () => {
    for (const status of ['idle', 'stalled'] as const) {
      const { b } = seed({ status, progress: 10 * HOUR });
      expect(guppRules(ruleCtx(b))).toEqual([]);
    }
  });

  it('off while the container drains', () => {
    const { b } = seed({ progress: 10 * HOUR });
    expect(guppRules(ruleCtx(b, { draining: true }))).toEqual([]);
  });
});
