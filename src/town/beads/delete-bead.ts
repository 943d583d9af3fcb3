/**
 * Deleting beads: the bead, its satellites, events, dependency edges (both directions) and
 * pending town events go in one transaction; an agent working on it is unhooked and stopped.
 * Agent beads are removed through the agent routes instead.
 */
import { Conflict, NotFound } from '../../errors.ts';
import { chunk, placeholders, str } from '../db/sql.ts';
import type { TownCtx } from '../context.ts';
import { recountConvoy } from '../convoys/recount.ts';
import { findBeadRecord } from './bead-rows.ts';
import { releaseHolder } from './cancel.ts';

const SATELLITES = ['review_metadata', 'convoy_metadata', 'escalation_metadata'] as const;

/** Deletes one bead; `NotFound` when absent. */
export function deleteBead(ctx: TownCtx, beadId: string): void {
  const bead = findBeadRecord(ctx.sql, beadId);
  if (bead === null) throw new NotFound('bead', beadId);
  if (bead.type === 'agent') throw new Conflict('conflict', `Bead ${beadId} is an agent; delete it with DELETE /agents/${beadId}.`);
  releaseHolder(ctx, beadId, { code: 'bead_deleted', message: `Bead deleted by ${ctx.actor}.` });
  const convoys = ctx.sql
    .all(
      `SELECT d.depends_on_bead_id AS convoy_id FROM bead_dependencies d JOIN convoy_metadata c ON c.bead_id = d.depends_on_bead_id
       WHERE d.bead_id = ? AND d.dependency_type = 'tracks'`,
      beadId,
    )
    .map((r) => str(r, 'convoy_id'));
  ctx.sql.run(`DELETE FROM bead_dependencies WHERE bead_id = ? OR depends_on_bead_id = ?`, beadId, beadId);
  ctx.sql.run(`DELETE FROM bead_events WHERE bead_id = ?`, beadId);
  ctx.sql.run(`DELETE FROM town_events WHERE bead_id = ? AND processed_at IS NULL`, beadId);
  for (const table of SATELLITES) ctx.sql.run(`DELETE FROM ${table} WHERE bead_id = ?`, beadId);
  ctx.sql.run(`UPDATE beads SET parent_bead_id = NULL WHERE parent_bead_id = ?`, beadId);
  ctx.sql.run(`DELETE FROM beads WHERE bead_id = ?`, beadId);
  for (const convoyId of convoys) recountConvoy(ctx.sql, convoyId);
}

/** Deletes the beads that exist among `ids` (agents skipped); returns how many. */
export function bulkDeleteBeads(ctx: TownCtx, ids: readonly string[]): number {
  const unique = [...new Set(ids)];
  let deleted = 0;
  for (const part of chunk(unique)) {
    const rows = ctx.sql.all(`SELECT bead_id FROM beads WHERE type <> 'agent' AND bead_id IN (${placeholders(part.length)})`, ...part);
    for (const row of rows) {
      deleteBead(ctx, str(row, 'bead_id'));
      deleted += 1;
    }
  }
  return deleted;
}
