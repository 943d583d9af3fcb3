/**
 * Escalations (`domain.md` §7): `escalation` beads with `escalation_metadata`. Listing with
 * filters, acknowledge (mayor, user: sets acknowledged fields and closes the bead; idempotent),
 * and an agent's own request (P`/escalations`, category `agent_request`, about the bead it holds).
 * The reconciler raises and re-escalates the others (`reconciler/apply/escalate.ts`).
 */
import type { Escalation } from '../../protocol/api.ts';
import type { EscalationCreate } from '../../protocol/agent.ts';
import { EscalationCategory, Severity } from '../../protocol/common.ts';
import { NotFound } from '../../errors.ts';
import { iso } from '../db/clock.ts';
import { first, num, placeholders, str, strOrNull, type SqlHandle, type SqlRow, type SqlValue } from '../db/sql.ts';
import type { TownCtx } from '../context.ts';
import { transitionBead } from '../beads/transition.ts';
import { writeBeadEvent } from '../beads/bead-events.ts';
import { pageByCreated, type Page } from '../records/pagination.ts';
import { escalate } from '../reconciler/apply/escalate.ts';
import { liveAgent } from '../reports/agent-access.ts';

const FROM = `escalation_metadata e JOIN beads b ON b.bead_id = e.bead_id`;
const SELECT = `SELECT e.*, b.title, b.body, b.parent_bead_id, b.created_at, b.rig_id,
  (SELECT d.depends_on_bead_id FROM bead_dependencies d JOIN convoy_metadata c ON c.bead_id = d.depends_on_bead_id
    WHERE d.bead_id = b.parent_bead_id AND d.dependency_type = 'tracks' LIMIT 1) AS convoy_id`;

export function rowToEscalation(row: SqlRow): Escalation {
  return {
    id: str(row, 'bead_id'),
    severity: Severity.parse(str(row, 'severity')),
    category: EscalationCategory.parse(str(row, 'category')),
    title: str(row, 'title'),
    body: str(row, 'body'),
    source_agent_id: strOrNull(row, 'source_agent_id'),
    bead_id: strOrNull(row, 'parent_bead_id'),
    convoy_id: strOrNull(row, 'convoy_id'),
    acknowledged: num(row, 'acknowledged') === 1,
    acknowledged_at: strOrNull(row, 'acknowledged_at'),
    re_escalations: num(row, 're_escalation_count'),
    created_at: str(row, 'created_at'),
  };
}

export function listEscalations(
  sql: SqlHandle,
  q: { acknowledged?: boolean | undefined; severity?: string[] | undefined; limit: number; cursor?: string | undefined },
): Page<Escalation> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (q.acknowledged !== undefined) where.push('e.acknowledged = ?'), params.push(q.acknowledged ? 1 : 0);
  if (q.severity !== undefined) {
    where.push(`e.severity IN (${placeholders(q.severity.length)})`);
    params.push(...q.severity);
  }
  return pageByCreated(sql, { select: SELECT, table: FROM, idColumn: 'e.bead_id', createdColumn: 'b.created_at', where, params }, q, rowToEscalation);
}

export function findEscalation(sql: SqlHandle, id: string): Escalation | null {
  const row = first(sql, `${SELECT} FROM ${FROM} WHERE e.bead_id = ?`, id);
  return row === null ? null : rowToEscalation(row);
}

export function acknowledgeEscalation(ctx: TownCtx, id: string): Escalation {
  const escalation = findEscalation(ctx.sql, id);
  if (escalation === null) throw new NotFound('escalation', id);
  if (escalation.acknowledged) return escalation;
  ctx.sql.run(
    `UPDATE escalation_metadata SET acknowledged = 1, acknowledged_at = ?, acknowledged_by = ? WHERE bead_id = ?`,
    iso(ctx.now),
    ctx.actor,
    id,
  );
  transitionBead(ctx, id, 'closed', { reason: { code: 'acknowledged', message: `Acknowledged by ${ctx.actor}.` } });
  const bead = first(ctx.sql, `SELECT rig_id FROM beads WHERE bead_id = ?`, id);
  writeBeadEvent(ctx, { bead_id: id, rig_id: bead === null ? null : strOrNull(bead, 'rig_id'), event_type: 'acknowledged', metadata: { escalation_id: id, severity: escalation.severity } });
  const after = findEscalation(ctx.sql, id);
  if (after === null) throw new NotFound('escalation', id);
  return after;
}

/**
 * P`/escalations` (`gt_escalate`): an `agent_request` escalation from a live agent about the bead
 * it holds (none for the mayor). As for every category, one stays open per subject: a repeat
 * counts an occurrence on the open one, which is returned. A new one mails the mayor.
 */
export function raiseAgentEscalation(ctx: TownCtx, agentId: string, input: EscalationCreate): Escalation {
  const agent = liveAgent(ctx.sql, agentId);
  const id = escalate(ctx, {
    category: 'agent_request',
    severity: input.severity ?? 'medium',
    parent_bead_id: agent.hooked_bead_id,
    title: input.title,
    body: input.body ?? '',
    source_agent_id: agentId,
  });
  const escalation = findEscalation(ctx.sql, id);
  if (escalation === null) throw new NotFound('escalation', id);
  return escalation;
}
