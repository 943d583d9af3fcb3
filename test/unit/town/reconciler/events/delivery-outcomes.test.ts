/**
 * `mail_delivered`, `nudge_sent` and `container_eviction`: messages closed and a waiting mayor
 * woken on delivery, nudges marked delivered, and the drain bookkeeping (once per nonce) with a
 * live mayor set idle.
 */
import { describe, expect, it } from 'vitest';
import { TownBuilder } from '../town-builder.ts';
import { NOW, run, townEvent, types } from './event-ctx.ts';

describe('mail_delivered', () => {
  it('ok → each open message closed; a waiting mayor → working', () => {
    const b = new TownBuilder();
    const mayor = b.agent({ role: 'mayor', status: 'waiting' });
    const m1 = b.mail(mayor);
    const m2 = b.mail(mayor);
    const done = b.bead({ type: 'message', status: 'closed', assignee_agent_id: mayor });
    expect(run(b, townEvent('mail_delivered', { message_ids: [m1, m2, done], ok: true }, { agent_id: mayor })).actions).toEqual([
      { type: 'transition_bead', bead_id: m1, from: 'open', to: 'closed', reason: { code: 'delivered', message: expect.any(String) } },
      { type: 'transition_bead', bead_id: m2, from: 'open', to: 'closed', reason: { code: 'delivered', message: expect.any(String) } },
      { type: 'transition_agent', agent_id: mayor, from: 'waiting', to: 'working', reason: expect.any(Object) },
    ]);
  });
  it('a working polecat recipient is not transitioned', () => {
    const b = new TownBuilder();
    const agent = b.agent({ role: 'polecat', rig_id: b.rig(), status: 'working' });
    expect(types(run(b, townEvent('mail_delivered', { message_ids: [b.mail(agent)], ok: true }, { agent_id: agent })).actions)).toEqual(['transition_bead']);
  });
  it('not ok → the messages stay open', () => {
    const b = new TownBuilder();
    const mayor = b.agent({ role: 'mayor', status: 'waiting' });
    expect(run(b, townEvent('mail_delivered', { message_ids: [b.mail(mayor)], ok: false }, { agent_id: mayor }))).toEqual({ actions: [], warning: expect.any(String) });
  });
});

describe('nudge_sent', () => {
  it('ok → delivered; not ok or no longer pending → nothing', () => {
    const b = new TownBuilder();
    const agent = b.agent({ role: 'polecat', rig_id: b.rig(), status: 'working' });
    const nudge = b.nudge(agent, { mode: 'immediate' });
    expect(run(b, townEvent('nudge_sent', { nudge_id: nudge, ok: true }, { agent_id: agent })).actions).toEqual([{ type: 'mark_nudge', nudge_id: nudge, status: 'delivered' }]);
    expect(run(b, townEvent('nudge_sent', { nudge_id: nudge, ok: false }, { agent_id: agent })).actions).toEqual([]);
    const expired = b.nudge(agent, { status: 'expired' });
    expect(run(b, townEvent('nudge_sent', { nudge_id: expired, ok: true }, { agent_id: agent })).actions).toEqual([]);
  });
});

describe('container_eviction', () => {
  const evict = (nonce: string) => townEvent('container_eviction', { drain_nonce: nonce, container_instance_id: 'inst-1', reason: 'SIGTERM' });

  for (const status of ['working', 'waiting'] as const) {
    it(`starts the drain and sets a ${status} mayor idle`, () => {
      const b = new TownBuilder();
      const mayor = b.agent({ role: 'mayor', status });
      expect(run(b, evict('n-1')).actions).toEqual([
        { type: 'set_drain', patch: { draining: true, drain_nonce: 'n-1', drain_started_at: NOW, container_instance_id: 'inst-1' } },
        { type: 'transition_agent', agent_id: mayor, from: status, to: 'idle', reason: { code: 'container_eviction', message: expect.any(String) } },
        { type: 'record_metric', name: 'container_eviction', data: { drain_nonce: 'n-1', container_instance_id: 'inst-1', reason: 'SIGTERM' } },
      ]);
    });
  }
  it('the same nonce again does not restart the drain; an idle mayor is left alone', () => {
    const b = new TownBuilder();
    b.agent({ role: 'mayor', status: 'idle' });
    b.townState('draining', true).townState('drain_nonce', 'n-1').townState('drain_started_at', NOW - 1000);
    expect(types(run(b, evict('n-1')).actions)).toEqual(['record_metric']);
    expect(types(run(b, evict('n-2')).actions)).toEqual(['set_drain', 'record_metric']);
  });
});
