/**
 * Merge-request cascades (`domain.md` §3.2), run in the same savepoint as the MR transition:
 * closed → its source issue closed and its other live MRs failed (`superseded`); failed → its
 * source reopened unless another MR for it is live.
 */
import { str } from '../../db/sql.ts';
import type { TownCtx } from '../../context.ts';
import { transitionBead } from '../../beads/transition.ts';
import { findBeadRecord } from '../../beads/bead-rows.ts';

function sourcesOf(ctx: TownCtx, mrId: string): string[] {
  return ctx.sql
    .all(
      `SELECT d.depends_on_bead_id AS id FROM bead_dependencies d JOIN beads s ON s.bead_id = d.depends_on_bead_id
       WHERE d.bead_id = ? AND d.dependency_type = 'tracks' AND s.type = 'issue'`,
      mrId,
    )
    .map((r) => str(r, 'id'));
}

function liveMrsOf(ctx: TownCtx, issueId: string, except: string): string[] {
  return ctx.sql
    .all(
      `SELECT mr.bead_id AS id FROM bead_dependencies d JOIN beads mr ON mr.bead_id = d.bead_id
       WHERE d.depends_on_bead_id = ? AND d.dependency_type = 'tracks' AND mr.type = 'merge_request'
         AND mr.status IN ('open', 'in_progress') AND mr.bead_id <> ?`,
      issueId,
      except,
    )
    .map((r) => str(r, 'id'));
}

/** Applies the cascade of an MR that just reached `to`. */
export function cascadeMergeRequest(ctx: TownCtx, mrId: string, to: 'closed' | 'failed'): void {
  for (const sourceId of sourcesOf(ctx, mrId)) {
    const source = findBeadRecord(ctx.sql, sourceId);
    if (source === null) continue;
    if (to === 'closed') {
      if (source.status === 'in_review' || source.status === 'in_progress' || source.status === 'open') {
        transitionBead(ctx, sourceId, 'closed', { reason: { code: 'merged', message: `Merge request ${mrId} merged.` } });
      }
      for (const sibling of liveMrsOf(ctx, sourceId, mrId)) {
        transitionBead(ctx, sibling, 'failed', { reason: { code: 'superseded', message: `Merge request ${mrId} merged instead.` } });
      }
    } else if (source.status === 'in_review' && liveMrsOf(ctx, sourceId, mrId).length === 0) {
      transitionBead(ctx, sourceId, 'open', { reason: { code: 'merge_request_failed', message: `Merge request ${mrId} failed.` } });
    }
  }
}
