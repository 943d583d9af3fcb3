/**
 * `town_state` access (`domain.md` §2: operational scalars owned by `container.md`): JSON values
 * by key, with their `updated_at`. Used by the drain bookkeeping and the container registry.
 */
import { iso } from '../db/clock.ts';
import { first, str, type SqlHandle } from '../db/sql.ts';

/** A stored value (parsed JSON) and when it was written, or null when the key is absent. */
export function readTownState(sql: SqlHandle, key: string): { value: unknown; updated_at: string } | null {
  const row = first(sql, `SELECT value, updated_at FROM town_state WHERE key = ?`, key);
  if (row === null) return null;
  let value: unknown = null;
  try {
    value = JSON.parse(str(row, 'value'));
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
  }
  return { value, updated_at: str(row, 'updated_at') };
}

/** Writes `value` as JSON under `key`. */
export function writeTownState(sql: SqlHandle, key: string, value: unknown, now: number): void {
  sql.run(`INSERT OR REPLACE INTO town_state (key, value, updated_at) VALUES (?, ?, ?)`, key, JSON.stringify(value), iso(now));
}
