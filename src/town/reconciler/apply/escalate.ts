/**
 * Escalations and mayor mail from the reconciler (`domain.md` §7): one open escalation per
 * (category, parent) — a repeat bumps `occurrences` — and every new escalation or
 * re-escalation mails the mayor (`notify_mayor` writes a real message bead, never a log line).
 */
import type { EscalationCategory, Severity } from '../../../protocol/common.ts';
import { iso } from '../../db/clock.ts';
import { first, str, strOrNull } from '../../db/sql.ts';
import type { TownCtx } from '../../context.ts';
import { getOrCreateAgent } from '../../agents/get-or-create.ts';
import { insertBead } from '../../beads/create-bead.ts';
import { writeBeadEvent } from '../../beads/bead-events.ts';

/** A message bead to the mayor (the mayor row is created if absent, never started). */
export function notifyMayor(ctx: TownCtx, subject: string, body: string, parentBeadId: string | null): string {
  const mayorId = getOrCreateAgent(ctx, 'mayor', null, 0);
  if (mayorId === null) throw new Error('mayor could not be created');
  const id = insertBead(ctx, {
    type: 'message',
    title: subject.slice(0, 200),
    body,
    rig_id: null,
    labels: ['gt:message', 'from:system'],
    parent_bead_id: parentBeadId,
  });
  ctx.sql.run(`UPDATE beads SET assignee_agent_bead_id = ? WHERE bead_id = ?`, mayorId, id);
  return id;
}

/** Creates or bumps the open escalation for (category, parent). Returns its id. */
export function escalate(
  ctx: TownCtx,
  e: { category: EscalationCategory; severity: Severity; parent_bead_id: string | null; title: string; body: string; source_agent_id: string | null },
): string {
  const existing = first(
    ctx.sql,
    `SELECT e.bead_id FROM escalation_metadata e JOIN beads b ON b.bead_id = e.bead_id
     WHERE b.status = 'open' AND e.category = ? AND ${e.parent_bead_id === null ? 'b.parent_bead_id IS NULL' : 'b.parent_bead_id = ?'} LIMIT 1`,
    ...(e.parent_bead_id === null ? [e.category] : [e.category, e.parent_bead_id]),
  );
  if (existing !== null) {
    const id = str(existing, 'bead_id');
    ctx.sql.run(`UPDATE escalation_metadata SET occurrences = occurrences + 1 WHERE bead_id = ?`, id);
    return id;
  }
  const parent = e.parent_bead_id === null ? null : first(ctx.sql, `SELECT rig_id FROM beads WHERE bead_id = ?`, e.parent_bead_id);
  const rigId = parent === null ? null : strOrNull(parent, 'rig_id');
  const id = insertBead(ctx, {
    type: 'escalation',
    title: e.title.slice(0, 200),
    body: e.body,
    rig_id: rigId,
    priority: e.severity,
    labels: ['gt:escalation', `severity:${e.severity}`],
    parent_bead_id: e.parent_bead_id,
  });
  ctx.sql.run(
    `INSERT INTO escalation_metadata (bead_id, severity, category, source_agent_id, last_escalated_at) VALUES (?, ?, ?, ?, ?)`,
    id,
    e.severity,
    e.category,
    e.source_agent_id,
    iso(ctx.now),
  );
  if (e.parent_bead_id !== null && parent !== null) {
    writeBeadEvent(ctx, { bead_id: e.parent_bead_id, rig_id: rigId, event_type: 'escalated', metadata: { escalation_id: id, severity: e.severity, category: e.category } });
  }
  notifyMayor(ctx, `Escalation (${e.severity}): ${e.title}`, e.body, id);
  return id;
}

const SEVERITY_STEPS: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

/** Re-escalation: one severity step up (max critical), count + 1, mayor mailed again. */
export function bumpEscalation(ctx: TownCtx, escalationId: string, severity: Severity): void {
  const row = first(ctx.sql, `SELECT b.title, b.body FROM beads b WHERE b.bead_id = ?`, escalationId);
  if (row === null) return;
  const level = SEVERITY_STEPS.includes(severity) ? severity : 'critical';
  ctx.sql.run(
    `UPDATE escalation_metadata SET severity = ?, re_escalation_count = re_escalation_count + 1, last_escalated_at = ? WHERE bead_id = ?`,
    level,
    iso(ctx.now),
    escalationId,
  );
  ctx.sql.run(`UPDATE beads SET priority = ?, updated_at = ? WHERE bead_id = ?`, level, iso(ctx.now), escalationId);
  notifyMayor(ctx, `Re-escalation (${level}): ${str(row, 'title')}`, str(row, 'body'), escalationId);
}
