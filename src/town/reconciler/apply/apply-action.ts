/**
 * The SQL side of every reconciler action (`reconciler.md` §4). Each call runs inside its own
 * savepoint (the caller's `sql.transaction`); a compare-and-set miss returns `stale`; effect
 * actions push intents to `ctx.effects`, run by the executor after commit.
 */
import { iso } from '../../db/clock.ts';
import { first, strOrNull } from '../../db/sql.ts';
import type { TownCtx } from '../../context.ts';
import { newId } from '../../context.ts';
import { findAgentRecord } from '../../agents/agent-rows.ts';
import { hookBead, unhookAgent } from '../../agents/hooks.ts';
import { transitionAgent } from '../../agents/transition.ts';
import { insertBead } from '../../beads/create-bead.ts';
import { addDependency } from '../../beads/dependencies.ts';
import { findBeadRecord } from '../../beads/bead-rows.ts';
import { parseJsonObject } from '../../beads/json-columns.ts';
import { transitionBead } from '../../beads/transition.ts';
import { writeBeadEvent, type BeadEventType } from '../../beads/bead-events.ts';
import { Action, type ParsedAction } from '../actions.ts';
import type { SqlTownView } from '../view-sql.ts';
import { cascadeMergeRequest } from './cascades.ts';
import { applyDispatch } from './dispatch.ts';
import { bumpEscalation, escalate, notifyMayor } from './escalate.ts';

export type ApplyOutcome = 'applied' | 'stale' | 'deferred';

const REVIEW_TIME_FIELDS = new Set(['reviewed_at', 'awaiting_approval_since', 'last_poll_at', 'auto_merge_ready_since', 'last_feedback_check_at']);
const REVIEW_BOOL_FIELDS = new Set(['awaiting_approval', 'has_conflicts', 'auto_merge_pending']);
const CONVOY_TIME_FIELDS = new Set(['last_landing_mr_attempt_at', 'landed_at']);

function toColumn(key: string, value: unknown, times: Set<string>, bools: Set<string>): string | number | null {
  if (value === null || value === undefined) return null;
  if (times.has(key) && typeof value === 'number') return iso(value);
  if (bools.has(key) && typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' || typeof value === 'number') return value;
  return JSON.stringify(value);
}

function updateColumns(ctx: TownCtx, table: string, id: string, patch: Record<string, unknown>, times: Set<string>, bools: Set<string>): void {
  const keys = Object.keys(patch).filter((k) => patch[k] !== undefined);
  if (keys.length === 0) return;
  // Keys come from a zod-validated patch, so they are column names, never input text.
  ctx.sql.run(`UPDATE ${table} SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE bead_id = ?`, ...keys.map((k) => toColumn(k, patch[k], times, bools)), id);
}

function setTownState(ctx: TownCtx, key: string, value: unknown): void {
  ctx.sql.run(`INSERT OR REPLACE INTO town_state (key, value, updated_at) VALUES (?, ?, ?)`, key, JSON.stringify(value), iso(ctx.now));
}

/** Applies one action; throws on a real failure (the caller rolls back its savepoint). */
export function applyAction(ctx: TownCtx, view: SqlTownView, input: ParsedAction): ApplyOutcome {
  const a = Action.parse(input);
  switch (a.type) {
    case 'transition_bead': {
      const bead = findBeadRecord(ctx.sql, a.bead_id);
      if (bead === null) return 'stale';
      const outcome = transitionBead(ctx, a.bead_id, a.to, { from: a.from, reason: a.reason });
      if (outcome === 'stale') return 'stale';
      if (outcome === 'ok' && bead.type === 'merge_request' && (a.to === 'closed' || a.to === 'failed')) cascadeMergeRequest(ctx, a.bead_id, a.to);
      return 'applied';
    }
    case 'transition_agent':
      return transitionAgent(ctx, a.agent_id, a.to, { from: a.from, reason: a.reason }) === 'stale' ? 'stale' : 'applied';
    case 'hook':
      hookBead(ctx, a.agent_id, a.bead_id);
      return 'applied';
    case 'unhook':
      if (findAgentRecord(ctx.sql, a.agent_id) === null) return 'stale';
      unhookAgent(ctx, a.agent_id, a.reason);
      return 'applied';
    case 'clear_assignee':
      ctx.sql.run(`UPDATE beads SET assignee_agent_bead_id = NULL, updated_at = ? WHERE bead_id = ?`, iso(ctx.now), a.bead_id);
      return 'applied';
    case 'create_bead': {
      const f = a.fields;
      const id = insertBead(ctx, {
        type: f.type,
        title: f.title,
        body: f.body,
        rig_id: f.rig_id,
        priority: f.priority,
        labels: f.labels,
        parent_bead_id: f.parent_bead_id,
        followup_context: f.followup_context,
      });
      if (f.assignee_agent_id !== null) ctx.sql.run(`UPDATE beads SET assignee_agent_bead_id = ? WHERE bead_id = ?`, f.assignee_agent_id, id);
      if (f.type === 'merge_request') {
        ctx.sql.run(
          `INSERT INTO review_metadata (bead_id, branch, target_branch, pr_url) VALUES (?, ?, ?, ?)`,
          id,
          f.review?.branch ?? null,
          f.review?.target_branch ?? null,
          f.review?.pr_url ?? null,
        );
      }
      for (const edge of a.edges) {
        if (edge.direction === 'out') addDependency(ctx, id, edge.bead_id, edge.type, f.rig_id);
        else addDependency(ctx, edge.bead_id, id, edge.type, f.rig_id);
      }
      return 'applied';
    }
    case 'set_review_fields':
      if (first(ctx.sql, `SELECT 1 AS x FROM review_metadata WHERE bead_id = ?`, a.bead_id) === null) return 'stale';
      updateColumns(ctx, 'review_metadata', a.bead_id, a.patch, REVIEW_TIME_FIELDS, REVIEW_BOOL_FIELDS);
      return 'applied';
    case 'update_convoy':
      if (first(ctx.sql, `SELECT 1 AS x FROM convoy_metadata WHERE bead_id = ?`, a.convoy_id) === null) return 'stale';
      updateColumns(ctx, 'convoy_metadata', a.convoy_id, a.patch, CONVOY_TIME_FIELDS, new Set());
      return 'applied';
    case 'escalate':
      escalate(ctx, a);
      return 'applied';
    case 'bump_escalation':
      bumpEscalation(ctx, a.escalation_id, a.severity);
      return 'applied';
    case 'notify_mayor':
      notifyMayor(ctx, a.subject, a.body, a.parent_bead_id);
      return 'applied';
    case 'delete_agent': {
      const agent = findAgentRecord(ctx.sql, a.agent_id);
      if (agent === null || agent.status === 'dead') return 'stale';
      if (agent.status === 'working' || agent.status === 'stalled' || agent.status === 'waiting') {
        ctx.effects.push({ kind: 'stop_agent', agent_id: a.agent_id, reason: a.reason.code });
      }
      transitionAgent(ctx, a.agent_id, 'dead', { reason: a.reason });
      return 'applied';
    }
    case 'dispatch_agent':
      return applyDispatch(ctx, view, a);
    case 'stop_agent':
      ctx.effects.push({ kind: 'stop_agent', agent_id: a.agent_id, reason: a.reason });
      return 'applied';
    case 'poll_pr':
      ctx.sql.run(`UPDATE review_metadata SET last_poll_at = ? WHERE bead_id = ?`, iso(ctx.now), a.bead_id);
      ctx.effects.push({ kind: 'poll_pr', bead_id: a.bead_id });
      return 'applied';
    case 'git_merge': {
      // A direct merge is an attempt like a dispatch: counted, so R3's cap and backoff apply.
      const now = iso(ctx.now);
      ctx.sql.run(`UPDATE beads SET dispatch_attempts = dispatch_attempts + 1, last_dispatch_attempt_at = ?, updated_at = ? WHERE bead_id = ?`, now, now, a.bead_id);
      ctx.effects.push({ kind: 'git_merge', bead_id: a.bead_id, request_id: a.request_id });
      return 'applied';
    }
    case 'merge_pr': {
      const row = first(ctx.sql, `SELECT auto_merge_pending FROM review_metadata WHERE bead_id = ?`, a.bead_id);
      if (row === null || row.auto_merge_pending !== 1) return 'stale';
      ctx.effects.push({ kind: 'merge_pr', bead_id: a.bead_id });
      return 'applied';
    }
    case 'send_nudge': {
      const id = newId();
      ctx.sql.run(
        `INSERT INTO agent_nudges (nudge_id, agent_bead_id, message, mode, priority, source, status, created_at, expires_at)
         VALUES (?, ?, ?, 'immediate', 'urgent', ?, 'pending', ?, ?)`,
        id,
        a.agent_id,
        a.message,
        `reconciler:${a.tier}`,
        iso(ctx.now),
        iso(ctx.now + 3600_000),
      );
      const agent = findAgentRecord(ctx.sql, a.agent_id);
      if (agent !== null && agent.hooked_bead_id !== null) {
        writeBeadEvent(ctx, { bead_id: agent.hooked_bead_id, rig_id: agent.rig_id, agent_id: a.agent_id, event_type: 'nudged', metadata: { tier: a.tier } });
      }
      ctx.effects.push({ kind: 'deliver_nudge', agent_id: a.agent_id, nudge_id: id });
      return 'applied';
    }
    case 'deliver_nudge':
      ctx.effects.push({ kind: 'deliver_nudge', agent_id: a.agent_id, nudge_id: a.nudge_id });
      return 'applied';
    case 'deliver_mail':
      ctx.effects.push({ kind: 'deliver_mail', agent_id: a.agent_id, message_ids: a.message_ids });
      return 'applied';
    case 'bead_event': {
      const bead = first(ctx.sql, `SELECT rig_id FROM beads WHERE bead_id = ?`, a.bead_id);
      if (bead === null) return 'stale';
      writeBeadEvent(ctx, { bead_id: a.bead_id, rig_id: strOrNull(bead, 'rig_id'), agent_id: a.agent_id, event_type: a.event_type as BeadEventType, metadata: a.data });
      return 'applied';
    }
    case 'set_followup_context': {
      const row = first(ctx.sql, `SELECT followup_context FROM beads WHERE bead_id = ?`, a.bead_id);
      if (row === null) return 'stale';
      const merged = { ...parseJsonObject(strOrNull(row, 'followup_context')), ...a.patch };
      ctx.sql.run(`UPDATE beads SET followup_context = ?, updated_at = ? WHERE bead_id = ?`, JSON.stringify(merged), iso(ctx.now), a.bead_id);
      return 'applied';
    }
    case 'clear_checkpoint':
      ctx.sql.run(`UPDATE agent_metadata SET checkpoint = NULL WHERE bead_id = ?`, a.agent_id);
      return 'applied';
    case 'mark_nudge':
      ctx.sql.run(
        `UPDATE agent_nudges SET status = ?, delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE nudge_id = ? AND status = 'pending'`,
        a.status,
        a.status,
        iso(ctx.now),
        a.nudge_id,
      );
      return 'applied';
    case 'set_drain':
      for (const [key, value] of Object.entries(a.patch)) if (value !== undefined) setTownState(ctx, key, value);
      return 'applied';
    case 'record_metric':
      return 'applied';
  }
}
