/**
 * POST T/beads/:beadId/reassign: hands an issue to another polecat of its rig. The current
 * holder is unhooked (and stopped if live), the bead returns to `open`, and the new polecat is
 * hooked; the reconciler dispatches it (B2). Refused for finished beads and busy polecats.
 */
import type { Bead } from '../../protocol/api.ts';
import { Conflict, IllegalTransition, NotFound, Unprocessable } from '../../errors.ts';
import type { TownCtx } from '../context.ts';
import { findAgentRecord } from '../agents/agent-rows.ts';
import { hookBead } from '../agents/hooks.ts';
import { isTerminalBead } from '../machines/index.ts';
import { findBeadRecord } from './bead-rows.ts';
import { releaseHolder } from './cancel.ts';
import { transitionBead } from './transition.ts';
import { requireBead } from '../commands.ts';

export function reassignBead(ctx: TownCtx, beadId: string, agentId: string): Bead {
  const bead = findBeadRecord(ctx.sql, beadId);
  if (bead === null) throw new NotFound('bead', beadId);
  if (bead.type !== 'issue') throw new Conflict('conflict', `Only issues can be reassigned; bead ${beadId} is a ${bead.type}.`);
  if (isTerminalBead(bead.status) || bead.status === 'in_review') throw new IllegalTransition('bead', beadId, bead.status, 'open');
  const agent = findAgentRecord(ctx.sql, agentId);
  if (agent === null || agent.status === 'dead' || agent.role !== 'polecat' || agent.rig_id !== bead.rig_id) {
    throw new Unprocessable('unknown_reference', `agent_id ${agentId} is not a polecat of this bead's rig.`, { field: 'agent_id' });
  }
  if (bead.assignee_agent_id === agentId) return requireBead(ctx.sql, beadId);
  if (agent.hooked_bead_id !== null) {
    throw new Conflict('agent_already_hooked', `Agent ${agentId} already holds bead ${agent.hooked_bead_id}.`, { agent_id: agentId, bead_id: agent.hooked_bead_id });
  }
  const reason = { code: 'reassigned', message: `Reassigned to ${agentId} by ${ctx.actor}.` };
  releaseHolder(ctx, beadId, reason);
  if (bead.status === 'in_progress') transitionBead(ctx, beadId, 'open', { reason });
  hookBead(ctx, agentId, beadId);
  return requireBead(ctx.sql, beadId);
}
