/**
 * The `awaiting_approval` flag of an open PR (`scm.md` §5), pure: a known feedback check sets or
 * clears it (`review_decision == REVIEW_REQUIRED`); a flip stamps or clears
 * `awaiting_approval_since` and names the bead event (`awaiting_approval` / `approval_resolved`)
 * and analytics event (`pr.awaiting_approval_detected` / `_resolved`) to write. An unknown
 * feedback check changes nothing. Used by the `pr_polled` handling.
 */
import type { PrFeedback } from '../../protocol/scm.ts';

export interface ApprovalState {
  awaiting_approval: boolean;
  /** Epoch ms the flag was last set, or null. */
  awaiting_approval_since: number | null;
}

export interface ApprovalFlip {
  next: ApprovalState;
  bead_event: 'awaiting_approval' | 'approval_resolved' | null;
  metric: 'pr.awaiting_approval_detected' | 'pr.awaiting_approval_resolved' | null;
}

export function approvalFlip(prev: ApprovalState, feedback: PrFeedback | null, now: number): ApprovalFlip {
  if (feedback === null || !feedback.ok || feedback.awaiting_approval === prev.awaiting_approval) return { next: prev, bead_event: null, metric: null };
  if (feedback.awaiting_approval) {
    return { next: { awaiting_approval: true, awaiting_approval_since: now }, bead_event: 'awaiting_approval', metric: 'pr.awaiting_approval_detected' };
  }
  return { next: { awaiting_approval: false, awaiting_approval_since: null }, bead_event: 'approval_resolved', metric: 'pr.awaiting_approval_resolved' };
}
