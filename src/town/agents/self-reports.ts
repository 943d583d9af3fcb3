/**
 * What an agent writes about itself (`http-api.md` §4.3): P`/checkpoint` keeps its work-in-progress
 * notes (a JSON object ≤ 64 KB, shown by its next prime until cleared) and P`/status-message` its
 * one-line status, timestamped, on the timeline (`agent_status`) and, through the command's
 * broadcast, on the dashboard's live sockets.
 */
import type { Agent } from '../../protocol/api.ts';
import type { JsonObject } from '../../protocol/common.ts';
import { iso } from '../db/clock.ts';
import type { TownCtx } from '../context.ts';
import { writeBeadEvent } from '../beads/bead-events.ts';
import { liveAgent } from '../reports/agent-access.ts';
import { requireLiveAgent } from './agent-commands.ts';

/** Replaces the agent's checkpoint. */
export function saveCheckpoint(ctx: TownCtx, agentId: string, data: JsonObject): { saved: true } {
  liveAgent(ctx.sql, agentId);
  ctx.sql.run(`UPDATE agent_metadata SET checkpoint = ? WHERE bead_id = ?`, JSON.stringify(data), agentId);
  return { saved: true };
}

/** Sets the agent's status message; returns the agent. */
export function setStatusMessage(ctx: TownCtx, agentId: string, message: string): Agent {
  const agent = liveAgent(ctx.sql, agentId);
  ctx.sql.run(`UPDATE agent_metadata SET status_message = ?, status_message_at = ? WHERE bead_id = ?`, message, iso(ctx.now), agentId);
  writeBeadEvent(ctx, { bead_id: agent.hooked_bead_id, rig_id: agent.rig_id, agent_id: agentId, event_type: 'agent_status', metadata: { message } });
  return requireLiveAgent(ctx.sql, agentId);
}
