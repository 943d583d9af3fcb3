/**
 * Rule group 5.3 (`reviewRules`): R1–R8, each on both sides of its threshold, the gates, and the
 * seed fixes — R4 covers PR-phase MRs (with a pr_url), and `awaiting_approval` suppresses R4 and
 * R6 (tests that fail on the old behaviour).
 */
import { describe, expect, it } from 'vitest';
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

describe('R1: poll PR-phase MRs, merge when auto-merge is pending', () => {
  const cases: Array<{ name: string; lastPoll: number | null; awaiting: boolean; poll: boolean }> = [
    { name: 'never polled', lastPoll: null, awaiting: false, poll: true },
    { name: 'polled 59 999 ms ago', lastPoll: NOW - 59_999, awaiting: false, poll: false },
    { name: 'polled exactly 60 s ago', lastPoll: NOW - 60 * SEC, awaiting: false, poll: true },
    { name: 'awaiting approval, polled 4:59.999 ago', lastPoll: NOW - 5 * MIN + 1, awaiting: true, poll: false },
    { name: 'awaiting approval, polled exactly 5 min ago', lastPoll: NOW - 5 * MIN, awaiting: true, poll: true },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.poll ? 'poll_pr' : 'nothing'}`, () => {
      const { b, rig } = town();
      const mr = b.mergeRequest({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - MIN, pr_url: PR, review: { last_poll_at: c.lastPoll, awaiting_approval: c.awaiting ? 1 : 0, reviewed_at: NOW - HOUR } });
      b.agent({ role: 'refinery', rig_id: rig, status: 'idle' });
      expect(reviewRules(ruleCtx(b))).toEqual(c.poll ? [{ type: 'poll_pr', bead_id: mr }] : []);
    });
  }

  it('an MR without pr_url is never polled', () => {
    const { b, rig } = town();
    const mr = b.mergeRequest({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - MIN });
    b.agent({ role: 'refinery', rig_id: rig, status: 'working', hook: mr });
    expect(ofType(reviewRules(ruleCtx(b)), 'poll_pr')).toEqual([]);
  });

  const merges: Array<{ name: string; config: Record<string, unknown>; reviewed: number | null; awaiting: boolean; pending: boolean; merge: boolean }> = [
    { name: 'pending, reviewed, review on', config: {}, reviewed: NOW - HOUR, awaiting: false, pending: true, merge: true },
    { name: 'pending, not reviewed, review on', config: {}, reviewed: null, awaiting: false, pending: true, merge: false },
    { name: 'pending, not reviewed, review off', config: REVIEW_OFF, reviewed: null, awaiting: false, pending: true, merge: true },
    { name: 'pending but awaiting approval', config: {}, reviewed: NOW - HOUR, awaiting: true, pending: true, merge: false },
    { name: 'not pending', config: {}, reviewed: NOW - HOUR, awaiting: false, pending: false, merge: false },
  ];
  for (const c of merges) {
    it(`merge_pr: ${c.name} → ${c.merge ? 'merge_pr' : 'none'}`, () => {
      const { b, rig } = town(c.config);
      const mr = b.mergeRequest({
        rig_id: rig,
        status: 'in_progress',
        status_changed_at: NOW - MIN,
        pr_url: PR,
        review: { last_poll_at: NOW, reviewed_at: c.reviewed, awaiting_approval: c.awaiting ? 1 : 0, auto_merge_pending: c.pending ? 1 : 0 },
      });
      b.agent({ role: 'refinery', rig_id: rig, status: 'working', hook: mr });
      expect(ofType(reviewRules(ruleCtx(b)), 'merge_pr')).toEqual(c.merge ? [{ type: 'merge_pr', bead_id: mr }] : []);
    });
  }
});

describe('R2: abandoned review → re-queued', () => {
  for (const c of [
    { age: 2 * MIN - 1, requeue: false },
    { age: 2 * MIN, requeue: true },
  ]) {
    it(`no holder, in status ${c.age} ms → ${c.requeue ? 'open' : 'left alone'}`, () => {
      const { b, rig } = town();
      const mr = b.mergeRequest({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - c.age });
      b.agent({ role: 'refinery', rig_id: rig, status: 'working' });
      const actions = reviewRules(ruleCtx(b));
      expect(ofType(actions, 'transition_bead')).toEqual(c.requeue ? [{ type: 'transition_bead', bead_id: mr, from: 'in_progress', to: 'open', reason: { code: 'mr_abandoned', message: expect.any(String) } }] : []);
    });
  }

  it('an MR held by an agent, or in the PR phase, is not abandoned', () => {
    const { b, rig } = town();
    const held = b.mergeRequest({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - HOUR });
    b.agent({ role: 'refinery', rig_id: rig, status: 'working', hook: held });
    b.mergeRequest({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - 10 * MIN, pr_url: PR, review: { last_poll_at: NOW } });
    expect(ofType(reviewRules(ruleCtx(b)), 'transition_bead')).toEqual([]);
  });
});

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
      { type: 'git_merge', bead_id: mr, request_id: `${mr}:3` },
    ]);
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
    expect(ofType(reviewRules(ruleCtx(b)), 'git_merge')).toEqual([{ type: 'git_merge', bead_id: mr, request_id: `${mr}:1` }]);
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

describe('R4: orphaned PR review', () => {
  function orphan(opts: { age?: number; awaiting?: boolean; reviewed?: number | null; refinery?: 'working' | 'stalled' | 'idle' | null; config?: Record<string, unknown> } = {}) {
    const { b, rig } = town(opts.config ?? {});
    const mr = b.mergeRequest({
      rig_id: rig,
      status: 'in_progress',
      status_changed_at: NOW - (opts.age ?? 30 * MIN),
      pr_url: PR,
      dispatch_attempts: 1,
      last_dispatch_attempt_at: NOW - 2 * HOUR,
      review: { last_poll_at: NOW, awaiting_approval: opts.awaiting === true ? 1 : 0, awaiting_approval_since: opts.awaiting === true ? NOW - HOUR : null, reviewed_at: opts.reviewed ?? null },
    });
    if (opts.refinery !== undefined && opts.refinery !== null) b.agent({ role: 'refinery', rig_id: rig, status: opts.refinery, hook: mr });
    return { b, mr, actions: reviewRules(ruleCtx(b)) };
  }
  const failed = (mr: string) => [{ type: 'transition_bead', bead_id: mr, from: 'in_progress', to: 'failed', reason: { code: 'pr_review_orphaned', message: expect.any(String) } }];

  it('an in_progress MR WITH a pr_url, unreviewed, no live refinery for 30 min → failed', () => {
    const { mr, actions } = orphan();
    expect(ofType(actions, 'transition_bead')).toEqual(failed(mr));
  });
  it('29:59.999 in status → left alone', () => {
    const { actions } = orphan({ age: 30 * MIN - 1 });
    expect(ofType(actions, 'transition_bead')).toEqual([]);
  });
  it('seed fix: awaiting approval suppresses R4 (the old rule failed it)', () => {
    const { actions } = orphan({ awaiting: true, age: 10 * HOUR });
    expect(ofType(actions, 'transition_bead')).toEqual([]);
  });
  it('a working or stalled refinery holding it keeps it', () => {
    expect(ofType(orphan({ refinery: 'working' }).actions, 'transition_bead')).toEqual([]);
    expect(ofType(orphan({ refinery: 'stalled' }).actions, 'transition_bead')).toEqual([]);
  });
  it('an idle refinery holding it does not: the MR fails and R6 does not re-dispatch it in the same tick', () => {
    const { mr, actions } = orphan({ refinery: 'idle' });
    expect(ofType(actions, 'transition_bead')).toEqual(failed(mr));
    expect(ofType(actions, 'dispatch_agent')).toEqual([]);
  });
  it('a reviewed MR, or a rig with review off, is never orphaned', () => {
    expect(ofType(orphan({ reviewed: NOW - HOUR }).actions, 'transition_bead')).toEqual([]);
    expect(ofType(orphan({ config: REVIEW_OFF }).actions, 'transition_bead')).toEqual([]);
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

describe('R7: live refinery hooked to a finished MR', () => {
  for (const c of [
    { agent: 'working' as const, mr: 'closed' as const, cleanup: true },
    { agent: 'stalled' as const, mr: 'failed' as const, cleanup: true },
    { agent: 'working' as const, mr: 'in_progress' as const, cleanup: false },
    { agent: 'idle' as const, mr: 'closed' as const, cleanup: false },
  ]) {
    it(`${c.agent} refinery on a ${c.mr} MR → ${c.cleanup ? 'stop + unhook + idle' : 'left alone'}`, () => {
      const { b, rig } = town();
      const mr = b.mergeRequest({ rig_id: rig, status: c.mr, status_changed_at: NOW - 10 * SEC });
      const refinery = b.agent({ role: 'refinery', rig_id: rig, status: c.agent, hook: mr, last_heartbeat_at: NOW, last_dispatch_at: NOW - MIN });
      const actions = reviewRules(ruleCtx(b));
      const expected = [
        { type: 'stop_agent', agent_id: refinery, reason: expect.any(String) },
        { type: 'unhook', agent_id: refinery, reason: 'merge_request_terminal' },
        { type: 'transition_agent', agent_id: refinery, from: c.agent, to: 'idle', reason: { code: 'merge_request_terminal', message: expect.any(String) } },
      ];
      expect(actions.filter((a) => a.type === 'stop_agent' || a.type === 'unhook' || a.type === 'transition_agent')).toEqual(c.cleanup ? expected : []);
    });
  }
});

describe('R8: PR awaiting approval for 24 h → one low escalation per episode', () => {
  function awaiting(since: number) {
    const { b, rig } = town();
    const mr = b.mergeRequest({ rig_id: rig, status: 'in_progress', pr_url: PR, review: { last_poll_at: NOW, reviewed_at: NOW - 30 * HOUR, awaiting_approval: 1, awaiting_approval_since: since } });
    return { b, mr };
  }
  it('24 h − 1 ms → nothing; exactly 24 h → escalate(pr_awaiting_approval, low)', () => {
    expect(reviewRules(ruleCtx(awaiting(NOW - 24 * HOUR + 1).b))).toEqual([]);
    const { b, mr } = awaiting(NOW - 24 * HOUR);
    expect(reviewRules(ruleCtx(b))).toEqual([{ type: 'escalate', category: 'pr_awaiting_approval', severity: 'low', parent_bead_id: mr, title: expect.any(String), body: expect.any(String) }]);
  });
  it('not repeated while one is open, nor after one raised in this episode was acknowledged', () => {
    const open = awaiting(NOW - 30 * HOUR);
    open.b.escalation({ category: 'pr_awaiting_approval', parent_bead_id: open.mr, created_at: NOW - 40 * HOUR });
    expect(reviewRules(ruleCtx(open.b))).toEqual([]);
    const acked = awaiting(NOW - 30 * HOUR);
    acked.b.escalation({ category: 'pr_awaiting_approval', parent_bead_id: acked.mr, created_at: NOW - 5 * HOUR, status: 'closed', acknowledged: true });
    expect(reviewRules(ruleCtx(acked.b))).toEqual([]);
  });
  it('an acknowledged escalation from an earlier episode does not silence a new one', () => {
    const { b, mr } = awaiting(NOW - 30 * HOUR);
    b.escalation({ category: 'pr_awaiting_approval', parent_bead_id: mr, created_at: NOW - 40 * HOUR, status: 'closed', acknowledged: true });
    expect(types(reviewRules(ruleCtx(b)))).toEqual(['escalate']);
  });
});
