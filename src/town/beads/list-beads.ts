/**
 * Bead reads for the API: the filtered, cursor-paginated list (newest first) and the detail
 * view with `blocked_by`, `blocks` and recent activity. Agent and message beads are listed
 * only when `type` asks for them.
 */
import type { BeadListQuery, BeadWithRelations, Bead } from '../../protocol/api.ts';
import { NotFound } from '../../errors.ts';
import type { SqlHandle, SqlValue } from '../db/sql.ts';
import { placeholders } from '../db/sql.ts';
import { pageByCreated, type Page } from '../records/pagination.ts';
import { BEAD_COLUMNS, BEAD_FROM, findBead, rowToBead, rowToBeadRef } from './bead-rows.ts';
import { rowToActivity } from './bead-events.ts';

export function listBeads(sql: SqlHandle, q: BeadListQuery): Page<Bead> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (q.type !== undefined) {
    where.push(`b.type IN (${placeholders(q.type.length)})`);
    params.push(...q.type);
  } else {
    where.push(`b.type NOT IN ('agent', 'message')`);
  }
  if (q.status !== undefined) {
    where.push(`b.status IN (${placeholders(q.status.length)})`);
    params.push(...q.status);
  }
  if (q.rig_id !== undefined) where.push('b.rig_id = ?'), params.push(q.rig_id);
  if (q.assignee_agent_id !== undefined) where.push('b.assignee_agent_bead_id = ?'), params.push(q.assignee_agent_id);
  if (q.label !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM json_each(b.labels) WHERE json_each.value = ?)`);
    params.push(q.label);
  }
  return pageByCreated(
    sql,
    { select: BEAD_COLUMNS, table: BEAD_FROM, idColumn: 'b.bead_id', createdColumn: 'b.created_at', where, params },
    q,
    rowToBead,
  );
}

export function beadWithRelations(sql: SqlHandle, beadId: string): BeadWithRelations {
  const bead = findBead(sql, beadId);
  if (bead === null) throw new NotFound('bead', beadId);
  const blockedBy = sql
    .all(
      `SELECT o.* FROM bead_dependencies d JOIN beads o ON o.bead_id = d.depends_on_bead_id
       WHERE d.bead_id = ? AND d.dependency_type = 'blocks' ORDER BY o.created_at`,
      beadId,
    )
    .map(rowToBeadRef);
  const blocks = sql
    .all(
      `SELECT o.* FROM bead_dependencies d JOIN beads o ON o.bead_id = d.bead_id
       WHERE d.depends_on_bead_id = ? AND d.dependency_type = 'blocks' ORDER BY o.created_at`,
      beadId,
    )
    .map(rowToBeadRef);
  const recent = sql
    .all(`SELECT * FROM bead_events WHERE bead_id = ? ORDER BY seq DESC LIMIT 20`, beadId)
    .map(rowToActivity)
    .reverse();
  return { bead, blocked_by: blockedBy, blocks, recent_activity: recent };
}
