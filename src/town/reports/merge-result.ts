/**
 * C`/merge-result` (`container.md` §9.4, `reconciler.md` §3 `merge_result`): the outcome of a
 * `/git/merge` request, stored as a town event for the next tick. The request id is
 * `<bead_id>.<attempt>` and must name a merge request (404 otherwise); each request id is
 * stored once, so the container's retries are accepted without a second event.
 */
import type { MergeResultReport } from '../../protocol/container.ts';
import { NotFound } from '../../errors.ts';
import { first, type SqlHandle } from '../db/sql.ts';
import type { TownCtx } from '../context.ts';
import { insertTownEvent } from '../events/town-events.ts';
import { parseMergeRequestId } from '../reconciler/events/merge-outcomes.ts';

/** The merge request a request id names, or `NotFound`. */
function requireMergeRequest(sql: SqlHandle, requestId: string): string {
  const parsed = parseMergeRequestId(requestId);
  const beadId = parsed?.bead_id.toLowerCase() ?? null;
  const row = beadId === null ? null : first(sql, `SELECT bead_id FROM beads WHERE bead_id = ? AND type = 'merge_request'`, beadId);
  if (row === null || beadId === null) throw new NotFound('merge request', requestId);
  return beadId;
}

/** Stores the report once per request id; `inserted` says whether this call stored it. */
export function recordMergeResult(ctx: TownCtx, report: MergeResultReport): { accepted: true; inserted: boolean } {
  const beadId = requireMergeRequest(ctx.sql, report.request_id);
  const dedupe = `merge_result:${report.request_id}`;
  if (first(ctx.sql, `SELECT 1 AS seen FROM town_events WHERE dedupe_key = ?`, dedupe) !== null) return { accepted: true, inserted: false };
  insertTownEvent(ctx.sql, { event_type: 'merge_result', bead_id: beadId, payload: { ...report }, dedupe_key: dedupe }, ctx.now);
  return { accepted: true, inserted: true };
}
