/**
 * Convoy counters (`domain.md` §6.3): total = tracked issues, closed = closed members with no
 * live MR, failed = failed members. Recounted by every bead transition in the same transaction.
 */
import { num, type SqlHandle } from '../db/sql.ts';

export interface ConvoyCounts {
  total: number;
  closed: number;
  failed: number;
}

/** Counts the members of one convoy from the dependency edges. */
export function countConvoyMembers(sql: SqlHandle, convoyId: string): ConvoyCounts {
  const row = sql.all(
    `SELECT COUNT(*) AS total,
       COALESCE(SUM(CASE WHEN m.status = 'closed' AND NOT EXISTS (
         SELECT 1 FROM bead_dependencies t JOIN beads mr ON mr.bead_id = t.bead_id
         WHERE t.depends_on_bead_id = m.bead_id AND t.dependency_type = 'tracks' AND mr.type = 'merge_request'
           AND mr.status IN ('open', 'in_progress')) THEN 1 ELSE 0 END), 0) AS closed,
       COALESCE(SUM(CASE WHEN m.status = 'failed' THEN 1 ELSE 0 END), 0) AS failed
     FROM bead_dependencies d JOIN beads m ON m.bead_id = d.bead_id
     WHERE d.depends_on_bead_id = ? AND d.dependency_type = 'tracks' AND m.type = 'issue'`,
    convoyId,
  )[0];
  return row === undefined ? { total: 0, closed: 0, failed: 0 } : { total: num(row, 'total'), closed: num(row, 'closed'), failed: num(row, 'failed') };
}

/** Writes fresh counters to `convoy_metadata`; returns them. */
export function recountConvoy(sql: SqlHandle, convoyId: string): ConvoyCounts {
  const counts = countConvoyMembers(sql, convoyId);
  sql.run(
    `UPDATE convoy_metadata SET total_beads = ?, closed_beads = ?, failed_beads = ? WHERE bead_id = ?`,
    counts.total,
    counts.closed,
    counts.failed,
    convoyId,
  );
  return counts;
}

/** Recounts every convoy the bead (an issue, or an MR through its source) belongs to. */
export function recountConvoysOf(sql: SqlHandle, beadId: string): void {
  const rows = sql.all(
    `SELECT DISTINCT c.bead_id AS convoy_id FROM convoy_metadata c
     WHERE c.bead_id IN (
       SELECT d.depends_on_bead_id FROM bead_dependencies d WHERE d.bead_id = ? AND d.dependency_type = 'tracks'
       UNION
       SELECT d2.depends_on_bead_id FROM bead_dependencies d1
         JOIN bead_dependencies d2 ON d2.bead_id = d1.depends_on_bead_id AND d2.dependency_type = 'tracks'
       WHERE d1.bead_id = ? AND d1.dependency_type = 'tracks')`,
    beadId,
    beadId,
  );
  for (const row of rows) {
    const id = row.convoy_id;
    if (typeof id === 'string') recountConvoy(sql, id);
  }
}
