/**
 * An agent's session events (`domain.md` §2 `agent_events`): P`/events` appends a batch and keeps
 * the newest 2 000 per agent; T`/agents/:agentId/events` reads them as a stream (ascending `seq`,
 * the newest `limit` without a cursor, `next_cursor` = the last `seq`, `http-api.md` §1.4).
 */
import type { AgentEvent } from '../../protocol/api.ts';
import type { AgentEventInput, AgentEventsBatchResult } from '../../protocol/agent.ts';
import { iso } from '../db/clock.ts';
import { num, str, type SqlHandle, type SqlRow } from '../db/sql.ts';
import { parseJsonObject } from '../beads/json-columns.ts';
import { parseSeqCursor, type StreamPage } from '../activity/activity.ts';
import { liveAgent } from './agent-access.ts';

/** How many events are kept per agent. */
export const AGENT_EVENTS_KEPT = 2000;

function rowToAgentEvent(row: SqlRow): AgentEvent {
  return { seq: num(row, 'seq'), type: str(row, 'type'), data: parseJsonObject(str(row, 'data')), created_at: str(row, 'created_at') };
}

/** Appends `events` (in order) for a live agent, prunes past the newest 2 000; returns the stored rows. */
export function appendAgentEvents(sql: SqlHandle, agentId: string, events: readonly AgentEventInput[]): AgentEvent[] {
  liveAgent(sql, agentId);
  const stored: AgentEvent[] = [];
  for (const e of events) {
    const rows = sql.all(`INSERT INTO agent_events (agent_id, type, data, created_at) VALUES (?, ?, ?, ?) RETURNING *`, agentId, e.type, JSON.stringify(e.data), iso(Date.parse(e.at)));
    for (const row of rows) stored.push(rowToAgentEvent(row));
  }
  sql.run(
    `DELETE FROM agent_events WHERE agent_id = ? AND seq < (SELECT seq FROM agent_events WHERE agent_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
    agentId,
    agentId,
    AGENT_EVENTS_KEPT - 1,
  );
  return stored;
}

/** P`/events`: appends in one transaction, then pushes each stored event to the agent's watchers. */
export function recordAgentEvents(
  sql: SqlHandle,
  live: { broadcastAgentEvent(agentId: string, event: unknown): void },
  agentId: string,
  events: readonly AgentEventInput[],
): AgentEventsBatchResult {
  const stored = sql.transaction(() => appendAgentEvents(sql, agentId, events));
  for (const e of stored) live.broadcastAgentEvent(agentId, e);
  return { appended: stored.length, last_seq: stored[stored.length - 1]?.seq ?? 0 };
}

/** One stream page of a live agent's events (404 when it is unknown or dead). */
export function listAgentEvents(sql: SqlHandle, agentId: string, page: { limit: number; cursor?: string | undefined }): StreamPage<AgentEvent> {
  liveAgent(sql, agentId);
  const after = parseSeqCursor(page.cursor);
  const rows =
    after === null
      ? sql.all(`SELECT * FROM agent_events WHERE agent_id = ? ORDER BY seq DESC LIMIT ?`, agentId, page.limit).reverse()
      : sql.all(`SELECT * FROM agent_events WHERE agent_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?`, agentId, after, page.limit);
  const items = rows.map(rowToAgentEvent);
  const last = items[items.length - 1];
  return { items, next_cursor: last !== undefined ? String(last.seq) : after !== null ? String(after) : null };
}
