/**
 * Auto-merge decisions (`scm.md` §7), pure: is a PR **green** (open, not draft, mergeable
 * `clean`, no unresolved threads, all checks pass, neither awaiting approval nor changes
 * requested, no live follow-up, reviewed when code review is on), and the grace-period timer
 * (`auto_merge_ready_since`, `auto_merge_pending`) after one poll. Used by the `pr_polled`
 * handling and by `auto-merge.ts` right before merging.
 */
import type { PrFeedback, PrStatusOutcome } from '../../protocol/scm.ts';

/** Everything green depends on. */
export interface GreenInput {
  status: PrStatusOutcome;
  /** The feedback check; null when none ran (GitLab, or not requested). */
  feedback: PrFeedback | null;
  /** Live (non-terminal) follow-up issues of the MR, including ones created by this poll. */
  live_followups: number;
  /** The rig's effective `refinery.code_review`. */
  code_review: boolean;
  /** The MR's `reviewed_at` is set. */
  reviewed: boolean;
}

/** Why a PR is not green, in check order. */
export type GreenBlocker =
  | 'status_unknown'
  | 'not_open'
  | 'draft'
  | 'not_mergeable'
  | 'feedback_unknown'
  | 'unresolved_threads'
  | 'checks_not_passing'
  | 'awaiting_approval'
  | 'changes_requested'
  | 'live_followup'
  | 'not_reviewed';

/** Every reason the PR is not green; empty = green. A failed status or feedback check is never green. */
export function greenBlockers(input: GreenInput): GreenBlocker[] {
  const { status, feedback } = input;
  const out: GreenBlocker[] = [];
  if (!status.ok) out.push('status_unknown');
  else {
    if (status.state !== 'open') out.push('not_open');
    if (status.is_draft || (feedback?.ok === true && feedback.is_draft)) out.push('draft');
    if (status.mergeable !== 'clean') out.push('not_mergeable');
  }
  if (feedback === null || !feedback.ok) out.push('feedback_unknown');
  else {
    if (feedback.unresolved_threads) out.push('unresolved_threads');
    if (!feedback.all_checks_pass) out.push('checks_not_passing');
    if (feedback.awaiting_approval) out.push('awaiting_approval');
    if (feedback.changes_requested) out.push('changes_requested');
  }
  if (input.live_followups > 0) out.push('live_followup');
  if (input.code_review && !input.reviewed) out.push('not_reviewed');
  return out;
}

export function isGreen(input: GreenInput): boolean {
  return greenBlockers(input).length === 0;
}

/** The rig's effective `refinery.auto_merge` and `auto_merge_delay_minutes` (null = never). */
export interface AutoMergePolicy {
  auto_merge: boolean;
  delay_minutes: number | null;
}

/** Enabled when `auto_merge` is on and a delay is set. */
export function autoMergeEnabled(policy: AutoMergePolicy): boolean {
  return policy.auto_merge && policy.delay_minutes !== null;
}

/** The grace-period fields of `review_metadata`. */
export interface AutoMergeTimer {
  /** Epoch ms of the first green poll of the current streak, or null. */
  ready_since: number | null;
  pending: boolean;
}

const MINUTE_MS = 60_000;

/**
 * A green poll with auto-merge enabled starts the timer if unset and, once
 * `now − ready_since ≥ delay`, sets `pending`; anything else (not green, unknown, disabled)
 * clears both, so the next green poll starts a new grace period.
 */
export function nextAutoMergeTimer(prev: AutoMergeTimer, green: boolean, now: number, policy: AutoMergePolicy): AutoMergeTimer {
  if (!green || !autoMergeEnabled(policy) || policy.delay_minutes === null) return { ready_since: null, pending: false };
  const readySince = prev.ready_since ?? now;
  return { ready_since: readySince, pending: prev.pending || now - readySince >= policy.delay_minutes * MINUTE_MS };
}
