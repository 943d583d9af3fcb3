/**
 * What the delivery effects send to a running session (`reconciler.md` §4): mail as one prompt
 * of up to 20 messages, and a nudge as a `[NUDGE from <source>] <message>` line, read from SQL
 * after commit. Returns null when nothing is left to deliver.
 */
import { first, str, strOrNull, placeholders, type SqlHandle } from '../db/sql.ts';
import { parseStringArray } from '../beads/json-columns.ts';

/** At most this many messages go in one prompt (`MAIL_BATCH`). */
export const MAIL_PROMPT_MAX = 20;

function senderOf(labels: string[]): string {
  const from = labels.find((l) => l.startsWith('from:'));
  return from === undefined ? 'unknown' : from.slice('from:'.length);
}

/** One prompt carrying the given message beads, oldest first; null if none exist any more. */
export function mailPrompt(sql: SqlHandle, messageIds: readonly string[]): string | null {
  const ids = messageIds.slice(0, MAIL_PROMPT_MAX);
  if (ids.length === 0) return null;
  const rows = sql.all(`SELECT bead_id, title, body, labels FROM beads WHERE type = 'message' AND bead_id IN (${placeholders(ids.length)}) ORDER BY created_at, bead_id`, ...ids);
  if (rows.length === 0) return null;
  const parts = rows.map((r) => {
    const body = str(r, 'body').trim();
    const head = `[MAIL from ${senderOf(parseStringArray(strOrNull(r, 'labels')))}] ${str(r, 'title')} (id ${str(r, 'bead_id')})`;
    return body.length === 0 ? head : `${head}\n${body}`;
  });
  return `You have ${rows.length} new message${rows.length === 1 ? '' : 's'}:\n\n${parts.join('\n\n')}`;
}

/** `[NUDGE from <source>] <message>` for a still-pending nudge; null otherwise. */
export function nudgePrompt(sql: SqlHandle, nudgeId: string): string | null {
  const row = first(sql, `SELECT message, source, status FROM agent_nudges WHERE nudge_id = ?`, nudgeId);
  if (row === null || str(row, 'status') !== 'pending') return null;
  return `[NUDGE from ${strOrNull(row, 'source') ?? 'unknown'}] ${str(row, 'message')}`;
}
