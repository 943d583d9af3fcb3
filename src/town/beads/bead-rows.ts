/**
 * Reading beads: the one SELECT that joins what the API's Bead shape needs (review fields,
 * convoy membership, source issue) and `rowToBead`. Used by every bead read path.
 */
import type { Bead, BeadRef } from '../../protocol/api.ts';
import { BeadStatus, BeadType, Priority } from '../../protocol/common.ts';
import { chunk, first, num, numOrNull, placeholders, str, strOrNull, type SqlHandle, type SqlRow } from '../db/sql.ts';
import { parseJsonObject, parseStringArray } from './json-columns.ts';

export const HELD_LABEL = 'gt:held';

/** SELECT list producing every column `rowToBead` reads (bead alias `b`, review alias `rm`). */
export const BEAD_COLUMNS = `
  SELECT b.*, rm.branch AS rm_branch, rm.target_branch AS rm_target_branch, rm.pr_url AS rm_pr_url,
    rm.awaiting_approval AS rm_awaiting_approval, rm.review_decision AS rm_review_decision,
    rm.bead_id AS rm_bead_id,
    (SELECT d.depends_on_bead_id FROM bead_dependencies d JOIN beads c ON c.bead_id = d.depends_on_bead_id
      WHERE d.bead_id = b.bead_id AND d.dependency_type = 'tracks' AND c.type = 'convoy' LIMIT 1) AS convoy_id,
    (SELECT d.depends_on_bead_id FROM bead_dependencies d JOIN beads s ON s.bead_id = d.depends_on_bead_id
      WHERE d.bead_id = b.bead_id AND d.dependency_type = 'tracks' AND s.type = 'issue' LIMIT 1) AS source_bead_id`;

/** The FROM clause matching `BEAD_COLUMNS`. */
export const BEAD_FROM = `beads b LEFT JOIN review_metadata rm ON rm.bead_id = b.bead_id`;

export const BEAD_SELECT = `${BEAD_COLUMNS} FROM ${BEAD_FROM}`;

/** The raw bead row fields other modules need without the API mapping. */
export interface BeadRecord {
  id: string;
  type: BeadType;
  status: BeadStatus;
  rig_id: string | null;
  title: string;
  labels: string[];
  assignee_agent_id: string | null;
  parent_bead_id: string | null;
  dispatch_attempts: number;
}

export function rowToBeadRecord(row: SqlRow): BeadRecord {
  return {
    id: str(row, 'bead_id'),
    type: BeadType.parse(str(row, 'type')),
    status: BeadStatus.parse(str(row, 'status')),
    rig_id: strOrNull(row, 'rig_id'),
    title: str(row, 'title'),
    labels: parseStringArray(strOrNull(row, 'labels')),
    assignee_agent_id: strOrNull(row, 'assignee_agent_bead_id'),
    parent_bead_id: strOrNull(row, 'parent_bead_id'),
    dispatch_attempts: num(row, 'dispatch_attempts'),
  };
}

/** A row of `BEAD_SELECT` as the API's Bead. `gt:held` is shown as `held`, not as a label. */
export function rowToBead(row: SqlRow): Bead {
  const labels = parseStringArray(strOrNull(row, 'labels'));
  const type = BeadType.parse(str(row, 'type'));
  const hasReview = type === 'merge_request' && strOrNull(row, 'rm_bead_id') !== null;
  return {
    id: str(row, 'bead_id'),
    type,
    status: BeadStatus.parse(str(row, 'status')),
    rig_id: strOrNull(row, 'rig_id'),
    title: str(row, 'title'),
    body: str(row, 'body'),
    priority: Priority.parse(str(row, 'priority')),
    labels: labels.filter((l) => l !== HELD_LABEL),
    held: labels.includes(HELD_LABEL),
    assignee_agent_id: strOrNull(row, 'assignee_agent_bead_id'),
    parent_bead_id: strOrNull(row, 'parent_bead_id'),
    convoy_id: strOrNull(row, 'convoy_id'),
    dispatch_attempts: num(row, 'dispatch_attempts'),
    review: hasReview
      ? {
          source_bead_id: strOrNull(row, 'source_bead_id'),
          branch: strOrNull(row, 'rm_branch'),
          target_branch: strOrNull(row, 'rm_target_branch'),
          pr_url: strOrNull(row, 'rm_pr_url'),
          awaiting_approval: (numOrNull(row, 'rm_awaiting_approval') ?? 0) === 1,
          review_decision: strOrNull(row, 'rm_review_decision'),
        }
      : null,
    metadata: parseJsonObject(strOrNull(row, 'metadata')),
    created_by: str(row, 'created_by'),
    created_at: str(row, 'created_at'),
    updated_at: str(row, 'updated_at'),
    closed_at: strOrNull(row, 'closed_at'),
  };
}

export function rowToBeadRef(row: SqlRow): BeadRef {
  return {
    id: str(row, 'bead_id'),
    type: BeadType.parse(str(row, 'type')),
    status: BeadStatus.parse(str(row, 'status')),
    title: str(row, 'title'),
  };
}

/** One bead in API shape, or null. */
export function findBead(sql: SqlHandle, beadId: string): Bead | null {
  const row = first(sql, `${BEAD_SELECT} WHERE b.bead_id = ?`, beadId);
  return row === null ? null : rowToBead(row);
}

/** The raw record, or null. */
export function findBeadRecord(sql: SqlHandle, beadId: string): BeadRecord | null {
  const row = first(sql, `SELECT * FROM beads WHERE bead_id = ?`, beadId);
  return row === null ? null : rowToBeadRecord(row);
}

/** Beads in API shape for a list of ids, in the order given (unknown ids skipped). */
export function findBeads(sql: SqlHandle, ids: readonly string[]): Bead[] {
  if (ids.length === 0) return [];
  const rows = chunk(ids).flatMap((part) => sql.all(`${BEAD_SELECT} WHERE b.bead_id IN (${placeholders(part.length)})`, ...part));
  const byId = new Map(rows.map((r) => [str(r, 'bead_id'), rowToBead(r)]));
  return ids.flatMap((id) => {
    const bead = byId.get(id);
    return bead === undefined ? [] : [bead];
  });
}
