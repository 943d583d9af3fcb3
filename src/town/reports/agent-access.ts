/**
 * Whether an agent token's holder still exists (`http-api.md` §2 rule 4, `domain.md` §3.3): the
 * town must exist and the agent be known, not `dead`, and of the token's rig (the mayor's token
 * carries the town id as its rig); on the mayor tools (§4.4) the agent must be the town's current
 * mayor (403 for a replaced or deleted one). Called by the scope step of every agent-token route.
 */
import type { AgentRole } from '../../protocol/common.ts';
import { Forbidden, NotFound } from '../../errors.ts';
import { first, str, type SqlHandle } from '../db/sql.ts';
import { findAgentRecord, type AgentRecord } from '../agents/agent-rows.ts';
import { requireTown } from '../records/town-record.ts';

/** The live agent `agentId` of rig `rigId` (the town id for the mayor), or `NotFound`. */
export function requireLiveAgent(sql: SqlHandle, agentId: string, rigId: string): { role: AgentRole } {
  const town = requireTown(sql);
  const agent = liveAgent(sql, agentId);
  const expectedRig = agent.role === 'mayor' ? town.id : agent.rig_id;
  if (expectedRig === null || expectedRig.toLowerCase() !== rigId.toLowerCase()) throw new NotFound('agent', agentId);
  return { role: agent.role };
}

/** The agent unless it is unknown or `dead` (both are a 404). */
export function liveAgent(sql: SqlHandle, agentId: string): AgentRecord {
  const agent = findAgentRecord(sql, agentId);
  if (agent === null || agent.status === 'dead') throw new NotFound('agent', agentId);
  return agent;
}

/** The town must exist (404) and `agentId` be its current, non-dead mayor (else 403). */
export function requireCurrentMayor(sql: SqlHandle, agentId: string): void {
  requireTown(sql);
  const mayor = first(sql, `SELECT a.bead_id FROM agent_metadata a JOIN beads b ON b.bead_id = a.bead_id WHERE a.role = 'mayor' AND a.status <> 'dead' ORDER BY b.created_at LIMIT 1`);
  if (mayor === null || str(mayor, 'bead_id') !== agentId.toLowerCase()) throw new Forbidden("This token does not belong to the town's current mayor.");
}
