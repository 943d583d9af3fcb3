/**
 * Rule group 5.3 (`reviewRules`), part 1: R1 polling/auto-merge, R2 abandoned review, R4 orphaned
 * PR review (the seed fixes: R4 covers MRs WITH a pr_url and is suppressed by
 * `awaiting_approval`), R7 refinery clean-up and R8 approval nag, each on both sides of its
 * threshold. R3, R5 and R6 are in review-queue.test.ts.
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
