/**
 * Green and the auto-merge grace period (`scm.md` §7): each green condition blocks on its own,
 * errors are never green, and the timer starts, fires after the delay and resets.
 */
import { describe, expect, it } from 'vitest';
import type { PrFeedback, PrFeedbackOk, PrStatusOk } from '../../../../src/protocol/scm.ts';
import { autoMergeEnabled, greenBlockers, isGreen, nextAutoMergeTimer, type GreenInput } from '../../../../src/town/scm/auto-merge-decision.ts';

const STATUS: PrStatusOk = { ok: true, state: 'open', mergeable: 'clean', head_sha: 'abc', base_ref: 'main', is_draft: false };
const FEEDBACK: PrFeedbackOk = {
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
const GREEN: GreenInput = { status: STATUS, feedback: FEEDBACK, live_followups: 0, code_review: true, reviewed: true };

describe('greenBlockers', () => {
  it('is green when every condition holds', () => {
    expect(greenBlockers(GREEN)).toEqual([]);
    expect(isGreen(GREEN)).toBe(true);
    expect(isGreen({ ...GREEN, code_review: false, reviewed: false })).toBe(true);
  });

  const feedback = (patch: Partial<PrFeedbackOk>): PrFeedback => ({ ...FEEDBACK, ...patch });
  const cases: { name: string; input: GreenInput; blocker: string }[] = [
    { name: 'status error', input: { ...GREEN, status: { ok: false, kind: 'http_error', status: 502, transient: true } }, blocker: 'status_unknown' },
    { name: 'merged', input: { ...GREEN, status: { ...STATUS, state: 'merged' } }, blocker: 'not_open' },
    { name: 'draft (REST)', input: { ...GREEN, status: { ...STATUS, is_draft: true } }, blocker: 'draft' },
    { name: 'draft (GraphQL)', input: { ...GREEN, feedback: feedback({ is_draft: true }) }, blocker: 'draft' },
    { name: 'dirty', input: { ...GREEN, status: { ...STATUS, mergeable: 'dirty' } }, blocker: 'not_mergeable' },
    { name: 'blocked', input: { ...GREEN, status: { ...STATUS, mergeable: 'blocked' } }, blocker: 'not_mergeable' },
    { name: 'unknown mergeability', input: { ...GREEN, status: { ...STATUS, mergeable: 'unknown' } }, blocker: 'not_mergeable' },
    { name: 'no feedback', input: { ...GREEN, feedback: null }, blocker: 'feedback_unknown' },
    { name: 'feedback error', input: { ...GREEN, feedback: { ok: false, error: 'GraphQL: HTTP 502' } }, blocker: 'feedback_unknown' },
    { name: 'unresolved threads (incl. > 100)', input: { ...GREEN, feedback: feedback({ unresolved_threads: true }) }, blocker: 'unresolved_threads' },
    { name: 'unchecked runs (> 100)', input: { ...GREEN, feedback: feedback({ has_unchecked_runs: true, all_checks_pass: false }) }, blocker: 'checks_not_passing' },
    { name: 'pending checks', input: { ...GREEN, feedback: feedback({ pending_checks: true, all_checks_pass: false }) }, blocker: 'checks_not_passing' },
    { name: 'awaiting approval', input: { ...GREEN, feedback: feedback({ awaiting_approval: true, review_decision: 'REVIEW_REQUIRED' }) }, blocker: 'awaiting_approval' },
    { name: 'changes requested', input: { ...GREEN, feedback: feedback({ changes_requested: true }) }, blocker: 'changes_requested' },
    { name: 'live follow-up', input: { ...GREEN, live_followups: 1 }, blocker: 'live_followup' },
    { name: 'code review on, not reviewed', input: { ...GREEN, reviewed: false }, blocker: 'not_reviewed' },
  ];
  it.each(cases)('$name → $blocker', ({ input, blocker }) => {
    expect(greenBlockers(input)).toContain(blocker);
    expect(isGreen(input)).toBe(false);
  });
});

describe('auto-merge timer', () => {
  const POLICY = { auto_merge: true, delay_minutes: 5 };
  const T0 = 1_000_000;
  const MIN = 60_000;

  it('is enabled only with auto_merge and a delay', () => {
    expect(autoMergeEnabled(POLICY)).toBe(true);
    expect(autoMergeEnabled({ auto_merge: true, delay_minutes: 0 })).toBe(true);
    expect(autoMergeEnabled({ auto_merge: true, delay_minutes: null })).toBe(false);
    expect(autoMergeEnabled({ auto_merge: false, delay_minutes: 5 })).toBe(false);
  });

  const cases: { name: string; prev: { ready_since: number | null; pending: boolean }; green: boolean; now: number; policy: { auto_merge: boolean; delay_minutes: number | null }; want: { ready_since: number | null; pending: boolean } }[] = [
    { name: 'first green poll starts the timer', prev: { ready_since: null, pending: false }, green: true, now: T0, policy: POLICY, want: { ready_since: T0, pending: false } },
    { name: 'still inside the delay', prev: { ready_since: T0, pending: false }, green: true, now: T0 + 5 * MIN - 1, policy: POLICY, want: { ready_since: T0, pending: false } },
    { name: 'delay reached → pending', prev: { ready_since: T0, pending: false }, green: true, now: T0 + 5 * MIN, policy: POLICY, want: { ready_since: T0, pending: true } },
    { name: 'delay 0 → pending on the first green poll', prev: { ready_since: null, pending: false }, green: true, now: T0, policy: { auto_merge: true, delay_minutes: 0 }, want: { ready_since: T0, pending: true } },
    { name: 'pending stays set while green', prev: { ready_since: T0, pending: true }, green: true, now: T0 + 6 * MIN, policy: POLICY, want: { ready_since: T0, pending: true } },
    { name: 'not green clears both', prev: { ready_since: T0, pending: true }, green: false, now: T0 + 6 * MIN, policy: POLICY, want: { ready_since: null, pending: false } },
    { name: 'disabled (null delay) never starts', prev: { ready_since: null, pending: false }, green: true, now: T0, policy: { auto_merge: true, delay_minutes: null }, want: { ready_since: null, pending: false } },
    { name: 'auto_merge off clears a running timer', prev: { ready_since: T0, pending: false }, green: true, now: T0, policy: { auto_merge: false, delay_minutes: 5 }, want: { ready_since: null, pending: false } },
  ];
  it.each(cases)('$name', ({ prev, green, now, policy, want }) => {
    expect(nextAutoMergeTimer(prev, green, now, policy)).toEqual(want);
  });

  it('a green streak broken by one unknown poll starts a new grace period', () => {
    let timer = nextAutoMergeTimer({ ready_since: null, pending: false }, true, T0, POLICY);
    timer = nextAutoMergeTimer(timer, false, T0 + 4 * MIN, POLICY);
    timer = nextAutoMergeTimer(timer, true, T0 + 5 * MIN, POLICY);
    expect(timer).toEqual({ ready_since: T0 + 5 * MIN, pending: false });
  });
});
