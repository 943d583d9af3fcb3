/**
 * Ready work (`domain.md` §4): open, unassigned, unheld issues with a rig whose every `blocks`
 * dependency is closed and which belong to no staged convoy, in dispatch order (priority,
 * created_at, bead_id). Read by the reconciler's B1 rule, the cadence, and the benchmarks.
 */
import { num, str, strOrNull, type SqlHandle, type SqlRow } from '../db/sql.ts';

export interface ReadyBead {
  id: string;
  rig_id: string;
  dispatch_attempts: number;
  last_dispatch_attempt_at: string | null;
}

/**
 * The readiness predicate over alias `b`. `open_blockers` is kept by triggers (migration 001),
 * so the `beads_ready` index yields the candidates; only the staged-convoy check remains per
 * candidate, through the `bead_dependencies` primary key.
 */
const READY_WHERE = `b.type = 'issue' AND b.status = 'open' AND b.open_blockers = 0
    AND b.rig_id IS NOT NULL AND b.assignee_agent_bead_id IS NULL AND instr(b.labels, '"gt:held"') = 0
    AND NOT EXISTS (
      SELECT 1 FROM bead_dependencies t JOIN convoy_metadata c ON c.bead_id = t.depends_on_bead_id
      WHERE t.bead_id = b.bead_id AND t.dependency_type = 'tracks' AND c.state = 'staged')`;

/** Must match the `beads_ready` index expression (migration 001) for the index to order rows. */
const READY_ORDER = `ORDER BY (CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END),
    b.created_at, b.bead_id`;

const READY_COLUMNS = `SELECT b.bead_id, b.rig_id, b.dispatch_attempts, b.last_dispatch_attempt_at FROM beads b`;

/** Every ready bead of the town, in dispatch order. */
export const READY_WORK_SQL = `${READY_COLUMNS} WHERE ${READY_WHERE} ${READY_ORDER}`;

/** The first `limit` ready beads of one rig (what a dispatch pass with that capacity needs). */
export const READY_WORK_FOR_RIG_SQL = `${READY_COLUMNS} WHERE ${READY_WHERE} AND b.rig_id = ? ${READY_ORDER} LIMIT ?`;

/** As `READY_WORK_FOR_RIG_SQL`, with every bead column (for the reconciler's view). */
export const READY_ROWS_FOR_RIG_SQL = `SELECT b.* FROM beads b WHERE ${READY_WHERE} AND b.rig_id = ? ${READY_ORDER} LIMIT ?`;

function rowToReady(row: SqlRow): ReadyBead {
  return {
    id: str(row, 'bead_id'),
    rig_id: str(row, 'rig_id'),
    dispatch_attempts: num(row, 'dispatch_attempts'),
    last_dispatch_attempt_at: strOrNull(row, 'last_dispatch_attempt_at'),
  };
}

/** Every ready bead, in dispatch order. */
export function readyWork(sql: SqlHandle): ReadyBead[] {
  return sql.all(READY_WORK_SQL).map(rowToReady);
}

/** The first `limit` ready beads of `rigId`, in dispatch order. */
export function readyWorkForRig(sql: SqlHandle, rigId: string, limit: number): ReadyBead[] {
  return sql.all(READY_WORK_FOR_RIG_SQL, rigId, limit).map(rowToReady);
}

/** Whether any bead is ready (the cadence's "ready work" check). */
export function hasReadyWork(sql: SqlHandle): boolean {
  return sql.all(`SELECT 1 FROM beads b WHERE ${READY_WHERE} LIMIT 1`).length > 0;
}
