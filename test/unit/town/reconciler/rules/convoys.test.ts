/**
 * Rule group 5.4 (`convoyRules`): C1 recount, C2 member-failure escalation, C3 landing (direct,
 * landing MR, the landing state with cooldown, cap and the awaiting-approval respawn guard) and
 * C4 decision timeout, each on both sides of its threshold.
 */
import { describe, expect, it } from 'vitest';
import { convoyRules, recountConvoy } from '../../../../../src/town/reconciler/rules/convoys.ts';
import { TownBuilder } from '../town-builder.ts';
import { HOUR, NOW, ofType, ruleCtx, SEC, types } from './rule-ctx.ts';

type ConvoySeed = Parameters<TownBuilder['convoy']>[0];

/** A convoy with members of the given statuses in one rig; counters stored as a recount. */
function convoyTown(statuses: Array<'open' | 'in_progress' | 'in_review' | 'closed' | 'failed'>, seed: ConvoySeed = {}) {
  const b = new TownBuilder();
  const rig = b.rig({ default_branch: 'trunk' });
  const convoy = b.convoy({ title: 'Auth revamp', ...seed });
  const members = statuses.map((status) => {
    const id = b.bead({ rig_id: rig, status, status_changed_at: NOW - HOUR });
    b.member(convoy, id);
    return id;
  });
  const count = recountConvoy(b.view(), convoy);
  b.convoyCounters(convoy, { total: count.total, closed: count.closed, failed: count.failed });
  return { b, rig, convoy, members };
}

describe('C1: counters differ from a recount', () => {
  it('stale counters → update_convoy + convoy_progress', () => {
    const { b, convoy } = convoyTown(['closed', 'failed', 'open']);
    b.convoyCounters(convoy, { total: 3, closed: 0, failed: 0 });
    const actions = convoyRules(ruleCtx(b));
    expect(actions.slice(0, 2)).toEqual([
      { type: 'update_convoy', convoy_id: convoy, patch: { total_beads: 3, closed_beads: 1, failed_beads: 1 } },
      { type: 'bead_event', bead_id: convoy, event_type: 'convoy_progress', data: { total: 3, closed: 1, failed: 1 } },
    ]);
  });
  it('counters equal to the recount → nothing', () => {
    const { b } = convoyTown(['closed', 'open']);
    expect(convoyRules(ruleCtx(b))).toEqual([]);
  });
  it('a closed member with a live MR is not counted closed', () => {
    const { b, rig, convoy, members } = convoyTown(['closed', 'closed']);
    b.mergeRequest({ rig_id: rig, source: members[0] ?? '', status: 'in_progress' });
    expect(recountConvoy(b.view(), convoy)).toMatchObject({ total: 2, closed: 1, failed: 0 });
    expect(ofType(convoyRules(ruleCtx(b)), 'update_convoy')).toEqual([{ type: 'update_convoy', convoy_id: convoy, patch: { total_beads: 2, closed_beads: 1, failed_beads: 0 } }]);
  });
});

describe('C2: one escalation per failed member', () => {
  it('a failed member without an escalation → escalate(convoy_member_failed, high)', () => {
    const { b, members } = convoyTown(['failed', 'open']);
    expect(convoyRules(ruleCtx(b))).toEqual([{ type: 'escalate', category: 'convoy_member_failed', severity: 'high', parent_bead_id: members[0], title: expect.any(String), body: expect.any(String) }]);
  });
  it('one already raised (even acknowledged) → nothing', () => {
    const { b, members } = convoyTown(['failed', 'open']);
    b.escalation({ category: 'convoy_member_failed', parent_bead_id: members[0] ?? null, status: 'closed', acknowledged: true });
    expect(convoyRules(ruleCtx(b))).toEqual([]);
  });
});

describe('C3: an open convoy whose members all closed', () => {
  it('review-and-merge → landed + bead closed + convoy_landed + notify_mayor', () => {
    const { b, convoy } = convoyTown(['closed', 'closed'], { merge_mode: 'review-and-merge' });
    expect(convoyRules(ruleCtx(b))).toEqual([
      { type: 'update_convoy', convoy_id: convoy, patch: { state: 'landed', landed_at: NOW } },
      { type: 'transition_bead', bead_id: convoy, from: 'open', to: 'closed', reason: { code: 'convoy_landed', message: expect.any(String) } },
      { type: 'bead_event', bead_id: convoy, event_type: 'convoy_landed', data: { total: 2, closed: 2, failed: 0 } },
      { type: 'notify_mayor', subject: expect.any(String), body: expect.any(String), parent_bead_id: convoy },
    ]);
  });

  it('review-then-land → the landing MR, state landing, bead in_progress', () => {
    const { b, rig, convoy } = convoyTown(['closed', 'closed'], { feature_branch: 'convoy/auth-revamp/abcd1234/head', landing_mr_attempts: 0 });
    expect(convoyRules(ruleCtx(b))).toEqual([
      {
        type: 'create_bead',
        fields: {
          type: 'merge_request',
          title: 'Land convoy: Auth revamp',
          body: expect.any(String),
          rig_id: rig,
          labels: ['gt:landing'],
          review: { branch: 'convoy/auth-revamp/abcd1234/head', target_branch: 'trunk', pr_url: null },
        },
        edges: [{ type: 'tracks', direction: 'out', bead_id: convoy }],
      },
      { type: 'update_convoy', convoy_id: convoy, patch: { state: 'landing', landing_mr_attempts: 1, last_landing_mr_attempt_at: NOW } },
      { type: 'transition_bead', bead_id: convoy, from: 'open', to: 'in_progress', reason: { code: 'convoy_landing', message: expect.any(String) } },
    ]);
  });

  it('not all closed, a closed member with a live MR, or no members → nothing', () => {
    expect(convoyRules(ruleCtx(convoyTown(['closed', 'in_review']).b))).toEqual([]);
    const live = convoyTown(['closed', 'closed']);
    live.b.mergeRequest({ rig_id: live.rig, source: live.members[1] ?? '', status: 'open' });
    live.b.convoyCounters(live.convoy, { total: 2, closed: 1, failed: 0 });
    expect(convoyRules(ruleCtx(live.b))).toEqual([]);
    expect(convoyRules(ruleCtx(convoyTown([]).b))).toEqual([]);
  });
});

describe('C3: a convoy in landing', () => {
  function landing(opts: { attempts: number; lastAttemptAgo: number; landingMrs?: Array<{ status: 'open' | 'in_progress' | 'closed' | 'failed'; awaiting?: boolean; changedAgo?: number }> }) {
    const t = convoyTown(['closed', 'closed'], { state: 'landing', landing_mr_attempts: opts.attempts, last_landing_mr_attempt_at: NOW - opts.lastAttemptAgo });
    const mrs = (opts.landingMrs ?? []).map((m) => {
      const id = t.b.mergeRequest({ rig_id: t.rig, status: m.status, labels: ['gt:landing'], status_changed_at: NOW - (m.changedAgo ?? HOUR), review: { awaiting_approval: m.awaiting === true ? 1 : 0 } });
      t.b.edge(id, t.convoy, 'tracks');
      return id;
    });
    return { ...t, mrs };
  }

  it('a live landing MR → wait', () => {
    expect(convoyRules(ruleCtx(landing({ attempts: 1, lastAttemptAgo: HOUR, landingMrs: [{ status: 'in_progress' }] }).b))).toEqual([]);
  });

  it('a merged landing MR → landed (bead in_progress → closed) + notify_mayor', () => {
    const { b, convoy } = landing({ attempts: 2, lastAttemptAgo: HOUR, landingMrs: [{ status: 'failed' }, { status: 'closed' }] });
    const actions = convoyRules(ruleCtx(b));
    expect(types(actions)).toEqual(['update_convoy', 'transition_bead', 'bead_event', 'notify_mayor']);
    expect(actions[0]).toEqual({ type: 'update_convoy', convoy_id: convoy, patch: { state: 'landed', landed_at: NOW } });
    expect(actions[1]).toMatchObject({ bead_id: convoy, from: 'in_progress', to: 'closed' });
  });

  it('seed fix: the latest failed landing MR was awaiting approval → no respawn, metric + one low escalation', () => {
    const { b, convoy, mrs } = landing({ attempts: 1, lastAttemptAgo: HOUR, landingMrs: [{ status: 'failed', awaiting: true }] });
    const actions = convoyRules(ruleCtx(b));
    expect(ofType(actions, 'create_bead')).toEqual([]);
    expect(actions).toEqual([
      { type: 'record_metric', name: 'respawn_suppressed', data: { convoy_id: convoy, bead_id: mrs[0] } },
      { type: 'escalate', category: 'pr_awaiting_approval', severity: 'low', parent_bead_id: mrs[0], title: expect.any(String), body: expect.any(String) },
    ]);
    b.escalation({ category: 'pr_awaiting_approval', parent_bead_id: mrs[0] ?? null });
    expect(convoyRules(ruleCtx(b))).toEqual([]);
  });

  it('only the latest failed one counts: an older awaiting one does not suppress', () => {
    const { b } = landing({ attempts: 2, lastAttemptAgo: HOUR, landingMrs: [{ status: 'failed', awaiting: true, changedAgo: 2 * HOUR }, { status: 'failed', changedAgo: HOUR }] });
    expect(types(convoyRules(ruleCtx(b)))).toEqual(['create_bead', 'update_convoy']);
  });

  for (const c of [
    { attempts: 4, exhausted: false },
    { attempts: 5, exhausted: true },
  ]) {
    it(`${c.attempts} landing attempts → ${c.exhausted ? 'failed (landing_exhausted) + escalation' : 'a new landing MR'}`, () => {
      const { b, convoy } = landing({ attempts: c.attempts, lastAttemptAgo: 2 * HOUR, landingMrs: [{ status: 'failed' }] });
      const actions = convoyRules(ruleCtx(b));
      if (c.exhausted) {
        expect(types(actions)).toEqual(['update_convoy', 'transition_bead', 'escalate']);
        expect(actions[0]).toEqual({ type: 'update_convoy', convoy_id: convoy, patch: { state: 'failed' } });
        expect(actions[1]).toMatchObject({ bead_id: convoy, from: 'in_progress', to: 'failed', reason: { code: 'landing_exhausted' } });
        expect(actions[2]).toMatchObject({ category: 'landing_exhausted', severity: 'high', parent_bead_id: convoy });
      } else {
        expect(types(actions)).toEqual(['create_bead', 'update_convoy']);
        expect(actions[1]).toEqual({ type: 'update_convoy', convoy_id: convoy, patch: { state: 'landing', landing_mr_attempts: 5, last_landing_mr_attempt_at: NOW } });
      }
    });
  }

  for (const c of [
    { attempts: 1, ago: 60 * SEC - 1, respawn: false },
    { attempts: 1, ago: 60 * SEC, respawn: true },
    { attempts: 2, ago: 120 * SEC - 1, respawn: false },
    { attempts: 2, ago: 120 * SEC, respawn: true },
  ]) {
    it(`cooldown after ${c.attempts} attempts, last ${c.ago} ms ago → ${c.respawn ? 'respawn' : 'wait'}`, () => {
      const { b } = landing({ attempts: c.attempts, lastAttemptAgo: c.ago, landingMrs: [{ status: 'failed' }] });
      expect(ofType(convoyRules(ruleCtx(b)), 'create_bead')).toHaveLength(c.respawn ? 1 : 0);
    });
  }
});

describe('C4: members terminal with a failure and no decision for 24 h', () => {
  function decided(statuses: Array<'closed' | 'failed' | 'open'>, escalatedAgo: number | null) {
    const t = convoyTown(statuses);
    t.members.forEach((m, i) => {
      if (statuses[i] === 'failed' && escalatedAgo !== null) t.b.escalation({ category: 'convoy_member_failed', parent_bead_id: m, created_at: NOW - escalatedAgo });
    });
    return t;
  }
  it('oldest escalation exactly 24 h old → failed (member_failed) + notify_mayor', () => {
    const { b, convoy } = decided(['closed', 'failed'], 24 * HOUR);
    expect(convoyRules(ruleCtx(b))).toEqual([
      { type: 'update_convoy', convoy_id: convoy, patch: { state: 'failed' } },
      { type: 'transition_bead', bead_id: convoy, from: 'open', to: 'failed', reason: { code: 'member_failed', message: expect.any(String) } },
      { type: 'notify_mayor', subject: expect.any(String), body: expect.any(String), parent_bead_id: convoy },
    ]);
  });
  it('24 h − 1 ms → nothing', () => {
    expect(convoyRules(ruleCtx(decided(['closed', 'failed'], 24 * HOUR - 1).b))).toEqual([]);
  });
  it('a member still open, or no escalation yet (C2 raises it now) → no convoy failure', () => {
    expect(convoyRules(ruleCtx(decided(['open', 'failed'], 48 * HOUR).b))).toEqual([]);
    expect(types(convoyRules(ruleCtx(decided(['closed', 'failed'], null).b)))).toEqual(['escalate']);
  });
});
