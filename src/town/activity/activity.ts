/**
 * T/activity (`http-api.md` §1.4 streams): bead_events in ascending `seq`. Without a cursor
 * the newest `limit` items; with one, the items after it. `next_cursor` is always the last
 * `seq` returned (or the cursor given, on an empty page), so clients can poll forward.
 */
import type { ActivityEvent, ActivityQuery } from '../../protocol/api.ts';
import { ValidationFailed } from '../../errors.ts';
import type { SqlHandle, SqlValue } from '../db/sql.ts';
import { rowToActivity } from '../beads/bead-events.ts';

export interface StreamPage<T> {
  items: T[];
  next_cursor: string | null;
}

/** A stream cursor is a non-negative integer seq. */
export function parseSeqCursor(cursor: string | undefined): number | null {
  if (cursor === undefined) return null;
  if (!/^\d{1,15}$/.test(cursor)) {
    throw new ValidationFailed('The cursor is not valid.', [{ path: ['cursor'], code: 'invalid_cursor', message: 'must be a seq returned by this stream' }], 'query');
  }
  return Number(cursor);
}

export function listActivity(sql: SqlHandle, q: ActivityQuery): StreamPage<ActivityEvent> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (q.rig_id !== undefined) where.push('rig_id = ?'), params.push(q.rig_id);
  if (q.bead_id !== undefined) where.push('bead_id = ?'), params.push(q.bead_id);
  if (q.agent_id !== undefined) where.push('agent_id = ?'), params.push(q.agent_id);
  if (q.type !== undefined) where.push('event_type = ?'), params.push(q.type);
  const after = parseSeqCursor(q.cursor);
  let rows;
  if (after === null) {
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    rows = sql.all(`SELECT * FROM bead_events ${clause} ORDER BY seq DESC LIMIT ?`, ...params, q.limit).reverse();
  } else {
    const clause = `WHERE ${[...where, 'seq > ?'].join(' AND ')}`;
    rows = sql.all(`SELECT * FROM bead_events ${clause} ORDER BY seq ASC LIMIT ?`, ...params, after, q.limit);
  }
  const items = rows.map(rowToActivity);
  const last = items[items.length - 1];
  return { items, next_cursor: last !== undefined ? String(last.seq) : after !== null ? String(after) : null };
}
