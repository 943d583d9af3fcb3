/**
 * Merge effect outcomes (`reconciler.md` §3): `pr_merge_attempted` (auto-merge through the git
 * host) and `merge_result` (the container's deterministic merge, `container.md` §9.4). Only the
 * MR's primary transition is emitted; the apply side runs the cascades. Called by `applyEvent`.
 */
import type { MergeResultPayload, PrMergeAttemptedPayload } from '../../../protocol/events.ts';
import type { Action } from '../actions.ts';
import { reason, sourceIssueOf } from '../mr-facts.ts';
import { apply, warn, type EventInput, type EventResult } from './event-result.ts';

/** The MR id and attempt of a `git_merge` request id (`<bead_id>.<attempt>`), or null. */
export function parseMergeRequestId(requestId: string): { bead_id: string; attempt: number } | null {
  const [beadId, attempt, ...rest] = requestId.split('.');
  if (rest.length > 0) return null;
  const n = Number(attempt);
  if (beadId === undefined || beadId === '' || !Number.isSafeInteger(n)) return null;
  return { bead_id: beadId, attempt: n };
}

/** ok → MR `closed`; else clear the auto-merge timer so the next green poll starts a new grace period. */
export function prMergeAttempted(input: EventInput<PrMergeAttemptedPayload>): EventResult {
  const { bead: mr, payload } = input;
  if (mr === null || mr.type !== 'merge_request' || mr.status !== 'in_progress') return warn('pr_merge_attempted: the merge request is no longer in the PR phase');
  if (payload.ok) {
    const commit = payload.merge_commit ?? null;
    return apply([
      ...(commit === null ? [] : [{ type: 'set_review_fields' as const, bead_id: mr.id, patch: { merge_commit: commit } }]),
      { type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'closed', reason: reason('pr_merged', 'auto-merge merged the pull request') },
    ]);
  }
  return apply([
    { type: 'set_review_fields', bead_id: mr.id, patch: { auto_merge_pending: false, auto_merge_ready_since: null } },
    { type: 'bead_event', bead_id: mr.id, event_type: 'review_completed', data: { outcome: 'merge_failed', error: payload.error ?? 'merge not performed' } },
  ]);
}

/**
 * ok → MR `closed`; conflict → MR `failed` (`merge_conflict`) with the files on its source's
 * `followup_context.conflict_files`; error → MR back to `open` (R3 retries, capped). A failure
 * for an older attempt than the MR's current one is stale; a success always counts.
 */
export function mergeResult(input: EventInput<MergeResultPayload>): EventResult {
  const { bead: mr, payload } = input;
  if (mr === null || mr.type !== 'merge_request' || mr.status !== 'in_progress') return warn('merge_result: the merge request is no longer being merged');
  const attempt = parseMergeRequestId(payload.request_id)?.attempt ?? null;
  if (!payload.ok && attempt !== null && attempt < mr.dispatch_attempts) {
    return { actions: [], skip: 'stale', warning: `merge_result for attempt ${attempt}, the merge request is at attempt ${mr.dispatch_attempts}` };
  }
  if (payload.ok) {
    const commit = payload.merge_commit ?? null;
    return apply([
      ...(commit === null ? [] : [{ type: 'set_review_fields' as const, bead_id: mr.id, patch: { merge_commit: commit } }]),
      { type: 'bead_event', bead_id: mr.id, event_type: 'review_completed', data: { outcome: 'merged', merge_commit: commit } },
      { type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'closed', reason: reason('merged', 'the container merged the branch') },
    ]);
  }
  if (payload.conflict !== undefined) {
    const source = sourceIssueOf(input.view, mr.id);
    const files = payload.conflict.files;
    const context: Action[] = source === null ? [] : [{ type: 'set_followup_context', bead_id: source.id, patch: { conflict_files: files } }];
    return apply([
      ...context,
      { type: 'bead_event', bead_id: mr.id, event_type: 'review_completed', data: { outcome: 'conflict', conflict_files: files } },
      { type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'failed', reason: reason('merge_conflict', `merging conflicts in ${files.length} file(s)`) },
    ]);
  }
  const error = payload.error ?? 'merge failed';
  return apply([
    { type: 'bead_event', bead_id: mr.id, event_type: 'review_completed', data: { outcome: 'error', error } },
    { type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'open', reason: reason('merge_error', error) },
  ]);
}
