/**
 * Cursor pagination for plain lists (`http-api.md` §1.4): newest first by (created_at, id),
 * with an opaque base64url cursor naming the last item returned.
 */
import { ValidationFailed } from '../../errors.ts';
import type { SqlHandle, SqlRow, SqlValue } from '../db/sql.ts';
import { str } from '../db/sql.ts';

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

interface Cursor {
  t: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return btoa(JSON.stringify(c)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes a cursor; a malformed one is a 400 on `cursor`. */
export function decodeCursor(raw: string): Cursor {
  try {
    const padded = raw.replace(/-/g, '+').replace(/_/g, '/');
    const value: unknown = JSON.parse(atob(padded + '='.repeat((4 - (padded.length % 4)) % 4)));
    if (typeof value === 'object' && value !== null && 't' in value && 'id' in value && typeof value.t === 'string' && typeof value.id === 'string') {
      return { t: value.t, id: value.id };
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationFailed('The cursor is not valid.', [{ path: ['cursor'], code: 'invalid_cursor', message: 'not a cursor returned by this list' }], 'query');
}

export interface ListQuery {
  /** Table or FROM clause; the created_at and id columns must be unambiguous (use an alias). */
  table: string;
  idColumn: string;
  createdColumn?: string;
  select?: string;
  where: string[];
  params: SqlValue[];
}

/** Runs a newest-first page query and maps its rows. */
export function pageByCreated<T>(sql: SqlHandle, q: ListQuery, page: { limit: number; cursor?: string | undefined }, map: (row: SqlRow) => T): Page<T> {
  const created = q.createdColumn ?? 'created_at';
  const where = [...q.where];
  const params = [...q.params];
  if (page.cursor !== undefined) {
    const c = decodeCursor(page.cursor);
    where.push(`(${created} < ? OR (${created} = ? AND ${q.idColumn} < ?))`);
    params.push(c.t, c.t, c.id);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const rows = sql.all(
    `${q.select ?? 'SELECT *'} FROM ${q.table} ${clause} ORDER BY ${created} DESC, ${q.idColumn} DESC LIMIT ?`,
    ...params,
    page.limit + 1,
  );
  const more = rows.length > page.limit;
  const kept = more ? rows.slice(0, page.limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map(map),
    next_cursor: more && last !== undefined ? encodeCursor({ t: str(last, 'created_at'), id: str(last, idColumnAlias(q.idColumn)) }) : null,
  };
}

/** `b.bead_id` → `bead_id` (the row key of an aliased column). */
function idColumnAlias(col: string): string {
  const dot = col.lastIndexOf('.');
  return dot === -1 ? col : col.slice(dot + 1);
}
