/**
 * Reading agents: `agent_metadata` joined with the agent's bead (rig, creation time) and
 * `rowToAgent` for the API's Agent shape. Used by every agent read path.
 */
import type { Agent } from '../../protocol/api.ts';
import { AgentRole, AgentStatus } from '../../protocol/common.ts';
import { first, str, strOrNull, type SqlHandle, type SqlRow } from '../db/sql.ts';
import { parseStringArray } from '../beads/json-columns.ts';

export const AGENT_SELECT = `
  SELECT a.*, b.rig_id AS rig_id, b.created_at AS created_at
  FROM agent_metadata a JOIN beads b ON b.bead_id = a.bead_id`;

export interface AgentRecord {
  id: string;
  role: AgentRole;
  name: string;
  status: AgentStatus;
  rig_id: string | null;
  hooked_bead_id: string | null;
}

export function rowToAgent(row: SqlRow): Agent {
  return {
    id: str(row, 'bead_id'),
    rig_id: strOrNull(row, 'rig_id'),
    role: AgentRole.parse(str(row, 'role')),
    name: str(row, 'name'),
    status: AgentStatus.parse(str(row, 'status')),
    hooked_bead_id: strOrNull(row, 'current_hook_bead_id'),
    status_message: strOrNull(row, 'status_message'),
    status_message_at: strOrNull(row, 'status_message_at'),
    last_heartbeat_at: strOrNull(row, 'last_heartbeat_at'),
    last_event_type: strOrNull(row, 'last_event_type'),
    last_event_at: strOrNull(row, 'last_event_at'),
    active_tools: parseStringArray(strOrNull(row, 'active_tools')),
    created_at: str(row, 'created_at'),
  };
}

export function rowToAgentRecord(row: SqlRow): AgentRecord {
  return {
    id: str(row, 'bead_id'),
    role: AgentRole.parse(str(row, 'role')),
    name: str(row, 'name'),
    status: AgentStatus.parse(str(row, 'status')),
    rig_id: strOrNull(row, 'rig_id'),
    hooked_bead_id: strOrNull(row, 'current_hook_bead_id'),
  };
}

/** An agent in API shape (dead agents included), or null. */
export function findAgent(sql: SqlHandle, agentId: string): Agent | null {
  const row = first(sql, `${AGENT_SELECT} WHERE a.bead_id = ?`, agentId);
  return row === null ? null : rowToAgent(row);
}

export function findAgentRecord(sql: SqlHandle, agentId: string): AgentRecord | null {
  const row = first(sql, `${AGENT_SELECT} WHERE a.bead_id = ?`, agentId);
  return row === null ? null : rowToAgentRecord(row);
}
