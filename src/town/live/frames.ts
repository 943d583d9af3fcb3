/**
 * Building the live frames of `http-api.md` §4.2 from the town's tables: the snapshot sent on
 * connect, the row lists the change tracker fingerprints (live agents, unfinished convoys), and
 * the two relayed frames whose payload arrives from outside (`ui_action`, `agent_event`).
 */
import type { Agent, Convoy } from '../../protocol/api.ts';
import { AgentEvent } from '../../protocol/api.ts';
import { UiAction } from '../../protocol/agent.ts';
import type { LiveFrame } from '../../protocol/live.ts';
import type { SqlHandle } from '../db/sql.ts';
import { townDetail } from '../records/town-record.ts';
import { AGENT_SELECT, rowToAgent } from '../agents/agent-rows.ts';
import { CONVOY_SELECT, rowToConvoy } from '../convoys/convoy-rows.ts';

/** Every agent that is not `dead`, oldest first (the dashboard's agent list). */
export function liveAgents(sql: SqlHandle): Agent[] {
  return sql.all(`${AGENT_SELECT} WHERE a.status <> 'dead' ORDER BY b.created_at, a.bead_id`).map(rowToAgent);
}

/** Convoys that can still change on their own (not `landed`/`failed`), oldest first. */
export function unfinishedConvoys(sql: SqlHandle): Convoy[] {
  return sql.all(`${CONVOY_SELECT} WHERE c.state NOT IN ('landed', 'failed') ORDER BY b.created_at, c.bead_id`).map((row) => rowToConvoy(sql, row));
}

/** The frame sent once on connect; its TownDetail is built exactly as GET T builds it. */
export function snapshotFrame(sql: SqlHandle): LiveFrame {
  return { type: 'snapshot', town: townDetail(sql, false), agents: liveAgents(sql) };
}

/** `{type: 'ui_action', action}`, or null when `action` is not a valid UiAction. */
export function uiActionFrame(action: unknown): LiveFrame | null {
  const parsed = UiAction.safeParse(action);
  return parsed.success ? { type: 'ui_action', action: parsed.data } : null;
}

/** `{type: 'agent_event', agent_id, event}`, or null when `event` is not a valid AgentEvent. */
export function agentEventFrame(agentId: string, event: unknown): LiveFrame | null {
  const parsed = AgentEvent.safeParse(event);
  return parsed.success ? { type: 'agent_event', agent_id: agentId, event: parsed.data } : null;
}

/** A frame as sent on the wire. */
export function encodeFrame(frame: LiveFrame): string {
  return JSON.stringify(frame);
}
