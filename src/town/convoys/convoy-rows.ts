/**
 * Reading convoys: `convoy_metadata` joined with its bead, mapped to the API's Convoy and
 * ConvoyDetail (members with their assignee names and the `blocks` edges among them).
 */
import type { Convoy, ConvoyDetail } from '../../protocol/api.ts';
import { ConvoyStatus, MergeMode } from '../../protocol/common.ts';
import { NotFound } from '../../errors.ts';
import { first, num, str, strOrNull, type SqlHandle, type SqlRow } from '../db/sql.ts';
import { rowToBeadRef } from '../beads/bead-rows.ts';

export const CONVOY_SELECT = `
  SELECT c.*, b.title AS title, b.created_by AS created_by, b.created_at AS created_at
  FROM convoy_metadata c JOIN beads b ON b.bead_id = c.bead_id`;

function memberStats(sql: SqlHandle, convoyId: string): { rig_ids: string[]; active: number } {
  const rows = sql.all(
    `SELECT m.rig_id, m.status FROM bead_dependencies d JOIN beads m ON m.bead_id = d.bead_id
     WHERE d.depends_on_bead_id = ? AND d.dependency_type = 'tracks' AND m.type = 'issue'`,
    convoyId,
  );
  const rigs = new Set<string>();
  let active = 0;
  for (const row of rows) {
    const rig = strOrNull(row, 'rig_id');
    if (rig !== null) rigs.add(rig);
    const status = str(row, 'status');
    if (status === 'in_progress' || status === 'in_review') active += 1;
  }
  return { rig_ids: [...rigs].sort(), active };
}

export function rowToConvoy(sql: SqlHandle, row: SqlRow): Convoy {
  const id = str(row, 'bead_id');
  const stats = memberStats(sql, id);
  return {
    id,
    title: str(row, 'title'),
    status: ConvoyStatus.parse(str(row, 'state')),
    merge_mode: MergeMode.parse(str(row, 'merge_mode')),
    feature_branch: strOrNull(row, 'feature_branch'),
    rig_ids: stats.rig_ids,
    progress: { total: num(row, 'total_beads'), closed: num(row, 'closed_beads'), failed: num(row, 'failed_beads'), active: stats.active },
    created_by: str(row, 'created_by'),
    created_at: str(row, 'created_at'),
    landed_at: strOrNull(row, 'landed_at'),
  };
}

export function findConvoy(sql: SqlHandle, convoyId: string): Convoy | null {
  const row = first(sql, `${CONVOY_SELECT} WHERE c.bead_id = ?`, convoyId);
  return row === null ? null : rowToConvoy(sql, row);
}

export function requireConvoy(sql: SqlHandle, convoyId: string): Convoy {
  const convoy = findConvoy(sql, convoyId);
  if (convoy === null) throw new NotFound('convoy', convoyId);
  return convoy;
}

/** Member ids of a convoy, oldest first. */
export function convoyMemberIds(sql: SqlHandle, convoyId: string): string[] {
  return sql
    .all(
      `SELECT m.bead_id FROM bead_dependencies d JOIN beads m ON m.bead_id = d.bead_id
       WHERE d.depends_on_bead_id = ? AND d.dependency_type = 'tracks' AND m.type = 'issue' ORDER BY m.created_at, m.bead_id`,
      convoyId,
    )
    .map((r) => str(r, 'bead_id'));
}

export function convoyDetail(sql: SqlHandle, convoyId: string): ConvoyDetail {
  const convoy = requireConvoy(sql, convoyId);
  const members = sql.all(
    `SELECT m.*, a.name AS assignee_name FROM bead_dependencies d JOIN beads m ON m.bead_id = d.bead_id
     LEFT JOIN agent_metadata a ON a.bead_id = m.assignee_agent_bead_id
     WHERE d.depends_on_bead_id = ? AND d.dependency_type = 'tracks' AND m.type = 'issue' ORDER BY m.created_at, m.bead_id`,
    convoyId,
  );
  const edges = sql
    .all(
      `SELECT e.bead_id, e.depends_on_bead_id FROM bead_dependencies e
       WHERE e.dependency_type = 'blocks'
         AND e.bead_id IN (SELECT bead_id FROM bead_dependencies WHERE depends_on_bead_id = ? AND dependency_type = 'tracks')
         AND e.depends_on_bead_id IN (SELECT bead_id FROM bead_dependencies WHERE depends_on_bead_id = ? AND dependency_type = 'tracks')
       ORDER BY e.created_at, e.bead_id`,
      convoyId,
      convoyId,
    )
    .map((r) => ({ bead_id: str(r, 'bead_id'), depends_on_bead_id: str(r, 'depends_on_bead_id') }));
  return {
    ...convoy,
    beads: members.map((m) => ({ ...rowToBeadRef(m), assignee_name: strOrNull(m, 'assignee_name') })),
    edges,
  };
}
