/**
 * Rule group 5.6 messages (`messageRules`): M1 mail batches to agents with a running session
 * (oldest `MAIL_BATCH` of 25), M2 pending unexpired `immediate` nudges around `expires_at`.
 */
import { describe, expect, it } from 'vitest';
import { messageRules } from '../../../../../src/town/reconciler/rules/messages.ts';
import { T0, TownBuilder } from '../town-builder.ts';
import { NOW, ofType, ruleCtx } from './rule-ctx.ts';

describe('M1: mail', () => {
  it('delivers the oldest 20 of 25 open messages in one batch', () => {
    const b = new TownBuilder();
    const rig = b.rig();
    const agent = b.agent({ role: 'polecat', rig_id: rig, status: 'working' });
    // created newest first, so insertion order is not the answer
    const ids = Array.from({ length: 25 }, (_, i) => b.mail(agent, { created_at: T0 + 1000 * (25 - i) }));
    const oldestFirst = [...ids].reverse();
    b.bead({ type: 'message', status: 'closed', assignee_agent_id: agent, created_at: T0 });
    expect(messageRules(ruleCtx(b))).toEqual([{ type: 'deliver_mail', agent_id: agent, message_ids: oldestFirst.slice(0, 20) }]);
  });

  const recipients: Array<{ role: 'polecat' | 'refinery' | 'mayor'; status: 'idle' | 'working' | 'waiting' | 'stalled' | 'dead'; delivered: boolean }> = [
    { role: 'polecat', status: 'working', delivered: true },
    { role: 'refinery', status: 'working', delivered: true },
    { role: 'mayor', status: 'working', delivered: true },
    { role: 'mayor', status: 'waiting', delivered: true },
    { role: 'polecat', status: 'idle', delivered: false },
    { role: 'polecat', status: 'stalled', delivered: false },
    { role: 'polecat', status: 'dead', delivered: false },
    { role: 'mayor', status: 'idle', delivered: false },
  ];
  for (const r of recipients) {
    it(`${r.status} ${r.role} → ${r.delivered ? 'delivered' : 'kept for later'}`, () => {
      const b = new TownBuilder();
      const agent = b.agent({ role: r.role, rig_id: r.role === 'mayor' ? null : b.rig(), status: r.status });
      const mail = b.mail(agent);
      expect(messageRules(ruleCtx(b))).toEqual(r.delivered ? [{ type: 'deliver_mail', agent_id: agent, message_ids: [mail] }] : []);
    });
  }

  it('one batch per recipient', () => {
    const b = new TownBuilder();
    const mayor = b.agent({ role: 'mayor', status: 'waiting' });
    const polecat = b.agent({ role: 'polecat', rig_id: b.rig(), status: 'working' });
    b.mail(mayor);
    b.mail(polecat);
    b.mail(mayor);
    expect(ofType(messageRules(ruleCtx(b)), 'deliver_mail').map((a) => [a.agent_id, a.message_ids.length])).toEqual([
      [mayor, 2],
      [polecat, 1],
    ]);
  });
});

describe('M2: immediate nudges', () => {
  function withNudge(opts: Parameters<TownBuilder['nudge']>[1], status: 'working' | 'idle' = 'working'): { b: TownBuilder; agent: string; nudge: string } {
    const b = new TownBuilder();
    const agent = b.agent({ role: 'polecat', rig_id: b.rig(), status });
    return { b, agent, nudge: b.nudge(agent, opts) };
  }

  it('delivers a pending immediate nudge that expires 1 ms from now', () => {
    const { b, agent, nudge } = withNudge({ mode: 'immediate', created_at: NOW - 1000, expires_at: NOW + 1 });
    expect(messageRules(ruleCtx(b))).toEqual([{ type: 'deliver_nudge', nudge_id: nudge, agent_id: agent }]);
  });

  const skipped: Array<{ name: string; opts: Parameters<TownBuilder['nudge']>[1]; status?: 'idle' }> = [
    { name: 'expiring exactly now', opts: { mode: 'immediate', created_at: NOW - 1000, expires_at: NOW } },
    { name: 'expired 1 ms ago (housekeeping\'s)', opts: { mode: 'immediate', created_at: NOW - 1000, expires_at: NOW - 1 } },
    { name: 'wait-idle', opts: { mode: 'wait-idle', created_at: NOW - 1000, expires_at: NOW + 1000 } },
    { name: 'queue', opts: { mode: 'queue', created_at: NOW - 1000, expires_at: NOW + 1000 } },
    { name: 'already delivered', opts: { mode: 'immediate', status: 'delivered', created_at: NOW - 1000, expires_at: NOW + 1000 } },
    { name: 'to an idle agent (no session to interrupt)', opts: { mode: 'immediate', created_at: NOW - 1000, expires_at: NOW + 1000 }, status: 'idle' },
  ];
  for (const s of skipped) {
    it(`skips one ${s.name}`, () => {
      const { b } = withNudge(s.opts, s.status);
      expect(messageRules(ruleCtx(b))).toEqual([]);
    });
  }

  it('urgent before normal, then oldest first', () => {
    const b = new TownBuilder();
    const agent = b.agent({ role: 'polecat', rig_id: b.rig(), status: 'working' });
    const normalOld = b.nudge(agent, { mode: 'immediate', created_at: NOW - 3000, expires_at: NOW + 1000 });
    const urgent = b.nudge(agent, { mode: 'immediate', priority: 'urgent', created_at: NOW - 1000, expires_at: NOW + 1000 });
    const normalNew = b.nudge(agent, { mode: 'immediate', created_at: NOW - 2000, expires_at: NOW + 1000 });
    expect(ofType(messageRules(ruleCtx(b)), 'deliver_nudge').map((a) => a.nudge_id)).toEqual([urgent, normalOld, normalNew]);
  });
});
