/**
 * The small agent reports: `heartbeat_resumed`, `mayor_waiting` (fired_at vs working_since),
 * `eviction_context` (bead event + followup_context.eviction) and `dispatch_result` (bead events
 * only: a failed start never touches the agent, seed 000 §6a).
 */
import { describe, expect, it } from 'vitest';
import { TownBuilder } from '../town-builder.ts';
import { NOW, run, townEvent } from './event-ctx.ts';

function hookedAgent(status: 'idle' | 'working', beadStatus: 'in_progress' | 'closed' = 'in_progress', hooked = true) {
  const b = new TownBuilder();
  const rig = b.rig();
  const issue = b.bead({ rig_id: rig, status: beadStatus, dispatch_attempts: 2 });
  const dispatch = crypto.randomUUID();
  const agent = b.agent({ role: 'polecat', rig_id: rig, status, hook: hooked ? issue : null, current_dispatch_id: dispatch });
  return { b, issue, agent, dispatch };
}

describe('heartbeat_resumed', () => {
  it('idle and hooked to a live bead → working', () => {
    const { b, agent, dispatch } = hookedAgent('idle');
    expect(run(b, townEvent('heartbeat_resumed', { dispatch_id: dispatch }, { agent_id: agent })).actions).toEqual([
      { type: 'transition_agent', agent_id: agent, from: 'idle', to: 'working', reason: { code: 'heartbeat_resumed', message: expect.any(String) } },
    ]);
  });
  for (const c of [
    { name: 'already working', status: 'working' as const, bead: 'in_progress' as const, hooked: true },
    { name: 'idle and unhooked', status: 'idle' as const, bead: 'in_progress' as const, hooked: false },
    { name: 'idle, hooked to a finished bead', status: 'idle' as const, bead: 'closed' as const, hooked: true },
  ]) {
    it(`${c.name} → nothing`, () => {
      const { b, agent, dispatch } = hookedAgent(c.status, c.bead, c.hooked);
      expect(run(b, townEvent('heartbeat_resumed', { dispatch_id: dispatch }, { agent_id: agent })).actions).toEqual([]);
    });
  }
});

describe('mayor_waiting', () => {
  function mayor(status: 'working' | 'idle', workingSince: number) {
    const b = new TownBuilder();
    return { b, id: b.agent({ role: 'mayor', status, working_since: workingSince }) };
  }
  const waiting = (id: string, firedAt: number) => townEvent('mayor_waiting', { dispatch_id: null, fired_at: new Date(firedAt).toISOString() }, { agent_id: id });

  it('fired_at exactly at working_since → waiting; 1 ms before → ignored', () => {
    const at = mayor('working', NOW - 1000);
    expect(run(at.b, waiting(at.id, NOW - 1000)).actions).toEqual([{ type: 'transition_agent', agent_id: at.id, from: 'working', to: 'waiting', reason: expect.any(Object) }]);
    const before = mayor('working', NOW - 1000);
    expect(run(before.b, waiting(before.id, NOW - 1001)).actions).toEqual([]);
  });
  it('a mayor that is not working → nothing', () => {
    const m = mayor('idle', NOW - 1000);
    expect(run(m.b, waiting(m.id, NOW)).actions).toEqual([]);
  });
});

describe('eviction_context', () => {
  it('the hooked bead gets the event and followup_context.eviction', () => {
    const { b, issue, agent, dispatch } = hookedAgent('working');
    const r = run(b, townEvent('eviction_context', { dispatch_id: dispatch, branch: 'gt/toast/abcd1234', commit_sha: 'abcdef12', note: 'half done' }, { agent_id: agent, bead_id: issue }));
    const eviction = { branch: 'gt/toast/abcd1234', commit_sha: 'abcdef12', note: 'half done' };
    expect(r.actions).toEqual([
      { type: 'bead_event', bead_id: issue, event_type: 'eviction_context', agent_id: agent, data: eviction },
      { type: 'set_followup_context', bead_id: issue, patch: { eviction } },
    ]);
  });
  it('falls back to the agent\'s hook; optional fields are omitted', () => {
    const { b, issue, agent, dispatch } = hookedAgent('working');
    const r = run(b, townEvent('eviction_context', { dispatch_id: dispatch, branch: 'wip' }, { agent_id: agent }));
    expect(r.actions[1]).toEqual({ type: 'set_followup_context', bead_id: issue, patch: { eviction: { branch: 'wip' } } });
  });
});

describe('dispatch_result', () => {
  it('ok → dispatched; the agent is untouched', () => {
    const { b, issue, agent, dispatch } = hookedAgent('working');
    expect(run(b, townEvent('dispatch_result', { dispatch_id: dispatch, ok: true }, { agent_id: agent, bead_id: issue })).actions).toEqual([
      { type: 'bead_event', bead_id: issue, event_type: 'dispatched', agent_id: agent, data: { dispatch_id: dispatch, attempt: 2 } },
    ]);
  });
  it('seed fix: a failed start → dispatch_failed with the error, the agent stays working (no transition, no unhook)', () => {
    const { b, issue, agent, dispatch } = hookedAgent('working');
    const error = { phase: 'start', message: 'timeout', status: 504 };
    expect(run(b, townEvent('dispatch_result', { dispatch_id: dispatch, ok: false, error }, { agent_id: agent, bead_id: issue })).actions).toEqual([
      { type: 'bead_event', bead_id: issue, event_type: 'dispatch_failed', agent_id: agent, data: { dispatch_id: dispatch, attempt: 2, error } },
    ]);
  });
});
