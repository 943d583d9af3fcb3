/**
 * Ready work (`domain.md` §4): open, unassigned, unheld issues with a rig whose every `blocks`
 * dependency is closed and which belong to no staged convoy, in dispatch order (priority,
 * created_at, bead_id). Read by the reconciler's B1 rule and by the benchmarks.
 */
import { num, str, type SqlHandle } from '../db/sql.ts';

export interface ReadyBead {
  id: string;
  rig_id: string;
  priority: string;
  created_at: string;
  dispatch_attempts: number;
  last_dispatch_attempt_at: string | null;
}

/**
 * The ready-work query. `beads_type_status` narrows to open issues; each candidate's gating
 * edges are found through the `bead_dependencies` primary key (bead_id first).
 */
export const READY_WORK_SQL = `
  SELECT b.bead_id, b.rig_id, b.priority, b.created_at, b.dispatch_attempts, b.last_dispatch_attempt_at
  FROM beads b
  WHERE b.type = 'issue' AND b.status = 'open' AND b.rig_id IS NOT NULL AND b.assignee_agent_bead_id IS NULL
    AND instr(b.labels, '"gt:held"') = 0
    AND NOT EXISTS (
      SELECT 1 FROM bead_dependencies d JOIN beads blocker ON blocker.bead_id = d.depends_on_bead_id
      WHERE d.bead_id = b.bead_id AND d.dependency_type = 'blocks' AND blocker.status <> 'closed')
    AND NOT EXISTS (
      SELECT 1 FROM bead_dependencies t JOIN convoy_metadata c ON c.bead_id = t.depends_on_bead_id
      WHERE t.bead_id = b.bead_id AND t.dependency_type = 'tracks' AND c.state = 'staged')
  ORDER BY CASE b.priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
    b.created_at, b.bead_id`;

/** Every ready bead, in dispatch order. */
export function readyWork(sql: SqlHandle): ReadyBead[] {
  return sql.all(READY_WORK_SQL).map((row) => ({
    id: str(row, 'bead_id'),
    rig_id: str(row, 'rig_id'),
    priority: str(row, 'priority'),
    created_at: str(row, 'created_at'),
    dispatch_attempts: num(row, 'dispatch_attempts'),
    last_dispatch_attempt_at: typeof row.last_dispatch_attempt_at === 'string' ? row.last_dispatch_attempt_at : null,
  }));
}
