/**
 * Rule group 5.3 (`reviewRules`), part 2 — the queue: R3 (review off: PR phase, no_pr, direct
 * merge with cap, backoff and drain gate), R5 (refinery claims, one per rig, cap, gates) and R6
 * (re-dispatch with backoff and cap; `awaiting_approval` suppresses it — the seed fix), each on
 * both sides of its threshold.
 */
import { describe, expect, it } from 'vitest';
import { RequestId } from '../../../../../src/protocol/control.ts';
import { reviewRules } from '../../../../../src/town/reconciler/rules/review.ts';
import { TownBuilder } from '../town-builder.ts';
import { HOUR, MIN, NOW, ofType, ruleCtx, SEC, types } from './rule-ctx.ts';

const PR = 'https://github.com/acme/app/pull/7';

function town(rigConfig: Record<string, unknown> = {}, gitUrl?: string): { b: TownBuilder; rig: string } {
  const b = new TownBuilder();
  return { b, rig: b.rig({ config: rigConfig, ...(gitUrl === undefined ? {} : { git_url: gitUrl }) }) };
}
const REVIEW_OFF = { refinery: { code_review: false } };
const REVIEW_OFF_DIRECT = { refinery: { code_review: false }, merge_strategy: 'direct' };

describe('R3: code review off', () => {
  it('an open MR with a pr_url and no live blocker enters the PR phase; a live blocker holds it', () => {
    const { b, rig } = town(REVIEW_OFF);
    const free = b.mergeRequest({ rig_id: rig, pr_url: PR });
    const blocked = b.mergeRequest({ rig_id: rig, pr_url: 'https://github.com/acme/app/pull/8' });
    b.edge(blocked, b.bead({ rig_id: rig, status: 'open' }), 'blocks');
    const closedBlocker = b.mergeRequest({ rig_id: rig, pr_url: 'https://github.com/acme/app/pull/9' });
    b.edge(closedBlocker, b.bead({ rig_id: rig, status: 'closed' }), 'blocks');
    const actions = reviewRules(ruleCtx(b));
    expect(ofType(actions, 'transition_bead').map((a) => [a.bead_id, a.to])).toEqual([
      [free, 'in_progress'],
      [closedBlocker, 'in_progress'],
    ]);
    expect(ofType(actions, 'dispatch_agent')).toEqual([]);
  });

  it('pr strategy without a pr_url → failed (no_pr)', () => {
    const { b, rig } = town(REVIEW_OFF);
    const mr = b.mergeRequest({ rig_id: rig });
    expect(reviewRules(ruleCtx(b))).toEqual([{ type: 'transition_bead', bead_id: mr, from: 'open', to: 'failed', reason: { code: 'no_pr', message: expect.any(String) } }]);
  });

  it('direct strategy → in_progress + git_merge with a deterministic request id', () => {
    const { b, rig } = town(REVIEW_OFF_DIRECT);
    const mr = b.mergeRequest({ rig_id: rig, dispatch_attempts: 2, last_dispatch_attempt_at: NOW - HOUR });
    expect(reviewRules(ruleCtx(b))).toEqual([
      { type: 'transition_bead', bead_id: mr, from: 'open', to: 'in_progress', reason: { code: 'direct_merge', message: expect.any(String) } },
      { type: 'git_merge', bead_id: mr, request_id: `${mr}.3` },
    ]);
    // The id travels to the container's /git/merge, whose schema it must satisfy.
    expect(RequestId.safeParse(`${mr}.3`).success).toBe(true);
  });

  it('a plain-git rig (provider none) is direct by default', () => {
    const { b, rig } = town(REVIEW_OFF, 'https://git.example.com/acme/app.git');
    const mr = b.mergeRequest({ rig_id: rig });
    expect(types(reviewRules(ruleCtx(b)))).toEqual(['transition_bead', 'git_merge']);
    expect(ofType(reviewRules(ruleCtx(b)), 'git_merge')[0]?.bead_id).toBe(mr);
  });

  it('a review-then-land member merges directly into the feature branch even on a pr rig', () => {
    const { b, rig } = town(REVIEW_OFF);
    const convoy = b.convoy();
    const issue = b.bead({ rig_id: rig, status: 'in_review' });
    b.member(convoy, issue);
    const mr = b.mergeRequest({ rig_id: rig, source: issue });
    expect(ofType(reviewRules(ruleCtx(b)), 'git_merge')).toEqual([{ type: 'git_merge', bead_id: mr, request_id: `${mr}.1` }]);
  });

  for (const c of [
    { attempts: 4, merge: true },
    { attempts: 5, merge: false },
  ]) {
    it(`direct merge cap: ${c.attempts} attempts → ${c.merge ? 'merged again' : 'failed + escalation'}`, () => {
      const { b, rig } = town(REVIEW_OFF_DIRECT);
      const mr = b.mergeRequest({ rig_id: rig, dispatch_attempts: c.attempts, last_dispatch_attempt_at: NOW - HOUR });
      const actions = reviewRules(ruleCtx(b));
      if (c.merge) expect(types(actions)).toEqual(['transition_bead', 'git_merge']);
      else {
        expect(types(actions)).toEqual(['transition_bead', 'escalate']);
        expect(ofType(actions, 'transition_bead')[0]).toMatchObject({ bead_id: mr, from: 'open', to: 'failed', reason: { code: 'review_exhausted' } });
        expect(ofType(actions, 'escalate')[0]).toMatchObject({ category: 'review_exhausted', severity: 'high', parent_bead_id: mr });
      }
    });
  }

  for (const c of [
    { ago: 30 * SEC - 1, merge: false },
    { ago: 30 * SEC, merge: true },
  ]) {
    it(`direct merge backoff after 1 attempt: last attempt ${c.ago} ms ago → ${c.merge ? 'merge' : 'wait'}`, () => {
      const { b, rig } = town(REVIEW_OFF_DIRECT);
      b.mergeRequest({ rig_id: rig, dispatch_attempts: 1, last_dispatch_attempt_at: NOW - c.ago });
      expect(ofType(reviewRules(ruleCtx(b)), 'git_merge')).toHaveLength(c.merge ? 1 : 0);
    });
  }

  it('direct merges are serial per rig: one per tick, none while another is being merged', () => {
    const { b, rig } = town(REVIEW_OFF_DIRECT);
    const first = b.mergeRequest({ rig_id: rig });
    b.mergeRequest({ rig_id: rig });
    expect(ofType(reviewRules(ruleCtx(b)), 'git_merge').map((a) => a.bead_id)).toEqual([first]);

    const busy = town(REVIEW_OFF_DIRECT);
    busy.b.mergeRequest({ rig_id: busy.rig, status: 'in_progress', status_changed_at: NOW - 10 * SEC });
    busy.b.mergeRequest({ rig_id: busy.rig });
    expect(ofType(reviewRules(ruleCtx(busy.b)), 'git_merge')).toEqual([]);
  });

  it('no direct merge while the container drains', () => {
    const { b, rig } = town(REVIEW_OFF_DIRECT);
    b.mergeRequest({ rig_id: rig });
    expect(reviewRules(ruleCtx(b, { draining: true }))).toEqual([]);
  });

  it('a landing MR on a review-off rig is left to R5 (the refinery)', () => {
    const { b, rig } = town(REVIEW_OFF_DIRECT);
    const landing = b.mergeRequest({ rig_id: rig, labels: ['gt:landing'] });
    expect(reviewRules(ruleCtx(b))).toEqual([
      { type: 'transition_bead', bead_id: landing, from: 'open', to: 'in_progress', reason: { code: 'refinery_claimed', message: expect.any(String) } },
      { type: 'dispatch_agent', bead_id: landing, agent_id: null, role: 'refinery' },
    ]);
  });
});

describe('R5: the refinery claims the first ready MR of its rig', () => {
  const claimed = (mr: string) => [
    { type: 'transition_bead', bead_id: mr, from: 'open', to: 'in_progress', reason: { code: 'refinery_claimed', message: expect.any(String) } },
    { type: 'dispatch_agent', bead_id: mr, agent_id: null, role: 'refinery' },
  ];

  it('refinery absent → claim (with or without a pr_url)', () => {
    const { b, rig } = town();
    const mr = b.mergeRequest({ rig_id: rig, pr_url: PR });
    expect(reviewRules(ruleCtx(b))).toEqual(claimed(mr));
  });

  for (const c of [
    { status: 'idle' as const, hooked: false, claim: true },
    { status: 'idle' as const, hooked: true, claim: false },
    { status: 'working' as const, hooked: false, claim: false },
    { status: 'stalled' as const, hooked: false, claim: false },
  ]) {
    it(`refinery ${c.status}${c.hooked ? ' and hooked' : ''} → ${c.claim ? 'claim' : 'no claim'}`, () => {
      const { b, rig } = town();
      const mr = b.mergeRequest({ rig_id: rig });
      const other = c.hooked ? b.mergeRequest({ rig_id: rig, status: 'in_progress', pr_url: PR, review: { last_poll_at: NOW, awaiting_approval: 1 } }) : null;
      b.agent({ role: 'refinery', rig_id: rig, status: c.status, hook: other });
      expect(ofType(reviewRules(ruleCtx(b)), 'dispatch_agent')).toEqual(c.claim ? [claimed(mr)[1]] : []);
    });
  }

  it('one per rig per tick, in priority order; MRs with a live blocker are skipped', () => {
    const { b, rig } = town();
    const blocked = b.mergeRequest({ rig_id: rig, priority: 'critical' });
    b.edge(blocked, b.bead({ rig_id: rig, status: 'in_progress' }), 'blocks');
    b.mergeRequest({ rig_id: rig, priority: 'low' });
    const high = b.mergeRequest({ rig_id: rig, priority: 'high' });
    const rig2 = b.rig();
    const other = b.mergeRequest({ rig_id: rig2 });
    const actions = reviewRules(ruleCtx(b));
    // Rigs are visited in creation order; both were created at T0, so compare per rig.
    expect(actions).toHaveLength(4);
    expect(actions).toEqual(expect.arrayContaining([...claimed(high), ...claimed(other)]));
  });

  it('a rig with review off only sends landing MRs to the refinery', () => {
    const { b, rig } = town(REVIEW_OFF);
    b.mergeRequest({ rig_id: rig, pr_url: PR, status: 'in_progress', review: { last_poll_at: NOW } });
    const landing = b.mergeRequest({ rig_id: rig, labels: ['gt:landing'] });
    expect(reviewRules(ruleCtx(b))).toEqual(claimed(landing));
  });

  it('no claim while the rig has an MR in review without a holder yet (serial, I5)', () => {
    const { b, rig } = town();
    b.mergeRequest({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - 10 * SEC });
    b.mergeRequest({ rig_id: rig });
    expect(ofType(reviewRules(ruleCtx(b)), 'dispatch_agent')).toEqual([]);
  });

  for (const c of [
    { attempts: 4, claim: true },
    { attempts: 5, claim: false },
  ]) {
    it(`attempt cap: ${c.attempts} attempts → ${c.claim ? 'claimed' : 'failed + escalation, next MR claimed'}`, () => {
      const { b, rig } = town();
      const first = b.mergeRequest({ rig_id: rig, dispatch_attempts: c.attempts, priority: 'high' });
      const second = b.mergeRequest({ rig_id: rig });
      const actions = reviewRules(ruleCtx(b));
      if (c.claim) expect(actions).toEqual(claimed(first));
      else {
        expect(types(actions)).toEqual(['transition_bead', 'escalate', 'transition_bead', 'dispatch_agent']);
        expect(actions[0]).toMatchObject({ bead_id: first, from: 'open', to: 'failed', reason: { code: 'review_exhausted' } });
        expect(actions[1]).toMatchObject({ category: 'review_exhausted', severity: 'high', parent_bead_id: first });
        expect(actions.slice(2)).toEqual(claimed(second));
      }
    });
  }

  it('gates: no dispatch while draining or with the breaker open; failing at the cap still happens', () => {
    for (const gates of [{ draining: true }, { breakerOpen: true }]) {
      const { b, rig } = town();
      const capped = b.mergeRequest({ rig_id: rig, dispatch_attempts: 5, priority: 'high' });
      b.mergeRequest({ rig_id: rig });
      const actions = reviewRules(ruleCtx(b, gates));
      expect(types(actions)).toEqual(['transition_bead', 'escalate']);
      expect(actions[0]).toMatchObject({ bead_id: capped, to: 'failed' });
    }
  });
});

describe('R6: idle refinery hooked to an in_progress MR', () => {
  function hooked(opts: { attempts: number; lastAttemptAgo: number; awaiting?: boolean }) {
    const { b, rig } = town();
    const mr = b.mergeRequest({
      rig_id: rig,
      status: 'in_progress',
      status_changed_at: NOW - 5 * MIN,
      dispatch_attempts: opts.attempts,
      last_dispatch_attempt_at: NOW - opts.lastAttemptAgo,
      ...(opts.awaiting === true ? { pr_url: PR, review: { last_poll_at: NOW, awaiting_approval: 1, awaiting_approval_since: NOW - HOUR } } : {}),
    });
    const refinery = b.agent({ role: 'refinery', rig_id: rig, status: 'idle', hook: mr });
    return { b, mr, refinery };
  }

  for (const c of [
    { attempts: 1, ago: 30 * SEC - 1, dispatch: false },
    { attempts: 1, ago: 30 * SEC, dispatch: true },
    { attempts: 4, ago: 5 * MIN - 1, dispatch: false },
    { attempts: 4, ago: 5 * MIN, dispatch: true },
  ]) {
    it(`${c.attempts} attempts, last ${c.ago} ms ago → ${c.dispatch ? 're-dispatch' : 'wait (backoff)'}`, () => {
      const { b, mr, refinery } = hooked({ attempts: c.attempts, lastAttemptAgo: c.ago });
      expect(reviewRules(ruleCtx(b))).toEqual(c.dispatch ? [{ type: 'dispatch_agent', bead_id: mr, agent_id: refinery, role: 'refinery' }] : []);
    });
  }

  it('at the cap → failed (review_exhausted) + unhook + high escalation', () => {
    const { b, mr, refinery } = hooked({ attempts: 5, lastAttemptAgo: HOUR });
    const actions = reviewRules(ruleCtx(b));
    expect(types(actions)).toEqual(['transition_bead', 'escalate', 'unhook']);
    expect(actions[0]).toMatchObject({ bead_id: mr, from: 'in_progress', to: 'failed', reason: { code: 'review_exhausted' } });
    expect(actions[1]).toMatchObject({ category: 'review_exhausted', severity: 'high', parent_bead_id: mr });
    expect(actions[2]).toEqual({ type: 'unhook', agent_id: refinery, reason: 'review_exhausted' });
  });

  it('seed fix: awaiting approval suppresses the re-dispatch and the cap (the old rule re-dispatched)', () => {
    expect(ofType(reviewRules(ruleCtx(hooked({ attempts: 1, lastAttemptAgo: HOUR, awaiting: true }).b)), 'dispatch_agent')).toEqual([]);
    expect(ofType(reviewRules(ruleCtx(hooked({ attempts: 5, lastAttemptAgo: HOUR, awaiting: true }).b)), 'transition_bead')).toEqual([]);
  });

  it('no re-dispatch while draining or with the breaker open', () => {
    expect(reviewRules(ruleCtx(hooked({ attempts: 1, lastAttemptAgo: HOUR }).b, { draining: true }))).toEqual([]);
    expect(reviewRules(ruleCtx(hooked({ attempts: 1, lastAttemptAgo: HOUR }).b, { breakerOpen: true }))).toEqual([]);
  });
});

