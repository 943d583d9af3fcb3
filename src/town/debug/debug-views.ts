/**
 * Read views of `/debug` (`http-api.md` §4.6): the inbox (pending and dead-lettered events),
 * a bead with all its dependencies, activity and inbox events, and the status summary.
 */
import type { BeadRef, InboxEvent } from '../../protocol/api.ts';
import { NotFound } from '../../errors.ts';
import { num, str, type SqlHandle, type SqlValue } from '../db/sql.ts';
import { findBead, rowToBeadRef } from '../beads/bead-rows.ts';
import { rowToActivity } from '../beads/bead-events.ts';
import { rowToInboxEvent } from '../events/town-events.ts';
import { AGENT_SELECT, rowToAgent } from '../agents/agent-rows.ts';
import { pageByCreated, type Page } from '../records/pagination.ts';
import type { Agent } from '../../protocol/api.ts';

export function listInbox(sql: SqlHandle, q: { state?: 'pending' | 'dead_lettered' | undefined; limit: number; cursor?: string | undefined }): Page<InboxEvent> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (q.state === 'pending') where.push('processed_at IS NULL');
  else if (q.state === 'dead_lettered') where.push('dead_lettered_at IS NOT NULL');
  else where.push('(processed_at IS NULL OR dead_lettered_at IS NOT NULL)');
  return pageByCreated(sql, { table: 'town_events', idColumn: 'event_id', where, params }, q, rowToInboxEvent);
}

export function debugBead(sql: SqlHandle, beadId: string) {
  const bead = findBead(sql, beadId);
  if (bead === null) throw new NotFound('bead', beadId);
  const dependencies = sql
    .all(`SELECT bead_id, depends_on_bead_id, dependency_type FROM bead_dependencies WHERE bead_id = ? OR depends_on_bead_id = ? ORDER BY created_at`, beadId, beadId)
    .map((r) => ({ bead_id: str(r, 'bead_id'), depends_on_bead_id: str(r, 'depends_on_bead_id'), kind: str(r, 'dependency_type') }));
  const activity = sql.all(`SELECT * FROM bead_events WHERE bead_id = ? ORDER BY seq`, beadId).map(rowToActivity);
  const inbox = sql.all(`SELECT * FROM town_events WHERE bead_id = ? ORDER BY created_at`, beadId).map(rowToInboxEvent);
  return { bead, dependencies, activity, inbox_events: inbox };
}

export interface StatusSummary {
  agents: Agent[];
  beads: { counts: Record<string, Record<string, number>>; non_terminal: BeadRef[] };
}

export function statusSummary(sql: SqlHandle): StatusSummary {
  const counts: Record<string, Record<string, number>> = {};
  for (const row of sql.all(`SELECT type, status, COUNT(*) AS n FROM beads GROUP BY type, status`)) {
    const type = str(row, 'type');
    counts[type] = { ...counts[type], [str(row, 'status')]: num(row, 'n') };
  }
  const nonTerminal = sql
    .all(`SELECT * FROM beads WHERE status NOT IN ('closed', 'failed') AND type NOT IN ('agent', 'message') ORDER BY created_at DESC LIMIT 200`)
    .map(rowToBeadRef);
  const agents = sql.all(`${AGENT_SELECT} WHERE a.status <> 'dead' ORDER BY b.created_at`).map(rowToAgent);
  return { agents, beads: { counts, non_terminal: nonTerminal } };
}
