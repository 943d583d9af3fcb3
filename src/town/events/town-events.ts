/**
 * The reconciler's inbox (`town_events`, `reconciler.md` §3): insert (optionally deduplicated
 * while pending), read the pending batch oldest first, mark processed, record a failure
 * (dead-lettered on the third) and requeue a dead letter. Plain functions over `sql`.
 */
import type { InboxEvent } from '../../protocol/api.ts';
import { iso, ms } from '../db/clock.ts';
import { first, num, str, strOrNull, type SqlHandle, type SqlRow } from '../db/sql.ts';
import { newId } from '../context.ts';
import { parseJsonObject } from '../beads/json-columns.ts';
import type { TownEvent } from '../reconciler/types.ts';

export interface NewTownEvent {
  event_type: string;
  agent_id?: string | null;
  bead_id?: string | null;
  payload: Record<string, unknown>;
  /** At most one pending row per key: a repeat replaces the pending row's payload. */
  dedupe_key?: string | null;
}

/** Inserts one event; returns its id (the existing pending row's id on a dedupe hit). */
export function insertTownEvent(sql: SqlHandle, e: NewTownEvent, now: number): string {
  const id = newId();
  const dedupe = e.dedupe_key ?? null;
  if (dedupe !== null) {
    const existing = first(sql, `SELECT event_id FROM town_events WHERE dedupe_key = ? AND processed_at IS NULL`, dedupe);
    if (existing !== null) {
      sql.run(`UPDATE town_events SET payload = ? WHERE event_id = ?`, JSON.stringify(e.payload), str(existing, 'event_id'));
      return str(existing, 'event_id');
    }
  }
  sql.run(
    `INSERT INTO town_events (event_id, event_type, agent_id, bead_id, payload, dedupe_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    id,
    e.event_type,
    e.agent_id ?? null,
    e.bead_id ?? null,
    JSON.stringify(e.payload),
    dedupe,
    iso(now),
  );
  return id;
}

function rowToEvent(row: SqlRow): TownEvent {
  return {
    event_id: str(row, 'event_id'),
    event_type: str(row, 'event_type'),
    agent_id: strOrNull(row, 'agent_id'),
    bead_id: strOrNull(row, 'bead_id'),
    payload: parseJsonObject(strOrNull(row, 'payload')),
    created_at: ms(str(row, 'created_at')) ?? 0,
  };
}

export function rowToInboxEvent(row: SqlRow): InboxEvent {
  return {
    id: str(row, 'event_id'),
    type: str(row, 'event_type'),
    agent_id: strOrNull(row, 'agent_id'),
    bead_id: strOrNull(row, 'bead_id'),
    payload: parseJsonObject(strOrNull(row, 'payload')),
    retry_count: num(row, 'retry_count'),
    last_error: strOrNull(row, 'last_error'),
    created_at: str(row, 'created_at'),
    processed_at: strOrNull(row, 'processed_at'),
    dead_lettered_at: strOrNull(row, 'dead_lettered_at'),
  };
}

/** Up to `limit` pending events, oldest first. */
export function pendingEvents(sql: SqlHandle, limit: number): TownEvent[] {
  return sql.all(`SELECT * FROM town_events WHERE processed_at IS NULL ORDER BY created_at, rowid LIMIT ?`, limit).map(rowToEvent);
}

export function findTownEvent(sql: SqlHandle, eventId: string): SqlRow | null {
  return first(sql, `SELECT * FROM town_events WHERE event_id = ?`, eventId);
}

export function markProcessed(sql: SqlHandle, eventId: string, now: number): void {
  sql.run(`UPDATE town_events SET processed_at = ? WHERE event_id = ?`, iso(now), eventId);
}

/** Records a failed attempt; returns true when this failure dead-lettered the event. */
export function recordFailure(sql: SqlHandle, eventId: string, error: string, now: number, maxAttempts: number): boolean {
  const row = first(sql, `SELECT retry_count FROM town_events WHERE event_id = ?`, eventId);
  const attempts = (row === null ? 0 : num(row, 'retry_count')) + 1;
  const dead = attempts >= maxAttempts;
  sql.run(
    `UPDATE town_events SET retry_count = ?, last_error = ?, dead_lettered_at = ?, processed_at = ? WHERE event_id = ?`,
    attempts,
    error.slice(0, 1000),
    dead ? iso(now) : null,
    dead ? iso(now) : null,
    eventId,
  );
  return dead;
}

/** Makes a dead letter pending again with a fresh retry budget; false if it is not one. */
export function requeueDeadLetter(sql: SqlHandle, eventId: string): boolean {
  const changed = sql.run(
    `UPDATE town_events SET dead_lettered_at = NULL, processed_at = NULL, retry_count = 0 WHERE event_id = ? AND dead_lettered_at IS NOT NULL`,
    eventId,
  );
  return changed > 0;
}

/** Housekeeping: prune processed events, dead letters and dead agents past retention. */
export function pruneEvents(sql: SqlHandle, now: number, retentionMs: number, deadLetterRetentionMs: number): void {
  sql.run(`DELETE FROM town_events WHERE processed_at IS NOT NULL AND dead_lettered_at IS NULL AND processed_at < ?`, iso(now - retentionMs));
  sql.run(`DELETE FROM town_events WHERE dead_lettered_at IS NOT NULL AND dead_lettered_at < ?`, iso(now - deadLetterRetentionMs));
}
