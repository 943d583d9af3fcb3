/**
 * A `pr_polled` whose status check failed (`scm.md` §4, `reconciler.md` §5.3): the poll counters
 * after the outcome (`nextPollCounterState`, limits from the thresholds) and, when polling gives
 * up, the MR `failed` (`pr_poll_failed`) with the bead event, a medium escalation and the
 * analytics event `pr.poll_failed`. Called by `pr-polled.ts`.
 */
import type { PrStatusFailure } from '../../../protocol/scm.ts';
import { nextPollCounterState } from '../../scm/poll-counters.ts';
import type { Action } from '../actions.ts';
import { reason } from '../mr-facts.ts';
import type { BeadState, ReviewState, RigState } from '../view.ts';
import { apply, type EventInput, type EventResult } from './event-result.ts';
import { rigProvider } from './pr-url-check.ts';

export function pollFailed(input: EventInput<unknown>, mr: BeadState, review: ReviewState, rig: RigState, outcome: PrStatusFailure): EventResult {
  const provider = rigProvider(input.view, rig);
  const prev = { transient: review.poll_transient_count, non_transient: review.poll_non_transient_count };
  const limits = { transient: input.t.PR_POLL_TRANSIENT_LIMIT, non_transient: input.t.PR_POLL_NON_TRANSIENT_LIMIT };
  const next = nextPollCounterState(prev, outcome, { provider, pr_url: review.pr_url ?? undefined, limits });
  const counters: Action[] =
    next.transient === prev.transient && next.non_transient === prev.non_transient
      ? []
      : [{ type: 'set_review_fields', bead_id: mr.id, patch: { poll_transient_count: next.transient, poll_non_transient_count: next.non_transient } }];
  const fail = next.fail;
  if (fail === null) return apply(counters);
  const status = fail.status === undefined ? {} : { status: fail.status };
  return apply([
    ...counters,
    { type: 'bead_event', bead_id: mr.id, event_type: 'pr_poll_failed', data: { failure_kind: fail.failure_kind, ...status, message: fail.message } },
    { type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'failed', reason: reason('pr_poll_failed', fail.message) },
    { type: 'escalate', category: 'pr_poll_failed', severity: 'medium', parent_bead_id: mr.id, title: `PR polling failed: ${mr.title}`, body: fail.message },
    {
      type: 'record_metric',
      name: 'pr.poll_failed',
      data: { rig_id: mr.rig_id, bead_id: mr.id, provider, failure_kind: fail.failure_kind, ...status, transient_count: next.transient, non_transient_count: next.non_transient },
    },
  ]);
}
