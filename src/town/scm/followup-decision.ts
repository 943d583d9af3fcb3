/**
 * Follow-up decisions of one open-PR poll (`scm.md` §6), pure: the conflict episode (a new
 * `dirty` episode → a `gt:pr-conflict` issue when `auto_resolve_merge_conflicts`, else an
 * escalation; the episode ends at `clean` or `blocked`, `unknown` changes nothing), review
 * feedback (unresolved threads, failing checks or changes requested → a `gt:pr-feedback` issue
 * when `auto_resolve_pr_feedback` and none is live; unchecked runs or awaiting approval alone
 * never), and the follow-up cap. Used by the `pr_polled` handling.
 */
import type { PrFeedback, PrStatusOk } from '../../protocol/scm.ts';

/** `MAX_FOLLOWUPS_PER_MR` (`reconciler.md` §1). */
export const MAX_FOLLOWUPS_PER_MR = 5;

export interface FollowUpInput {
  /** The status of the (open) PR. */
  status: PrStatusOk;
  /** Null or an error: unknown, no feedback follow-up. */
  feedback: PrFeedback | null;
  /** The MR's `has_conflicts` (a conflict episode is running). */
  had_conflicts: boolean;
  auto_resolve_merge_conflicts: boolean;
  auto_resolve_pr_feedback: boolean;
  /** A non-terminal `gt:pr-feedback` issue of this MR exists. */
  live_feedback_followup: boolean;
  /** Follow-ups created for the MR so far. */
  followup_count: number;
  max_followups?: number;
}

export interface FollowUpDecision {
  /** `has_conflicts` after this poll. */
  has_conflicts: boolean;
  /** What a new conflict episode asks for; null when none started. */
  conflict: 'followup' | 'escalate' | null;
  /** A new `gt:pr-feedback` issue is wanted. */
  feedback_followup: boolean;
  /** The wanted follow-ups exceed the cap: the MR fails (`followup_cap`) instead of creating them. */
  cap_exceeded: boolean;
}

/** The feedback asks for changes: threads, failing checks or changes requested. */
export function feedbackNeedsWork(feedback: PrFeedback | null): boolean {
  return feedback !== null && feedback.ok && (feedback.unresolved_threads || feedback.failing_checks || feedback.changes_requested);
}

export function decideFollowUps(input: FollowUpInput): FollowUpDecision {
  const { mergeable } = input.status;
  const newEpisode = mergeable === 'dirty' && !input.had_conflicts;
  const hasConflicts = mergeable === 'dirty' ? true : mergeable === 'unknown' ? input.had_conflicts : false;
  const conflict = newEpisode ? (input.auto_resolve_merge_conflicts ? 'followup' : 'escalate') : null;
  const feedbackFollowup = input.auto_resolve_pr_feedback && !input.live_feedback_followup && feedbackNeedsWork(input.feedback);
  const wanted = (conflict === 'followup' ? 1 : 0) + (feedbackFollowup ? 1 : 0);
  const cap = input.max_followups ?? MAX_FOLLOWUPS_PER_MR;
  return { has_conflicts: hasConflicts, conflict, feedback_followup: feedbackFollowup, cap_exceeded: wanted > 0 && input.followup_count + wanted > cap };
}
