/**
 * `pr_polled` (`reconciler.md` §5.3, `scm.md` §4–§7): the outcome of one PR poll. Counters (a
 * success zeroes both; failures per `nextPollCounterState`), merged/closed PRs, approval flips,
 * conflict episodes, feedback follow-ups and the auto-merge grace timer. Called by `applyEvent`.
 */
import type { PrPolledPayload } from '../../../protocol/events.ts';
import type { Action, ReviewPatch } from '../actions.ts';
import { liveFollowUpsOf, reason } from '../mr-facts.ts';
import type { BeadState, ReviewState, RigState } from '../view.ts';
import { parsePrUrl } from '../../scm/parse-pr-url.ts';
import { apply, warn, type EventInput, type EventResult } from './event-result.ts';
import { nextPollCounterState, type PollProvider } from './poll-counters.ts';
import { followUpActions, type PollFollowUp } from './pr-followups.ts';
import { PrFeedback, PrStatusOutcome } from './pr-outcome.ts';

type Input = EventInput<PrPolledPayload>;

const MINUTE_MS = 60_000;

/** Applies one poll outcome to an MR still in the PR phase; anything else is ignored. */
export function prPolled(input: Input): EventResult {
  const { view, bead: mr } = input;
  const outcome = PrStatusOutcome.parse(input.payload.outcome);
  const feedback = input.payload.feedback === undefined ? null : PrFeedback.parse(input.payload.feedback);
  if (mr === null || mr.type !== 'merge_request') return warn('pr_polled: not a merge request');
  const review = view.review(mr.id);
  if (mr.status !== 'in_progress' || review === null || review.pr_url === null) return warn(`pr_polled: merge request ${mr.id} is no longer in the PR phase`);
  if (!outcome.ok) return pollFailed(input, mr, review, outcome);

  const zero: Action[] =
    review.poll_transient_count === 0 && review.poll_non_transient_count === 0 ? [] : [{ type: 'set_review_fields', bead_id: mr.id, patch: { poll_transient_count: 0, poll_non_transient_count: 0 } }];
  if (outcome.state === 'merged') return apply([...zero, { type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'closed', reason: reason('pr_merged', 'the pull request was merged') }]);
  if (outcome.state === 'closed') return apply([...zero, { type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'failed', reason: reason('pr_closed', 'the pull request was closed without merging') }]);

  const rig = mr.rig_id === null ? null : view.rig(mr.rig_id);
  if (rig === null) throw new Error(`merge request ${mr.id}: its rig is missing`);
  // A feedback check that errored is unknown: no follow-up, timer reset.
  const known = feedback !== null && feedback.error === undefined ? feedback : null;
  const patch: ReviewPatch = zero.length === 0 ? {} : { poll_transient_count: 0, poll_non_transient_count: 0 };
  const events: Action[] = [];

  const awaiting = known?.awaiting_approval ?? review.awaiting_approval;
  if (known !== null) {
    patch.last_feedback_check_at = input.now;
    if (known.review_decision !== undefined && known.review_decision !== review.review_decision) patch.review_decision = known.review_decision;
    if (awaiting !== review.awaiting_approval) {
      patch.awaiting_approval = awaiting;
      patch.awaiting_approval_since = awaiting ? input.now : null;
      events.push({ type: 'bead_event', bead_id: mr.id, event_type: awaiting ? 'awaiting_approval' : 'approval_resolved', data: { review_decision: known.review_decision ?? null } });
    }
  }

  const followUps: PollFollowUp[] = [];
  if (outcome.mergeable === 'dirty' && !review.has_conflicts) {
    patch.has_conflicts = true;
    if (rig.config.refinery.auto_resolve_merge_conflicts) followUps.push('gt:pr-conflict');
    else events.push(conflictEscalation(mr, review));
  } else if ((outcome.mergeable === 'clean' || outcome.mergeable === 'blocked') && review.has_conflicts) {
    patch.has_conflicts = false;
  }
  const needsFix = known !== null && (known.unresolved_threads || known.failing_checks || known.changes_requested === true);
  if (needsFix && rig.config.refinery.auto_resolve_pr_feedback && liveFollowUpsOf(view, mr.id, 'gt:pr-feedback').length === 0) followUps.push('gt:pr-feedback');

  const followUpList = followUpActions(mr, review, followUps, input.t);
  if (followUpList.some((a) => a.type === 'transition_bead')) return apply(followUpList);

  const green =
    known !== null &&
    !outcome.is_draft &&
    outcome.mergeable === 'clean' &&
    !known.unresolved_threads &&
    known.all_checks_pass &&
    !awaiting &&
    known.changes_requested !== true &&
    followUps.length === 0 &&
    liveFollowUpsOf(view, mr.id).length === 0 &&
    (!rig.config.refinery.code_review || review.reviewed_at !== null);
  Object.assign(patch, autoMergePatch(rig, review, green, input.now));

  const setFields: Action[] = Object.keys(patch).length === 0 ? [] : [{ type: 'set_review_fields', bead_id: mr.id, patch }];
  return apply([...setFields, ...events, ...followUpList]);
}

/** The grace timer (`scm.md` §7): green starts it, after the delay merge is pending; not green resets it. */
function autoMergePatch(rig: RigState, review: ReviewState, green: boolean, now: number): ReviewPatch {
  const delay = rig.config.refinery.auto_merge_delay_minutes;
  if (rig.config.refinery.auto_merge && delay !== null && green) {
    const since = review.auto_merge_ready_since ?? now;
    const patch: ReviewPatch = review.auto_merge_ready_since === null ? { auto_merge_ready_since: now } : {};
    if (!review.auto_merge_pending && now - since >= delay * MINUTE_MS) patch.auto_merge_pending = true;
    return patch;
  }
  if (review.auto_merge_ready_since === null && !review.auto_merge_pending) return {};
  return { auto_merge_ready_since: null, auto_merge_pending: false };
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

function providerOf(prUrl: string): PollProvider {
  const parsed = parsePrUrl(prUrl, true);
  return parsed.ok ? parsed.pr.provider : 'none';
}

/** A failed poll: store the counters; at the limit fail the MR with an event, an escalation and a metric. */
function pollFailed(input: Input, mr: BeadState, review: ReviewState, outcome: Extract<PrStatusOutcome, { ok: false }>): EventResult {
  const provider = providerOf(review.pr_url ?? '');
  const next = nextPollCounterState({ transient: review.poll_transient_count, non_transient: review.poll_non_transient_count }, outcome, input.t, provider);
  const counters: Action[] =
    next.transient === review.poll_transient_count && next.non_transient === review.poll_non_transient_count
      ? []
      : [{ type: 'set_review_fields', bead_id: mr.id, patch: { poll_transient_count: next.transient, poll_non_transient_count: next.non_transient } }];
  const fail = next.fail;
  if (fail === null) return apply(counters);
  const data = { failure_kind: fail.failure_kind, ...(fail.status === undefined ? {} : { status: fail.status }), message: fail.message };
  return apply([
    ...counters,
    { type: 'bead_event', bead_id: mr.id, event_type: 'pr_poll_failed', data },
    { type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'failed', reason: reason('pr_poll_failed', fail.message) },
    { type: 'escalate', category: 'pr_poll_failed', severity: 'medium', parent_bead_id: mr.id, title: `PR polling failed: ${mr.title}`, body: fail.message },
    {
      type: 'record_metric',
      name: 'pr.poll_failed',
      data: { rig_id: mr.rig_id, bead_id: mr.id, provider, failure_kind: fail.failure_kind, ...(fail.status === undefined ? {} : { status: fail.status }), transient_count: next.transient, non_transient_count: next.non_transient },
    },
  ]);
}
