/**
 * `agent_completed` and `container_status`: a polecat's in_progress issue reopens with the exit's
 * reason (or fails at the cap), a refinery keeps its hook, the mayor goes idle, a stalled agent
 * stays stalled; `not_found` within the cold-start grace is ignored (both sides of 180 s).
 */
import { describe, expect, it } from 'vitest';
import { TownBuilder } from '../town-builder.ts';
import { NOW, ofType, run, SEC, townEvent, types } from './event-ctx.ts';

function polecat(opts: { attempts?: number; status?: 'working' | 'idle' | 'stalled'; heartbeat?: number | null; dispatchedAt?: number | null } = {}) {
  const b = new TownBuilder();
  const rig = b.rig();
  const issue = b.bead({ rig_id: rig, status: 'in_progress', dispatch_attempts: opts.attempts ?? 1 });
  const dispatch = crypto.randomUUID();
  const agent = b.agent({ role: 'polecat', rig_id: rig, status: opts.status ?? 'working', hook: issue, current_dispatch_id: dispatch, last_heartbeat_at: opts.heartbeat ?? null, last_dispatch_at: opts.dispatchedAt ?? NOW - 600 * SEC });
  return { b, rig, issue, agent, dispatch };
}

const completed = (agent: string, dispatch: string, status: 'completed' | 'failed' = 'completed', reason?: string) =>
  townEvent('agent_completed', { dispatch_id: dispatch, status, ...(reason === undefined ? {} : { reason }) }, { agent_id: agent });

describe('agent_completed', () => {
  it('a polecat with an in_progress issue: agent_exited, issue → open, unhook, idle', () => {
    const { b, issue, agent, dispatch } = polecat();
    expect(run(b, completed(agent, dispatch)).actions).toEqual([
      { type: 'bead_event', bead_id: issue, event_type: 'agent_exited', agent_id: agent, data: { status: 'completed', reason: null } },
      { type: 'transition_bead', bead_id: issue, from: 'in_progress', to: 'open', reason: { code: 'exited_without_done', message: expect.any(String) } },
      { type: 'unhook', agent_id: agent, reason: 'exited_without_done' },
      { type: 'transition_agent', agent_id: agent, from: 'working', to: 'idle', reason: { code: 'exited_without_done', message: expect.any(String) } },
    ]);
  });

  const codes: Array<{ name: string; status: 'completed' | 'failed'; reason?: string; draining?: boolean; code: string }> = [
    { name: 'a failed session', status: 'failed', code: 'agent_failed' },
    { name: 'an eviction reason', status: 'completed', reason: 'container eviction (SIGTERM)', code: 'container_eviction' },
    { name: 'an exit during a drain', status: 'completed', draining: true, code: 'container_eviction' },
  ];
  for (const c of codes) {
    it(`${c.name} reopens with ${c.code}`, () => {
      const { b, agent, dispatch } = polecat();
      if (c.draining === true) b.townState('draining', true);
      expect(ofType(run(b, completed(agent, dispatch, c.status, c.reason)).actions, 'transition_bead')[0]?.reason.code).toBe(c.code);
    });
  }

  for (const c of [
    { attempts: 4, to: 'open' },
    { attempts: 5, to: 'failed' },
  ]) {
    it(`${c.attempts} attempts (cap 5) → issue ${c.to}`, () => {
      const { b, issue, agent, dispatch } = polecat({ attempts: c.attempts });
      const r = run(b, completed(agent, dispatch));
      expect(ofType(r.actions, 'transition_bead')).toEqual([{ type: 'transition_bead', bead_id: issue, from: 'in_progress', to: c.to, reason: expect.any(Object) }]);
      expect(ofType(r.actions, 'escalate').map((e) => e.category)).toEqual(c.to === 'failed' ? ['dispatch_exhausted'] : []);
    });
  }

  it('a polecat already idle whose issue moved on: just unhooked', () => {
    const b = new TownBuilder();
    const rig = b.rig();
    const issue = b.bead({ rig_id: rig, status: 'in_review' });
    const dispatch = crypto.randomUUID();
    const agent = b.agent({ role: 'polecat', rig_id: rig, status: 'idle', hook: issue, current_dispatch_id: dispatch });
    expect(types(run(b, completed(agent, dispatch)).actions)).toEqual(['bead_event', 'unhook']);
  });

  it('a stalled agent stays stalled (A3 releases it)', () => {
    const { b, agent, dispatch } = polecat({ status: 'stalled' });
    expect(run(b, completed(agent, dispatch)).actions).toEqual([]);
  });

  it('a refinery goes idle and keeps its hook', () => {
    const b = new TownBuilder();
    const rig = b.rig();
    const mr = b.mergeRequest({ rig_id: rig, status: 'in_progress' });
    const dispatch = crypto.randomUUID();
    const agent = b.agent({ role: 'refinery', rig_id: rig, status: 'working', hook: mr, current_dispatch_id: dispatch });
    expect(run(b, completed(agent, dispatch)).actions).toEqual([
      { type: 'bead_event', bead_id: mr, event_type: 'agent_exited', agent_id: agent, data: { status: 'completed', reason: null } },
      { type: 'transition_agent', agent_id: agent, from: 'working', to: 'idle', reason: expect.any(Object) },
    ]);
  });

  for (const status of ['working', 'waiting'] as const) {
    it(`the mayor (${status}) → idle`, () => {
      const b = new TownBuilder();
      const mayor = b.agent({ role: 'mayor', status, current_dispatch_id: crypto.randomUUID() });
      expect(run(b, completed(mayor, crypto.randomUUID())).actions).toEqual([{ type: 'transition_agent', agent_id: mayor, from: status, to: 'idle', reason: expect.any(Object) }]);
    });
  }
});

describe('container_status', () => {
  const status = (agent: string, s: 'exited' | 'not_found') => townEvent('container_status', { status: s }, { agent_id: agent });

  for (const c of [
    { name: 'heartbeat 179 999 ms ago', heartbeat: NOW - 180 * SEC + 1, dispatchedAt: NOW - 3600 * SEC, handled: false },
    { name: 'heartbeat exactly 180 s ago', heartbeat: NOW - 180 * SEC, dispatchedAt: NOW - 3600 * SEC, handled: true },
    { name: 'no heartbeat, dispatched 179 999 ms ago', heartbeat: null, dispatchedAt: NOW - 180 * SEC + 1, handled: false },
    { name: 'no heartbeat, dispatched 180 s ago', heartbeat: null, dispatchedAt: NOW - 180 * SEC, handled: true },
  ]) {
    it(`not_found, ${c.name} → ${c.handled ? 'handled as a completed exit' : 'ignored (cold start)'}`, () => {
      const { b, agent } = polecat({ heartbeat: c.heartbeat, dispatchedAt: c.dispatchedAt });
      const r = run(b, status(agent, 'not_found'));
      if (c.handled) expect(types(r.actions)).toEqual(['bead_event', 'transition_bead', 'unhook', 'transition_agent']);
      else expect(r).toEqual({ actions: [], warning: expect.stringContaining('cold-start') });
    });
  }

  it('exited is handled at once, even within the grace', () => {
    const { b, issue, agent } = polecat({ heartbeat: NOW - SEC });
    expect(ofType(run(b, status(agent, 'exited')).actions, 'transition_bead')).toEqual([{ type: 'transition_bead', bead_id: issue, from: 'in_progress', to: 'open', reason: { code: 'exited_without_done', message: expect.any(String) } }]);
  });

  it('only for working agents', () => {
    const { b, agent } = polecat({ status: 'idle' });
    expect(run(b, status(agent, 'exited'))).toEqual({ actions: [], warning: expect.any(String) });
  });
});
