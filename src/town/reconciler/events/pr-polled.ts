/**
 * `pr_polled` (`reconciler.md` §5.3, `scm.md` §4–§7): the outcome of one PR poll, applied to an
 * MR still in the PR phase. A failed check goes to `pr-poll-failed.ts`; a success zeroes both
 * counters, closes the MR on a merged PR, fails it on a closed one, and for an open PR applies
 * the approval flip (`scm/approval-flip.ts`), the conflict episode and feedback follow-ups
 * (`scm/followup-decision.ts`) and the auto-merge grace timer (`scm/auto-merge-decision.ts`).
 * Every decision lives in `src/town/scm/`; this file turns them into actions. Called by `applyEvent`.
 */
import type { PrPolledPayload } from '../../../protocol/events.ts';
import type { PrFeedback, PrStatusOk } from '../../../protocol/scm.ts';
import { approvalFlip } from '../../scm/approval-flip.ts';
import { isGreen, nextAutoMergeTimer } from '../../scm/auto-merge-decision.ts';
import { decideFollowUps } from '../../scm/followup-decision.ts';
import type { Action, ReviewPatch } from '../actions.ts';
import { liveFollowUpsOf, reason, rigOf } from '../mr-facts.ts';
import type { BeadState, ReviewState, RigState } from '../view.ts';
import { apply, warn, type EventInput, type EventResult } from './event-result.ts';
import { followUpActions, followUpCapActions, type PollFollowUp } from './pr-followups.ts';
import { pollFailed } from './pr-poll-failed.ts';

type Input = EventInput<PrPolledPayload>;

/** Applies one poll outcome to an MR still in the PR phase; anything else is ignored. */
export function prPolled(input: Input): EventResult {
  const { view, bead: mr, payload } = input;
  if (mr === null || mr.type !== 'merge_request') return warn('pr_polled: not a merge request');
  const review = view.review(mr.id);
  if (mr.status !== 'in_progress' || review === null || review.pr_url === null) return warn(`pr_polled: merge request ${mr.id} is no longer in the PR phase`);
  const rig = rigOf(view, mr);
  if (rig === null) throw new Error(`merge request ${mr.id}: its rig is missing`);
  const outcome = payload.outcome;
  if (!outcome.ok) return pollFailed(input, mr, review, rig, outcome);

  const zeroed: ReviewPatch = review.poll_transient_count === 0 && review.poll_non_transient_count === 0 ? {} : { poll_transient_count: 0, poll_non_transient_count: 0 };
  if (outcome.state === 'merged') return apply([...patchAction(mr, zeroed), { type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'closed', reason: reason('pr_merged', 'the pull request was merged') }]);
  if (outcome.state === 'closed') return apply([...patchAction(mr, zeroed), { type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'failed', reason: reason('pr_closed', 'the pull request was closed without merging') }]);
  return openPr(input, mr, review, rig, outcome, payload.feedback ?? null, zeroed);
}

/** An open PR: approval, conflicts, feedback follow-ups (or the cap) and the auto-merge timer. */
function openPr(input: Input, mr: BeadState, review: ReviewState, rig: RigState, status: PrStatusOk, feedback: PrFeedback | null, zeroed: ReviewPatch): EventResult {
  const { view, now, t } = input;
  const refinery = rig.config.refinery;
  const patch: ReviewPatch = { ...zeroed };
  const extra: Action[] = [];

  if (feedback !== null && feedback.ok) {
    patch.last_feedback_check_at = now;
    if (feedback.review_decision !== review.review_decision) patch.review_decision = feedback.review_decision;
  }
  const flip = approvalFlip({ awaiting_approval: review.awaiting_approval, awaiting_approval_since: review.awaiting_approval_since }, feedback, now);
  if (flip.bead_event !== null && flip.metric !== null) {
    patch.awaiting_approval = flip.next.awaiting_approval;
    patch.awaiting_approval_since = flip.next.awaiting_approval_since;
    const decision = feedback !== null && feedback.ok ? feedback.review_decision : null;
    extra.push(
      { type: 'bead_event', bead_id: mr.id, event_type: flip.bead_event, data: { review_decision: decision } },
      { type: 'record_metric', name: flip.metric, data: { rig_id: mr.rig_id, bead_id: mr.id, review_decision: decision } },
    );
  }

  const decision = decideFollowUps({
    status,
    feedback,
    had_conflicts: review.has_conflicts,
    auto_resolve_merge_conflicts: refinery.auto_resolve_merge_conflicts,
    auto_resolve_pr_feedback: refinery.auto_resolve_pr_feedback,
    live_feedback_followup: liveFollowUpsOf(view, mr.id, 'gt:pr-feedback').length > 0,
    followup_count: review.followup_count,
    max_followups: t.MAX_FOLLOWUPS_PER_MR,
  });
  if (decision.cap_exceeded) return apply(followUpCapActions(mr, t.MAX_FOLLOWUPS_PER_MR));
  if (decision.has_conflicts !== review.has_conflicts) patch.has_conflicts = decision.has_conflicts;
  if (decision.conflict === 'escalate') extra.push(conflictEscalation(mr, review));
  const labels: PollFollowUp[] = [];
  if (decision.conflict === 'followup') labels.push('gt:pr-conflict');
  if (decision.feedback_followup) labels.push('gt:pr-feedback');

  const green = isGreen({ status, feedback, live_followups: liveFollowUpsOf(view, mr.id).length + labels.length, code_review: refinery.code_review, reviewed: review.reviewed_at !== null });
  const timer = nextAutoMergeTimer({ ready_since: review.auto_merge_ready_since, pending: review.auto_merge_pending }, green, now, { auto_merge: refinery.auto_merge, delay_minutes: refinery.auto_merge_delay_minutes });
  if (timer.ready_since !== review.auto_merge_ready_since) patch.auto_merge_ready_since = timer.ready_since;
  if (timer.pending !== review.auto_merge_pending) patch.auto_merge_pending = timer.pending;

  return apply([...patchAction(mr, patch), ...extra, ...followUpActions(mr, review, labels)]);
}

function patchAction(mr: BeadState, patch: ReviewPatch): Action[] {
  return Object.keys(patch).length === 0 ? [] : [{ type: 'set_review_fields', bead_id: mr.id, patch }];
}

function conflictEscalation(mr: BeadState, review: ReviewState): Action {
  return {
    type: 'escalate',
    category: 'merge_conflict',
    severity: 'high',
    parent_bead_id: mr.id,
    title: `Merge conflict: ${mr.title}`,
    body: `${review.pr_url ?? 'The pull request'} conflicts with its target branch and automatic conflict resolution is off.`,
  };
}
