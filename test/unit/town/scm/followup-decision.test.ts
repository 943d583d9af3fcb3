/**
 * Follow-up and approval decisions of an open-PR poll (`scm.md` §5–§6): conflict episodes,
 * feedback follow-ups (never for unchecked runs or approval alone, never a second live one), the
 * cap, and the awaiting-approval flip events.
 */
import { describe, expect, it } from 'vitest';
import type { PrFeedbackOk, PrStatusOk } from '../../../../src/protocol/scm.ts';
import { approvalFlip } from '../../../../src/town/scm/approval-flip.ts';
import { decideFollowUps, type FollowUpInput } from '../../../../src/town/scm/followup-decision.ts';

const STATUS: PrStatusOk = { ok: true, state: 'open', mergeable: 'clean', head_sha: 'abc', base_ref: 'main', is_draft: false };
const QUIET: PrFeedbackOk = {
  ok: true,
  review_decision: null,
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
const BASE: FollowUpInput = {
  status: STATUS,
  feedback: QUIET,
  had_conflicts: false,
  auto_resolve_merge_conflicts: true,
  auto_resolve_pr_feedback: true,
  live_feedback_followup: false,
  followup_count: 0,
};

describe('decideFollowUps: conflict episodes', () => {
  const cases: { name: string; input: FollowUpInput; want: { has_conflicts: boolean; conflict: 'followup' | 'escalate' | null } }[] = [
    { name: 'new dirty episode, auto-resolve on → follow-up', input: { ...BASE, status: { ...STATUS, mergeable: 'dirty' } }, want: { has_conflicts: true, conflict: 'followup' } },
    { name: 'new dirty episode, auto-resolve off → escalate', input: { ...BASE, status: { ...STATUS, mergeable: 'dirty' }, auto_resolve_merge_conflicts: false }, want: { has_conflicts: true, conflict: 'escalate' } },
    { name: 'same episode still dirty → nothing new', input: { ...BASE, status: { ...STATUS, mergeable: 'dirty' }, had_conflicts: true }, want: { has_conflicts: true, conflict: null } },
    { name: 'unknown keeps the episode', input: { ...BASE, status: { ...STATUS, mergeable: 'unknown' }, had_conflicts: true }, want: { has_conflicts: true, conflict: null } },
    { name: 'clean ends the episode', input: { ...BASE, had_conflicts: true }, want: { has_conflicts: false, conflict: null } },
    { name: 'blocked ends the episode', input: { ...BASE, status: { ...STATUS, mergeable: 'blocked' }, had_conflicts: true }, want: { has_conflicts: false, conflict: null } },
  ];
  it.each(cases)('$name', ({ input, want }) => {
    expect(decideFollowUps(input)).toMatchObject(want);
  });
});

describe('decideFollowUps: feedback', () => {
  const fb = (patch: Partial<PrFeedbackOk>): PrFeedbackOk => ({ ...QUIET, ...patch });
  const cases: { name: string; input: FollowUpInput; want: boolean }[] = [
    { name: 'unresolved threads', input: { ...BASE, feedback: fb({ unresolved_threads: true }) }, want: true },
    { name: 'failing checks', input: { ...BASE, feedback: fb({ failing_checks: true, all_checks_pass: false }) }, want: true },
    { name: 'changes requested', input: { ...BASE, feedback: fb({ changes_requested: true, review_decision: 'CHANGES_REQUESTED' }) }, want: true },
    { name: 'unchecked runs alone (101 passing runs)', input: { ...BASE, feedback: fb({ has_unchecked_runs: true, all_checks_pass: false }) }, want: false },
    { name: 'pending checks alone', input: { ...BASE, feedback: fb({ pending_checks: true, all_checks_pass: false }) }, want: false },
    { name: 'awaiting approval alone', input: { ...BASE, feedback: fb({ awaiting_approval: true, review_decision: 'REVIEW_REQUIRED' }) }, want: false },
    { name: 'a live gt:pr-feedback already', input: { ...BASE, feedback: fb({ unresolved_threads: true }), live_feedback_followup: true }, want: false },
    { name: 'auto-resolve off', input: { ...BASE, feedback: fb({ unresolved_threads: true }), auto_resolve_pr_feedback: false }, want: false },
    { name: 'feedback error (unknown)', input: { ...BASE, feedback: { ok: false, error: 'GraphQL: HTTP 502' } }, want: false },
    { name: 'no feedback (GitLab)', input: { ...BASE, feedback: null }, want: false },
  ];
  it.each(cases)('$name → $want', ({ input, want }) => {
    expect(decideFollowUps(input).feedback_followup).toBe(want);
  });
});

describe('decideFollowUps: cap', () => {
  it('fails past MAX_FOLLOWUPS_PER_MR, counting both follow-ups of one poll', () => {
    const both: FollowUpInput = { ...BASE, status: { ...STATUS, mergeable: 'dirty' }, feedback: { ...QUIET, unresolved_threads: true } };
    expect(decideFollowUps({ ...both, followup_count: 3 }).cap_exceeded).toBe(false);
    expect(decideFollowUps({ ...both, followup_count: 4 }).cap_exceeded).toBe(true);
    expect(decideFollowUps({ ...both, followup_count: 4, max_followups: 6 }).cap_exceeded).toBe(false);
  });

  it('an escalation or no follow-up never hits the cap', () => {
    expect(decideFollowUps({ ...BASE, followup_count: 9 }).cap_exceeded).toBe(false);
    expect(decideFollowUps({ ...BASE, status: { ...STATUS, mergeable: 'dirty' }, auto_resolve_merge_conflicts: false, followup_count: 9 }).cap_exceeded).toBe(false);
  });
});

describe('approvalFlip', () => {
  const NOW = 5_000;
  it('sets the flag with a timestamp and names the events', () => {
    expect(approvalFlip({ awaiting_approval: false, awaiting_approval_since: null }, { ...QUIET, awaiting_approval: true, review_decision: 'REVIEW_REQUIRED' }, NOW)).toEqual({
      next: { awaiting_approval: true, awaiting_approval_since: NOW },
      bead_event: 'awaiting_approval',
      metric: 'pr.awaiting_approval_detected',
    });
  });

  it('clears it when approved', () => {
    expect(approvalFlip({ awaiting_approval: true, awaiting_approval_since: 1 }, { ...QUIET, review_decision: 'APPROVED' }, NOW)).toEqual({
      next: { awaiting_approval: false, awaiting_approval_since: null },
      bead_event: 'approval_resolved',
      metric: 'pr.awaiting_approval_resolved',
    });
  });

  it('changes nothing without a flip or with unknown feedback', () => {
    const prev = { awaiting_approval: true, awaiting_approval_since: 1 };
    expect(approvalFlip(prev, { ...QUIET, awaiting_approval: true }, NOW)).toEqual({ next: prev, bead_event: null, metric: null });
    expect(approvalFlip(prev, { ok: false, error: 'x' }, NOW)).toEqual({ next: prev, bead_event: null, metric: null });
    expect(approvalFlip(prev, null, NOW)).toEqual({ next: prev, bead_event: null, metric: null });
  });
});
