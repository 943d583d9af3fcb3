/**
 * Agent-to-agent nudges (`domain.md` §7, `http-api.md` §4.3): P`/nudges` queues one for a live
 * agent (422 `unknown_reference` otherwise) with `from` = `agent:<sender>`; P`/pending-nudges` is
 * what the container pulls when a turn ends — pending, not yet acknowledged and not expired,
 * urgent first then oldest; P`/nudge-delivered` acknowledges one of the agent's own (404 for any
 * other), idempotently. Expired rows are marked by the tick's housekeeping.
 */
import type { Nudge } from '../../protocol/api.ts';
import type { NudgeCreate } from '../../protocol/agent.ts';
import { NudgeMode, NudgePriority } from '../../protocol/common.ts';
import { NotFound, Unprocessable } from '../../errors.ts';
import { iso } from '../db/clock.ts';
import { first, str, strOrNull, type SqlHandle, type SqlRow } from '../db/sql.ts';
import { newId, type TownCtx } from '../context.ts';
import { findAgentRecord } from '../agents/agent-rows.ts';
import { writeBeadEvent } from '../beads/bead-events.ts';
import { liveAgent } from '../reports/agent-access.ts';

/** A nudge expires this long after it was sent (`domain.md` §7 default `ttl_seconds`). */
export const NUDGE_TTL_MS = 3600_000;

export function rowToNudge(row: SqlRow): Nudge {
  return {
    id: str(row, 'nudge_id'),
    from: strOrNull(row, 'source'),
    message: str(row, 'message'),
    mode: NudgeMode.parse(str(row, 'mode')),
    priority: NudgePriority.parse(str(row, 'priority')),
    created_at: str(row, 'created_at'),
    expires_at: str(row, 'expires_at'),
  };
}

/** Queues a nudge from `fromAgentId` to a live agent; `immediate` ones are sent by the next tick. */
export function sendNudge(ctx: TownCtx, fromAgentId: string, input: NudgeCreate): Nudge {
  liveAgent(ctx.sql, fromAgentId);
  const target = findAgentRecord(ctx.sql, input.target_agent_id);
  if (target === null || target.status === 'dead') {
    throw new Unprocessable('unknown_reference', `target_agent_id names unknown agent ${input.target_agent_id}.`, { field: 'target_agent_id' });
  }
  const id = newId();
  const mode = input.mode ?? 'wait-idle';
  ctx.sql.run(
    `INSERT INTO agent_nudges (nudge_id, agent_bead_id, message, mode, priority, source, status, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    id,
    target.id,
    input.message,
    mode,
    input.priority ?? 'normal',
    `agent:${fromAgentId}`,
    iso(ctx.now),
    iso(ctx.now + NUDGE_TTL_MS),
  );
  if (target.hooked_bead_id !== null) {
    writeBeadEvent(ctx, { bead_id: target.hooked_bead_id, rig_id: target.rig_id, agent_id: target.id, event_type: 'nudged', metadata: { tier: 'agent', from: fromAgentId, mode } });
  }
  const row = first(ctx.sql, `SELECT * FROM agent_nudges WHERE nudge_id = ?`, id);
  if (row === null) throw new NotFound('nudge', id);
  return rowToNudge(row);
}

/** The agent's nudges still to deliver at `now`: urgent first, then oldest first. */
export function pendingNudgesFor(sql: SqlHandle, agentId: string, now: number): Nudge[] {
  liveAgent(sql, agentId);
  return sql
    .all(
      `SELECT * FROM agent_nudges
       WHERE agent_bead_id = ? AND status = 'pending' AND delivered_at IS NULL AND expires_at > ?
       ORDER BY CASE priority WHEN 'urgent' THEN 0 ELSE 1 END, created_at, nudge_id`,
      agentId,
      iso(now),
    )
    .map(rowToNudge);
}

/** Acknowledges one of the agent's nudges (idempotent); another agent's or an unknown one is a 404. */
export function markNudgeDelivered(ctx: TownCtx, agentId: string, nudgeId: string): { delivered: true } {
  const row = first(ctx.sql, `SELECT nudge_id FROM agent_nudges WHERE nudge_id = ? AND agent_bead_id = ?`, nudgeId, agentId);
  if (row === null) throw new NotFound('nudge', nudgeId);
  ctx.sql.run(`UPDATE agent_nudges SET status = 'delivered', delivered_at = COALESCE(delivered_at, ?) WHERE nudge_id = ?`, iso(ctx.now), nudgeId);
  return { delivered: true };
}
