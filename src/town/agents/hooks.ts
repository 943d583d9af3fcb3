/**
 * Hooks (`domain.md` §5): one assignment per agent, one agent per bead. Polecats hook issues,
 * refineries merge requests, the mayor nothing. Hooking sets the assignee, not the status;
 * unhooking clears the hook and, for open/in_progress beads, the assignee.
 */
import { Conflict, NotFound } from '../../errors.ts';
import { iso } from '../db/clock.ts';
import { first, str, strOrNull } from '../db/sql.ts';
import type { TownCtx } from '../context.ts';
import { writeBeadEvent } from '../beads/bead-events.ts';

/** Clears an agent's hook; returns the bead it held, if any. */
export function unhookAgent(ctx: TownCtx, agentId: string, reason: string): string | null {
  const row = first(ctx.sql, `SELECT current_hook_bead_id FROM agent_metadata WHERE bead_id = ?`, agentId);
  if (row === null) throw new NotFound('agent', agentId);
  const beadId = strOrNull(row, 'current_hook_bead_id');
  if (beadId === null) return null;
  ctx.sql.run(`UPDATE agent_metadata SET current_hook_bead_id = NULL WHERE bead_id = ?`, agentId);
  const bead = first(ctx.sql, `SELECT status, rig_id FROM beads WHERE bead_id = ?`, beadId);
  if (bead !== null) {
    const status = str(bead, 'status');
    if (status === 'open' || status === 'in_progress') {
      ctx.sql.run(
        `UPDATE beads SET assignee_agent_bead_id = NULL, updated_at = ? WHERE bead_id = ? AND assignee_agent_bead_id = ?`,
        iso(ctx.now),
        beadId,
        agentId,
      );
    }
    writeBeadEvent(ctx, { bead_id: beadId, rig_id: strOrNull(bead, 'rig_id'), agent_id: agentId, event_type: 'unhooked', metadata: { reason } });
  }
  return beadId;
}

/** Unhooks whichever agent holds `beadId`; returns that agent's id. */
export function unhookBead(ctx: TownCtx, beadId: string, reason: string): string | null {
  const row = first(ctx.sql, `SELECT bead_id FROM agent_metadata WHERE current_hook_bead_id = ?`, beadId);
  if (row === null) return null;
  const agentId = str(row, 'bead_id');
  unhookAgent(ctx, agentId, reason);
  return agentId;
}

/** Hooks `beadId` to `agentId` (`domain.md` §5); same bead → no-op. */
export function hookBead(ctx: TownCtx, agentId: string, beadId: string): void {
  const agent = first(ctx.sql, `SELECT role, current_hook_bead_id, status FROM agent_metadata WHERE bead_id = ?`, agentId);
  if (agent === null) throw new NotFound('agent', agentId);
  const bead = first(ctx.sql, `SELECT type, rig_id FROM beads WHERE bead_id = ?`, beadId);
  if (bead === null) throw new NotFound('bead', beadId);
  const role = str(agent, 'role');
  const type = str(bead, 'type');
  const hookable = (role === 'polecat' && type === 'issue') || (role === 'refinery' && type === 'merge_request');
  if (!hookable) throw new Conflict('not_hookable', `A ${role} cannot hook a ${type} bead.`);
  const current = strOrNull(agent, 'current_hook_bead_id');
  if (current === beadId) return;
  if (current !== null) throw new Conflict('agent_already_hooked', `Agent ${agentId} already holds bead ${current}.`, { agent_id: agentId, bead_id: current });
  const holder = first(ctx.sql, `SELECT bead_id FROM agent_metadata WHERE current_hook_bead_id = ?`, beadId);
  if (holder !== null) {
    throw new Conflict('agent_already_hooked', `Bead ${beadId} is held by agent ${str(holder, 'bead_id')}.`, { agent_id: str(holder, 'bead_id'), bead_id: beadId });
  }
  ctx.sql.run(`UPDATE agent_metadata SET current_hook_bead_id = ? WHERE bead_id = ?`, beadId, agentId);
  ctx.sql.run(`UPDATE beads SET assignee_agent_bead_id = ?, updated_at = ? WHERE bead_id = ?`, agentId, iso(ctx.now), beadId);
  writeBeadEvent(ctx, { bead_id: beadId, rig_id: strOrNull(bead, 'rig_id'), agent_id: agentId, event_type: 'hooked' });
}
