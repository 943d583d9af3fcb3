/**
 * `applyEvent`'s guards (`reconciler.md` §3): unknown types and invalid payloads throw (the tick
 * counts a failed attempt); a missing or dead agent and a missing bead are skipped as `missing`;
 * an agent report from another dispatch is `stale` (mayor reports are never checked).
 */
import { describe, expect, it } from 'vitest';
import { TownBuilder } from '../town-builder.ts';
import { run, townEvent } from './event-ctx.ts';

function polecatOnIssue(dispatch: string | null) {
  const b = new TownBuilder();
  const rig = b.rig();
  const issue = b.bead({ rig_id: rig, status: 'in_progress' });
  const agent = b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: issue, current_dispatch_id: dispatch });
  return { b, rig, issue, agent };
}

describe('applyEvent: errors', () => {
  it('an unknown event type throws', () => {
    const b = new TownBuilder();
    expect(() => run(b, townEvent('agent_exploded', {}))).toThrow(/unknown town event type/);
  });
  it('a payload failing its schema throws', () => {
    const { b, agent } = polecatOnIssue(crypto.randomUUID());
    expect(() => run(b, townEvent('agent_completed', { dispatch_id: 'not-a-uuid', status: 'completed' }, { agent_id: agent }))).toThrow();
    expect(() => run(b, townEvent('nudge_sent', { nudge_id: crypto.randomUUID() }))).toThrow();
  });
});

describe('applyEvent: missing subjects', () => {
  it('an unknown agent → skip missing with a warning', () => {
    const b = new TownBuilder();
    const r = run(b, townEvent('agent_completed', { dispatch_id: crypto.randomUUID(), status: 'completed' }, { agent_id: crypto.randomUUID() }));
    expect(r).toEqual({ actions: [], skip: 'missing', warning: expect.stringContaining('not found') });
  });
  it('a dead agent → skip missing', () => {
    const b = new TownBuilder();
    const agent = b.agent({ role: 'polecat', rig_id: b.rig(), status: 'dead' });
    expect(run(b, townEvent('heartbeat_resumed', { dispatch_id: null }, { agent_id: agent })).skip).toBe('missing');
  });
  it('an agent event without an agent id → skip missing', () => {
    expect(run(new TownBuilder(), townEvent('mayor_waiting', { dispatch_id: null, fired_at: new Date().toISOString() })).skip).toBe('missing');
  });
  it('an unknown bead → skip missing', () => {
    const b = new TownBuilder();
    const r = run(b, townEvent('pr_merge_attempted', { ok: true }, { bead_id: crypto.randomUUID() }));
    expect(r).toEqual({ actions: [], skip: 'missing', warning: expect.stringContaining('not found') });
  });
  it('a merge-request event naming no bead → skip missing', () => {
    expect(run(new TownBuilder(), townEvent('pr_polled', { outcome: { ok: false, kind: 'unrecognized_url' } })).skip).toBe('missing');
  });
});

describe('applyEvent: stale dispatch ids', () => {
  it('a reused polecat: its old session\'s agent_completed does not reopen the new bead', () => {
    const old = crypto.randomUUID();
    const { b, agent } = polecatOnIssue(crypto.randomUUID());
    const r = run(b, townEvent('agent_completed', { dispatch_id: old, status: 'completed' }, { agent_id: agent }));
    expect(r).toEqual({ actions: [], skip: 'stale', warning: expect.stringContaining(old) });
  });
  it('the current dispatch applies (ids compare case-insensitively)', () => {
    const current = crypto.randomUUID();
    const { b, agent } = polecatOnIssue(current);
    const r = run(b, townEvent('agent_completed', { dispatch_id: current.toUpperCase(), status: 'completed' }, { agent_id: agent }));
    expect(r.skip).toBeUndefined();
    expect(r.actions.length).toBeGreaterThan(0);
  });
  it('a null payload dispatch id is stale unless the agent\'s current one is null too', () => {
    const withCurrent = polecatOnIssue(crypto.randomUUID());
    expect(run(withCurrent.b, townEvent('agent_completed', { dispatch_id: null, status: 'completed' }, { agent_id: withCurrent.agent })).skip).toBe('stale');
    const bothNull = polecatOnIssue(null);
    expect(run(bothNull.b, townEvent('agent_completed', { dispatch_id: null, status: 'completed' }, { agent_id: bothNull.agent })).skip).toBeUndefined();
  });
  it('a dispatch id on a polecat whose current one is null is stale', () => {
    const { b, agent } = polecatOnIssue(null);
    expect(run(b, townEvent('agent_completed', { dispatch_id: crypto.randomUUID(), status: 'completed' }, { agent_id: agent })).skip).toBe('stale');
  });
  it('mayor reports skip the check', () => {
    const b = new TownBuilder();
    const mayor = b.agent({ role: 'mayor', status: 'working', current_dispatch_id: crypto.randomUUID(), working_since: 0 });
    const r = run(b, townEvent('mayor_waiting', { dispatch_id: crypto.randomUUID(), fired_at: new Date().toISOString() }, { agent_id: mayor }));
    expect(r.skip).toBeUndefined();
    expect(r.actions).toHaveLength(1);
  });
  it('dispatch_result (an effect outcome) is applied whatever the agent\'s current dispatch', () => {
    const { b, agent, issue } = polecatOnIssue(crypto.randomUUID());
    const r = run(b, townEvent('dispatch_result', { dispatch_id: crypto.randomUUID(), ok: true }, { agent_id: agent, bead_id: issue }));
    expect(r.skip).toBeUndefined();
    expect(r.actions).toHaveLength(1);
  });
});
