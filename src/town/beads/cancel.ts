/**
 * Cancelling a bead (`reconciler.md` §3): PATCH `status: closed|failed`, applied synchronously.
 * The bead transitions; its agents are unhooked, and a working or stalled one goes idle with a
 * `stop_agent` effect at once (no 90 s wait); live MRs of a cancelled issue fail.
 */
import type { BeadStatus } from '../../protocol/common.ts';
import { NotFound } from '../../errors.ts';
import { str } from '../db/sql.ts';
import type { TownCtx } from '../context.ts';
import { findAgentRecord } from '../agents/agent-rows.ts';
import { unhookAgent } from '../agents/hooks.ts';
import { transitionAgent } from '../agents/transition.ts';
import { isTerminalBead } from '../machines/index.ts';
import { findBeadRecord } from './bead-rows.ts';
import { transitionBead, type TransitionReason } from './transition.ts';

/** Releases whichever agent holds `beadId`: unhook, and stop it if it is live. */
export function releaseHolder(ctx: TownCtx, beadId: string, reason: TransitionReason): void {
  for (const row of ctx.sql.all(`SELECT bead_id FROM agent_metadata WHERE current_hook_bead_id = ?`, beadId)) {
    const agentId = str(row, 'bead_id');
    unhookAgent(ctx, agentId, reason.code);
    const agent = findAgentRecord(ctx.sql, agentId);
    if (agent !== null && (agent.status === 'working' || agent.status === 'stalled')) {
      transitionAgent(ctx, agentId, 'idle', { reason });
      ctx.effects.push({ kind: 'stop_agent', agent_id: agentId, reason: reason.code });
    }
  }
}

/** Cancels a bead as `closed` or `failed`; a terminal bead is left as it is. */
export function cancelBead(ctx: TownCtx, beadId: string, to: Extract<BeadStatus, 'closed' | 'failed'>): void {
  const bead = findBeadRecord(ctx.sql, beadId);
  if (bead === null) throw new NotFound('bead', beadId);
  if (isTerminalBead(bead.status) && bead.status === to) return;
  const reason = { code: 'cancelled', message: `Cancelled by ${ctx.actor}.` };
  // The transition throws IllegalTransition for pairs the machine refuses, before anything changes.
  transitionBead(ctx, beadId, to, { reason });
  releaseHolder(ctx, beadId, reason);
  if (bead.type === 'issue') {
    const liveMrs = ctx.sql.all(
      `SELECT mr.bead_id FROM bead_dependencies d JOIN beads mr ON mr.bead_id = d.bead_id
       WHERE d.depends_on_bead_id = ? AND d.dependency_type = 'tracks' AND mr.type = 'merge_request' AND mr.status IN ('open', 'in_progress')`,
      beadId,
    );
    for (const row of liveMrs) {
      const mrId = str(row, 'bead_id');
      transitionBead(ctx, mrId, 'failed', { reason: { code: 'source_cancelled', message: `Source issue ${beadId} was cancelled.` } });
      releaseHolder(ctx, mrId, reason);
    }
  }
}
