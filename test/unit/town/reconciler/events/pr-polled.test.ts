/**
 * `pr_polled` (payload = `PrPollReport`): merged/closed PRs, counters (success zeroes them,
 * failures per the table with limits from the thresholds, failing the MR with event, escalation
 * and the `pr.poll_failed` analytics event), approval flips (bead and analytics events),
 * conflict episodes, feedback follow-ups and their cap, and the auto-merge grace timer on both
 * sides of its delay.
 */
import { describe, expect, it } from 'vitest';
import { TownBuilder } from '../town-builder.ts';
import { applyEvent } from '../../../../../src/town/reconciler/events/apply-event.ts';
import { HOUR, MIN, NOW, T, ofType, run, townEvent, types } from './event-ctx.ts';

const PR = 'https://github.com/acme/app/pull/7';
const OPEN = { ok: true, state: 'open', mergeable: 'clean', head_sha: 'abc1234', base_ref: 'main', is_draft: false };
const MERGED = { ...OPEN, state: 'merged' };
const GREEN = {
  ok: true,
  review_decision: 'APPROVED',
  merge_state_status: 'CLEAN',
  is_draft: false,
  unresolved_threads: false,
  failing_checks: false,
  pending_checks: false,
  has_unchecked_runs: false,
  all_checks_pass: true,
  awaiting_approval: false,
  changes_requested: false,
};
const NO_TOKEN_TRACE = [
  { source: 'github_cli_pat', outcome: 'absent' },
  { source: 'integration', outcome: 'absent' },
  { source: 'stored', outcome: 'absent' },
];

function prTown(opts: { rigConfig?: Record<string, unknown>; review?: Record<string, number | string | null>; status?: 'in_progress' | 'open'; prUrl?: string | null } = {}) {
  const b = new TownBuilder();
  const rig = b.rig({ config: opts.rigConfig ?? {} });
  const issue = b.bead({ rig_id: rig, status: 'in_review' });
  const mr = b.mergeRequest({ rig_id: rig, status: opts.status ?? 'in_progress', source: issue, pr_url: opts.prUrl === undefined ? PR : opts.prUrl, branch: 'gt/toast/abcd1234', review: { reviewed_at: NOW - HOUR, review_decision: 'APPROVED', ...opts.review } });
  return { b, rig, mr };
}
const polled = (mr: string, outcome: Record<string, unknown>, feedback?: Record<string, unknown>) =>
  townEvent('pr_polled', { outcome, ...(feedback === undefined ? {} : { feedback }) }, { bead_id: mr });

describe('pr_polled: PR state and counters', () => {
  it('merged → MR closed (the apply side cascades); counters zeroed', () => {
    const { b, mr } = prTown({ review: { poll_transient_count: 3 } });
    expect(run(b, polled(mr, MERGED)).actions).toEqual([
      { type: 'set_review_fields', bead_id: mr, patch: { poll_transient_count: 0, poll_non_transient_count: 0 } },
      { type: 'transition_bead', bead_id: mr, from: 'in_progress', to: 'closed', reason: { code: 'pr_merged', message: expect.any(String) } },
    ]);
  });
  it('closed unmerged → MR failed (pr_closed)', () => {
    const { b, mr } = prTown();
    expect(run(b, polled(mr, { ...OPEN, state: 'closed' })).actions).toEqual([{ type: 'transition_bead', bead_id: mr, from: 'in_progress', to: 'failed', reason: { code: 'pr_closed', message: expect.any(String) } }]);
  });
  it('an MR no longer in the PR phase is ignored', () => {
    const { b, mr } = prTown({ status: 'open' });
    expect(run(b, polled(mr, MERGED))).toEqual({ actions: [], warning: expect.any(String) });
  });
  it('an invalid outcome throws (failed attempt): the payload is exactly PrPollReport', () => {
    const { b, mr } = prTown();
    expect(() => run(b, polled(mr, { ...OPEN, state: 'weird' }))).toThrow();
    expect(() => run(b, polled(mr, { ok: true, state: 'merged' }))).toThrow();
    expect(() => run(b, polled(mr, { ok: false, kind: 'no_token', trace: 'github_cli_pat: absent' }))).toThrow();
    expect(() => run(b, polled(mr, OPEN, { error: 'graphql 502' }))).toThrow();
  });
  it('the 9th transient error only counts; the 10th fails the MR with event, escalation and metric', () => {
    const nine = prTown({ review: { poll_transient_count: 8 } });
    expect(run(nine.b, polled(nine.mr, { ok: false, kind: 'http_error', status: 502, transient: true })).actions).toEqual([
      { type: 'set_review_fields', bead_id: nine.mr, patch: { poll_transient_count: 9, poll_non_transient_count: 0 } },
    ]);
    const ten = prTown({ review: { poll_transient_count: 9 } });
    const r = run(ten.b, polled(ten.mr, { ok: false, kind: 'http_error', status: 502, transient: true }));
    expect(types(r.actions)).toEqual(['set_review_fields', 'bead_event', 'transition_bead', 'escalate', 'record_metric']);
    expect(r.actions[1]).toMatchObject({ event_type: 'pr_poll_failed', data: { failure_kind: 'http_error', status: 502 } });
    expect(r.actions[2]).toMatchObject({ to: 'failed', reason: { code: 'pr_poll_failed' } });
    expect(r.actions[3]).toMatchObject({ category: 'pr_poll_failed', severity: 'medium', parent_bead_id: ten.mr });
    expect(r.actions[4]).toEqual({
      type: 'record_metric',
      name: 'pr.poll_failed',
      data: { rig_id: ten.rig, bead_id: ten.mr, provider: 'github', failure_kind: 'http_error', status: 502, transient_count: 10, non_transient_count: 0 },
    });
  });
  it('no_token fails at once without touching the counters; the message names the sources tried and the PR', () => {
    const { b, mr } = prTown({ review: { poll_transient_count: 2 } });
    const r = run(b, polled(mr, { ok: false, kind: 'no_token', trace: NO_TOKEN_TRACE }));
    expect(types(r.actions)).toEqual(['bead_event', 'transition_bead', 'escalate', 'record_metric']);
    const message = ofType(r.actions, 'bead_event')[0]?.data?.message;
    expect(message).toContain('github_cli_pat: absent; integration: absent; stored: absent');
    expect(message).toContain(`PR #7 (${PR})`);
    expect(ofType(r.actions, 'record_metric')[0]?.data).toMatchObject({ failure_kind: 'no_token', transient_count: 2, non_transient_count: 0 });
  });
  it('a GitLab rig names GitLab and read_api in a 403 failure', () => {
    const b = new TownBuilder({ git_auth: { gitlab_instance_url: 'https://gitlab.example.com' } });
    const rig = b.rig({ git_url: 'https://gitlab.example.com/grp/app.git' });
    const issue = b.bead({ rig_id: rig, status: 'in_review' });
    const mr = b.mergeRequest({ rig_id: rig, status: 'in_progress', source: issue, pr_url: 'https://gitlab.example.com/grp/app/-/merge_requests/3', branch: 'gt/x' });
    const r = run(b, polled(mr, { ok: false, kind: 'http_error', status: 403, transient: false }));
    expect(ofType(r.actions, 'bead_event')[0]?.data?.message).toMatch(/^GitLab refused access to MR !3 .*read_api/);
    expect(ofType(r.actions, 'record_metric')[0]?.data).toMatchObject({ provider: 'gitlab', status: 403 });
  });
  it('the failure limits come from the thresholds', () => {
    const { b, mr } = prTown({ review: { poll_non_transient_count: 1 } });
    const event = polled(mr, { ok: false, kind: 'invalid_response', reason: 'json_parse' });
    expect(types(applyEvent(b.view(), event, NOW, T).actions)).toEqual(['set_review_fields']);
    expect(types(applyEvent(b.view(), event, NOW, { ...T, PR_POLL_NON_TRANSIENT_LIMIT: 2 }).actions)).toEqual(['set_review_fields', 'bead_event', 'transition_bead', 'escalate', 'record_metric']);
  });
});

describe('pr_polled: approval', () => {
  it('a flip to awaiting approval is stored with its time, a bead event and pr.awaiting_approval_detected', () => {
    const { b, rig, mr } = prTown();
    const r = run(b, polled(mr, OPEN, { ...GREEN, awaiting_approval: true, review_decision: 'REVIEW_REQUIRED' }));
    expect(ofType(r.actions, 'set_review_fields')[0]?.patch).toMatchObject({ awaiting_approval: true, awaiting_approval_since: NOW, review_decision: 'REVIEW_REQUIRED', last_feedback_check_at: NOW });
    expect(ofType(r.actions, 'bead_event')).toEqual([{ type: 'bead_event', bead_id: mr, event_type: 'awaiting_approval', data: { review_decision: 'REVIEW_REQUIRED' } }]);
    expect(ofType(r.actions, 'record_metric')).toEqual([{ type: 'record_metric', name: 'pr.awaiting_approval_detected', data: { rig_id: rig, bead_id: mr, review_decision: 'REVIEW_REQUIRED' } }]);
  });
  it('a flip back → approval_resolved and pr.awaiting_approval_resolved; no flip or unknown feedback → no event', () => {
    const { b, mr } = prTown({ review: { awaiting_approval: 1, awaiting_approval_since: NOW - HOUR } });
    const r = run(b, polled(mr, OPEN, GREEN));
    expect(ofType(r.actions, 'set_review_fields')[0]?.patch).toMatchObject({ awaiting_approval: false, awaiting_approval_since: null });
    expect(ofType(r.actions, 'bead_event').map((e) => e.event_type)).toEqual(['approval_resolved']);
    expect(ofType(r.actions, 'record_metric').map((e) => e.name)).toEqual(['pr.awaiting_approval_resolved']);
    for (const feedback of [{ ...GREEN, awaiting_approval: true }, { ok: false, error: 'graphql 502' }]) {
      const same = prTown({ review: { awaiting_approval: 1, awaiting_approval_since: NOW - HOUR } });
      const actions = run(same.b, polled(same.mr, OPEN, feedback)).actions;
      expect(ofType(actions, 'bead_event')).toEqual([]);
      expect(ofType(actions, 'record_metric')).toEqual([]);
    }
  });
});

describe('pr_polled: conflicts and feedback follow-ups', () => {
  it('a new dirty episode → a gt:pr-conflict follow-up blocking the MR', () => {
    const { b, rig, mr } = prTown();
    const r = run(b, polled(mr, { ...OPEN, mergeable: 'dirty' }, GREEN));
    expect(ofType(r.actions, 'create_bead')).toEqual([
      {
        type: 'create_bead',
        fields: {
          type: 'issue',
          title: 'Resolve merge conflicts on PR #7',
          body: expect.any(String),
          rig_id: rig,
          priority: 'medium',
          labels: ['gt:pr-conflict'],
          parent_bead_id: mr,
          followup_context: { pr_url: PR, branch: 'gt/toast/abcd1234', target_branch: 'main' },
        },
        edges: [{ type: 'blocks', direction: 'in', bead_id: mr }],
      },
    ]);
    const fields = ofType(r.actions, 'set_review_fields');
    expect(fields[0]?.patch).toMatchObject({ has_conflicts: true });
    expect(fields[1]?.patch).toEqual({ followup_count: 1 });
  });
  it('conflict resolution off → escalate(merge_conflict, high) instead', () => {
    const { b, mr } = prTown({ rigConfig: { refinery: { auto_resolve_merge_conflicts: false } } });
    const r = run(b, polled(mr, { ...OPEN, mergeable: 'dirty' }, GREEN));
    expect(ofType(r.actions, 'create_bead')).toEqual([]);
    expect(ofType(r.actions, 'escalate')).toEqual([{ type: 'escalate', category: 'merge_conflict', severity: 'high', parent_bead_id: mr, title: expect.any(String), body: expect.any(String) }]);
  });
  it('an ongoing episode creates nothing; clean ends it', () => {
    const ongoing = prTown({ review: { has_conflicts: 1 } });
    expect(ofType(run(ongoing.b, polled(ongoing.mr, { ...OPEN, mergeable: 'dirty' }, GREEN)).actions, 'create_bead')).toEqual([]);
    const ended = prTown({ review: { has_conflicts: 1 } });
    expect(ofType(run(ended.b, polled(ended.mr, OPEN, GREEN)).actions, 'set_review_fields')[0]?.patch).toMatchObject({ has_conflicts: false });
  });
  it('unresolved threads → a gt:pr-feedback follow-up, unless one is live', () => {
    const { b, mr } = prTown();
    const r = run(b, polled(mr, OPEN, { ...GREEN, unresolved_threads: true }));
    expect(ofType(r.actions, 'create_bead')[0]?.fields).toMatchObject({ title: 'Address review feedback on PR #7', labels: ['gt:pr-feedback'] });
    const live = prTown();
    live.b.bead({ rig_id: live.rig, parent_bead_id: live.mr, labels: ['gt:pr-feedback'], status: 'in_progress' });
    expect(ofType(run(live.b, polled(live.mr, OPEN, { ...GREEN, unresolved_threads: true })).actions, 'create_bead')).toEqual([]);
  });
  it('awaiting approval or unchecked runs alone create no follow-up', () => {
    const { b, mr } = prTown();
    expect(ofType(run(b, polled(mr, OPEN, { ...GREEN, awaiting_approval: true, all_checks_pass: false, has_unchecked_runs: true })).actions, 'create_bead')).toEqual([]);
  });
  for (const c of [
    { count: 4, fails: false },
    { count: 5, fails: true },
  ]) {
    it(`follow-up cap: ${c.count} follow-ups so far → ${c.fails ? 'MR failed (followup_cap) + escalation' : 'one more'}`, () => {
      const { b, mr } = prTown({ review: { followup_count: c.count } });
      const r = run(b, polled(mr, OPEN, { ...GREEN, changes_requested: true }));
      if (c.fails) {
        expect(r.actions).toEqual([
          { type: 'transition_bead', bead_id: mr, from: 'in_progress', to: 'failed', reason: { code: 'followup_cap', message: expect.any(String) } },
          { type: 'escalate', category: 'review_exhausted', severity: 'high', parent_bead_id: mr, title: expect.any(String), body: expect.any(String) },
        ]);
      } else expect(ofType(r.actions, 'create_bead')).toHaveLength(1);
    });
  }
});

describe('pr_polled: auto-merge grace timer (delay 5 min)', () => {
  it('a green poll starts the timer', () => {
    const { b, mr } = prTown();
    expect(ofType(run(b, polled(mr, OPEN, GREEN)).actions, 'set_review_fields')[0]?.patch).toEqual({ last_feedback_check_at: NOW, auto_merge_ready_since: NOW });
  });
  for (const c of [
    { since: NOW - 5 * MIN + 1, pending: false },
    { since: NOW - 5 * MIN, pending: true },
  ]) {
    it(`green since ${NOW - c.since} ms → ${c.pending ? 'auto_merge_pending' : 'still waiting'}`, () => {
      const { b, mr } = prTown({ review: { auto_merge_ready_since: c.since } });
      const patch = ofType(run(b, polled(mr, OPEN, GREEN)).actions, 'set_review_fields')[0]?.patch;
      expect(patch).toEqual(c.pending ? { last_feedback_check_at: NOW, auto_merge_pending: true } : { last_feedback_check_at: NOW });
    });
  }
  const notGreen: Array<{ name: string; outcome?: Record<string, unknown>; feedback?: Record<string, unknown> | null; review?: Record<string, number | string | null> }> = [
    { name: 'failing checks', feedback: { ...GREEN, failing_checks: true, all_checks_pass: false } },
    { name: 'unchecked runs', feedback: { ...GREEN, all_checks_pass: false, has_unchecked_runs: true } },
    { name: 'awaiting approval', feedback: { ...GREEN, awaiting_approval: true } },
    { name: 'a draft', outcome: { ...OPEN, is_draft: true } },
    { name: 'blocked', outcome: { ...OPEN, mergeable: 'blocked' } },
    { name: 'a feedback error (unknown)', feedback: { ok: false, error: 'graphql 502' } },
    { name: 'no feedback', feedback: null },
    { name: 'not reviewed with review on', review: { reviewed_at: null } },
  ];
  for (const c of notGreen) {
    it(`not green (${c.name}) resets the timer`, () => {
      const { b, mr } = prTown({ review: { auto_merge_ready_since: NOW - HOUR, auto_merge_pending: 1, ...c.review } });
      const r = run(b, polled(mr, c.outcome ?? OPEN, c.feedback === null ? undefined : (c.feedback ?? GREEN)));
      expect(ofType(r.actions, 'set_review_fields')[0]?.patch).toMatchObject({ auto_merge_ready_since: null, auto_merge_pending: false });
    });
  }
  it('auto-merge disabled (delay null) never starts the timer', () => {
    const { b, mr } = prTown({ rigConfig: { refinery: { auto_merge_delay_minutes: null } } });
    expect(ofType(run(b, polled(mr, OPEN, GREEN)).actions, 'set_review_fields')[0]?.patch).toEqual({ last_feedback_check_at: NOW });
  });
});
