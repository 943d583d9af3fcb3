/**
 * T/merge-queue (read view): merge requests waiting or in review (`pending`), those that need a
 * human (`needs_attention`: failed in the last 24 h, or in review with no live refinery for
 * longer than the abandonment threshold), and the last 50 review events.
 */
import type { MergeItem, MergeQueue } from '../../protocol/api.ts';
import { ms } from '../db/clock.ts';
import { first, str, strOrNull, type SqlHandle, type SqlRow, type SqlValue } from '../db/sql.ts';
import { BEAD_SELECT, rowToBead, rowToBeadRef } from '../beads/bead-rows.ts';
import { parseJsonObject } from '../beads/json-columns.ts';
import { rowToActivity } from '../beads/bead-events.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** An in-review MR with no live refinery for this long needs attention (`reconciler.md` R2). */
const STALE_REVIEW_MS = 2 * 60 * 1000;

function failureReason(sql: SqlHandle, beadId: string): string | null {
  const row = first(
    sql,
    `SELECT metadata FROM bead_events WHERE bead_id = ? AND event_type = 'status_changed' AND new_value = 'failed' ORDER BY seq DESC LIMIT 1`,
    beadId,
  );
  if (row === null) return null;
  const reason = parseJsonObject(strOrNull(row, 'metadata')).reason;
  if (typeof reason === 'object' && reason !== null && 'message' in reason && typeof reason.message === 'string') return reason.message;
  return null;
}

function toItem(sql: SqlHandle, row: SqlRow, now: number): MergeItem {
  const bead = rowToBead(row);
  const sourceId = bead.review?.source_bead_id ?? null;
  const sourceRow = sourceId === null ? null : first(sql, `SELECT * FROM beads WHERE bead_id = ?`, sourceId);
  const agent = first(sql, `SELECT bead_id, status FROM agent_metadata WHERE current_hook_bead_id = ?`, bead.id);
  const changedAt = ms(strOrNull(row, 'status_changed_at')) ?? now;
  const liveAgent = agent !== null && (str(agent, 'status') === 'working' || str(agent, 'status') === 'stalled');
  const stale = bead.status === 'in_progress' && bead.review?.pr_url === null && !liveAgent && now - changedAt >= STALE_REVIEW_MS;
  return {
    bead,
    source: sourceRow === null ? null : rowToBeadRef(sourceRow),
    agent_id: agent === null ? null : str(agent, 'bead_id'),
    stale_since: stale ? strOrNull(row, 'status_changed_at') : null,
    failure_reason: bead.status === 'failed' ? failureReason(sql, bead.id) : null,
  };
}

export function mergeQueue(sql: SqlHandle, now: number, rigId: string | undefined): MergeQueue {
  const rigClause = rigId === undefined ? '' : ' AND b.rig_id = ?';
  const rigParams: SqlValue[] = rigId === undefined ? [] : [rigId];
  const live = sql
    .all(`${BEAD_SELECT} WHERE b.type = 'merge_request' AND b.status IN ('open', 'in_progress')${rigClause} ORDER BY b.created_at, b.bead_id`, ...rigParams)
    .map((r) => toItem(sql, r, now));
  const since = new Date(now - DAY_MS).toISOString();
  const failed = sql
    .all(`${BEAD_SELECT} WHERE b.type = 'merge_request' AND b.status = 'failed' AND b.closed_at >= ?${rigClause} ORDER BY b.closed_at DESC`, since, ...rigParams)
    .map((r) => toItem(sql, r, now));
  const recent = sql
    .all(
      `SELECT e.* FROM bead_events e JOIN beads b ON b.bead_id = e.bead_id
       WHERE b.type = 'merge_request' AND e.event_type IN ('review_submitted', 'review_completed', 'status_changed', 'pr_created', 'pr_poll_failed')${rigClause}
       ORDER BY e.seq DESC LIMIT 50`,
      ...rigParams,
    )
    .map(rowToActivity);
  return {
    pending: live.filter((i) => i.stale_since === null),
    needs_attention: [...live.filter((i) => i.stale_since !== null), ...failed],
    recent,
  };
}
