/**
 * Applying `dispatch_agent` (`reconciler.md` §6), inside the tick transaction: choose the agent
 * now (lazy assignment), hook, move the bead, count the attempt, set the agent `working` with a
 * fresh dispatch id BEFORE any container call, and emit the start intent. A failed start later
 * leaves the agent working; staleness (A1) is the safety net.
 */
import type { AgentRole } from '../../../protocol/common.ts';
import { iso } from '../../db/clock.ts';
import { first, str } from '../../db/sql.ts';
import { newId, type TownCtx } from '../../context.ts';
import { findAgentRecord } from '../../agents/agent-rows.ts';
import { getOrCreateAgent } from '../../agents/get-or-create.ts';
import { hookBead } from '../../agents/hooks.ts';
import { transitionAgent } from '../../agents/transition.ts';
import { findBeadRecord } from '../../beads/bead-rows.ts';
import { transitionBead } from '../../beads/transition.ts';
import type { SqlTownView } from '../view-sql.ts';

export type DispatchOutcome = 'applied' | 'stale' | 'deferred';

export function applyDispatch(ctx: TownCtx, view: SqlTownView, a: { bead_id: string; agent_id: string | null; role: AgentRole }): DispatchOutcome {
  const bead = findBeadRecord(ctx.sql, a.bead_id);
  if (bead === null) return 'stale';
  if (bead.type === 'issue' && bead.status !== 'open') return 'stale';
  if (bead.type === 'merge_request' && bead.status !== 'in_progress') return 'stale';
  let agentId = a.agent_id;
  if (agentId !== null) {
    const agent = findAgentRecord(ctx.sql, agentId);
    if (agent === null || agent.status !== 'idle') return 'stale';
  } else {
    const rig = bead.rig_id === null ? null : view.rig(bead.rig_id);
    agentId = getOrCreateAgent(ctx, a.role, bead.rig_id, rig?.config.max_polecats_per_rig ?? 0);
    if (agentId === null) return 'deferred';
    const agent = findAgentRecord(ctx.sql, agentId);
    if (agent === null || agent.status !== 'idle') return 'deferred';
  }
  hookBead(ctx, agentId, a.bead_id);
  if (bead.type === 'issue') transitionBead(ctx, a.bead_id, 'in_progress', { from: 'open', reason: { code: 'dispatched', message: `Dispatched to ${agentId}.` } });
  const now = iso(ctx.now);
  ctx.sql.run(`UPDATE beads SET dispatch_attempts = dispatch_attempts + 1, last_dispatch_attempt_at = ?, updated_at = ? WHERE bead_id = ?`, now, now, a.bead_id);
  transitionAgent(ctx, agentId, 'working', { from: 'idle', reason: { code: 'dispatched', message: `Dispatched for ${a.bead_id}.` } });
  const dispatchId = newId();
  ctx.sql.run(
    `UPDATE agent_metadata SET current_dispatch_id = ?, last_dispatch_at = ?, working_since = ?, last_event_at = NULL, last_event_type = NULL, active_tools = '[]' WHERE bead_id = ?`,
    dispatchId,
    now,
    now,
    agentId,
  );
  ctx.effects.push({ kind: 'dispatch', agent_id: agentId, bead_id: a.bead_id, dispatch_id: dispatchId, role: a.role });
  return 'applied';
}

/** The agent currently hooked to a bead (for effects that need it). */
export function hookedAgentOf(ctx: TownCtx, beadId: string): string | null {
  const row = first(ctx.sql, `SELECT bead_id FROM agent_metadata WHERE current_hook_bead_id = ?`, beadId);
  return row === null ? null : str(row, 'bead_id');
}
