/**
 * The bead timeline (`domain.md` §9): one row per change, written in the same transaction as
 * the change, with a town-wide monotonic `seq`. Read back as ActivityEvents by T/activity and
 * bead detail. Never contains secrets.
 */
import type { ActivityEvent } from '../../protocol/api.ts';
import { iso } from '../db/clock.ts';
import { first, num, str, strOrNull, type SqlRow } from '../db/sql.ts';
import { newId, type TownCtx } from '../context.ts';
import { parseJsonObject } from './json-columns.ts';

export type BeadEventType =
  | 'created'
  | 'status_changed'
  | 'hooked'
  | 'unhooked'
  | 'dispatched'
  | 'dispatch_failed'
  | 'agent_exited'
  | 'eviction_context'
  | 'review_submitted'
  | 'pr_created'
  | 'pr_creation_failed'
  | 'review_completed'
  | 'rework_requested'
  | 'followup_created'
  | 'pr_poll_failed'
  | 'awaiting_approval'
  | 'approval_resolved'
  | 'escalated'
  | 'acknowledged'
  | 'mail_sent'
  | 'nudged'
  | 'agent_status'
  | 'fields_updated'
  | 'dependency_added'
  | 'dependency_removed'
  | 'convoy_progress'
  | 'convoy_landed'
  | 'deleted';

export interface BeadEventInput {
  bead_id: string | null;
  rig_id: string | null;
  agent_id?: string | null;
  event_type: BeadEventType;
  old_value?: string | null;
  new_value?: string | null;
  metadata?: Record<string, unknown>;
}

/**
 * The next timeline seq: a counter in `town_state` that only goes up, so deleting a bead (and
 * its events) never lets a later event reuse a seq clients already saw.
 */
function nextSeq(ctx: TownCtx): number {
  const row = first(
    ctx.sql,
    `INSERT INTO town_state (key, value, updated_at) VALUES ('bead_event_seq', '1', ?)
     ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1, updated_at = excluded.updated_at
     RETURNING CAST(value AS INTEGER) AS seq`,
    iso(ctx.now),
  );
  if (row === null) throw new Error('bead_event_seq counter did not return a value');
  return num(row, 'seq');
}

/** Appends one timeline row; returns its seq. */
export function writeBeadEvent(ctx: TownCtx, e: BeadEventInput): number {
  const seq = nextSeq(ctx);
  ctx.sql.run(
    `INSERT INTO bead_events (bead_event_id, seq, bead_id, rig_id, agent_id, actor, event_type, old_value, new_value, metadata, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    newId(),
    seq,
    e.bead_id,
    e.rig_id,
    e.agent_id ?? null,
    ctx.actor,
    e.event_type,
    e.old_value ?? null,
    e.new_value ?? null,
    JSON.stringify(e.metadata ?? {}),
    iso(ctx.now),
  );
  return seq;
}

/** A bead_events row as the API's ActivityEvent. `data` holds old/new values and metadata. */
export function rowToActivity(row: SqlRow): ActivityEvent {
  const data: Record<string, unknown> = { ...parseJsonObject(strOrNull(row, 'metadata')) };
  const oldValue = strOrNull(row, 'old_value');
  const newValue = strOrNull(row, 'new_value');
  if (oldValue !== null) data.old_value = oldValue;
  if (newValue !== null) data.new_value = newValue;
  return {
    seq: num(row, 'seq'),
    type: str(row, 'event_type'),
    rig_id: strOrNull(row, 'rig_id'),
    bead_id: strOrNull(row, 'bead_id'),
    agent_id: strOrNull(row, 'agent_id'),
    actor: str(row, 'actor'),
    data,
    created_at: str(row, 'created_at'),
  };
}
