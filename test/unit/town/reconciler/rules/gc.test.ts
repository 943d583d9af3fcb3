/**
 * Rule group 5.6 GC (`gcRules`): idle unhooked polecats and refineries are collected 24 h after
 * their last sign of life (heartbeat, dispatch or creation), never earlier; never the mayor.
 */
import { describe, expect, it } from 'vitest';
import { gcRules } from '../../../../../src/town/reconciler/rules/gc.ts';
import type { AgentSeed } from '../town-builder.ts';
import { TownBuilder } from '../town-builder.ts';
import { HOUR, NOW, ruleCtx, T } from './rule-ctx.ts';

const GC = T.AGENT_GC_MS;

function seed(s: Partial<AgentSeed>): { b: TownBuilder; agent: string } {
  const b = new TownBuilder();
  const role = s.role ?? 'polecat';
  return { b, agent: b.agent({ role, rig_id: role === 'mayor' ? null : b.rig(), status: 'idle', created_at: NOW - 48 * HOUR, ...s }) };
}

describe('X1: agent GC', () => {
  const cases: Array<{ name: string; seed: Partial<AgentSeed>; collected: boolean }> = [
    { name: 'created exactly 24 h ago, never dispatched', seed: { created_at: NOW - GC }, collected: true },
    { name: 'created 24 h − 1 ms ago', seed: { created_at: NOW - GC + 1 }, collected: false },
    { name: 'heartbeat 24 h − 1 ms ago', seed: { last_heartbeat_at: NOW - GC + 1, last_dispatch_at: NOW - 40 * HOUR }, collected: false },
    { name: 'heartbeat exactly 24 h ago', seed: { last_heartbeat_at: NOW - GC, last_dispatch_at: NOW - 40 * HOUR }, collected: true },
    { name: 'dispatched 24 h − 1 ms ago', seed: { last_heartbeat_at: NOW - 40 * HOUR, last_dispatch_at: NOW - GC + 1 }, collected: false },
    { name: 'dispatched exactly 24 h ago', seed: { last_dispatch_at: NOW - GC }, collected: true },
    { name: 'a refinery, long idle', seed: { role: 'refinery' }, collected: true },
    { name: 'long idle but hooked', seed: { hook: crypto.randomUUID() }, collected: false },
    { name: 'working', seed: { status: 'working' }, collected: false },
    { name: 'stalled', seed: { status: 'stalled' }, collected: false },
    { name: 'the mayor, long idle', seed: { role: 'mayor' }, collected: false },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.collected ? 'deleted' : 'kept'}`, () => {
      const { b, agent } = seed(c.seed);
      const expected = c.collected ? [{ type: 'delete_agent', agent_id: agent, reason: { code: 'idle_gc', message: expect.any(String) } }] : [];
      expect(gcRules(ruleCtx(b))).toEqual(expected);
    });
  }

  it('also runs while draining', () => {
    const { b } = seed({});
    expect(gcRules(ruleCtx(b, { draining: true }))).toHaveLength(1);
  });
});
