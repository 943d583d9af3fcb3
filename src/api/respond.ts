/**
 * Success envelopes (`http-api.md` §1.1): `{data}` with 200/201, lists with `next_cursor`.
 */
import type { Context } from 'hono';

export function ok<T>(c: Context, data: T, status: 200 | 201 = 200): Response {
  return c.json({ data }, status);
}

export function created<T>(c: Context, data: T): Response {
  return c.json({ data }, 201);
}

export function list<T>(c: Context, page: { items: T[]; next_cursor: string | null }): Response {
  return c.json({ data: page.items, next_cursor: page.next_cursor }, 200);
}

export function deleted(c: Context): Response {
  return c.json({ data: { deleted: true } }, 200);
}
