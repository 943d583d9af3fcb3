/**
 * The dashboard's one HTTP client: every call goes to an `/api` route of `http-api.md` (or
 * `/health`), with the stored bearer token, a JSON body, and the reply parsed with the shared
 * zod schema of `src/protocol/`. Failures become `ApiError`s; a 401 signs the user out.
 */
import { z } from 'zod';
import { ApiError, apiErrorFrom, networkError } from './api-error.ts';
import { withQuery, type Query } from './query.ts';
import { currentToken, signOut } from './token-store.ts';

export type { Query } from './query.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Calls `method path` and returns the reply's `data` parsed with `schema`; `list: true` returns
 * the list envelope's items and `next_cursor`. `auth: false` sends no token (health, dev token).
 */
export async function call<S extends z.ZodType>(
  method: Method,
  path: string,
  schema: S,
  opts: { body?: unknown; query?: Query; auth?: boolean } = {},
): Promise<z.output<S>> {
  const json = await send(method, path, opts);
  const envelope = DataEnvelope.safeParse(json);
  const parsed = envelope.success ? schema.safeParse(envelope.data.data) : null;
  if (parsed === null || !parsed.success) throw unexpected(method, path);
  return parsed.data;
}

/** Calls a list or stream route: its items parsed with `item`, and its `next_cursor`. */
export async function callList<S extends z.ZodType>(path: string, item: S, query?: Query): Promise<{ items: z.output<S>[]; next_cursor: string | null }> {
  const json = await send('GET', path, { query });
  const envelope = ListEnvelope.safeParse(json);
  if (!envelope.success) throw unexpected('GET', path);
  const items: z.output<S>[] = [];
  for (const raw of envelope.data.data) {
    const parsed = item.safeParse(raw);
    if (!parsed.success) throw unexpected('GET', path);
    items.push(parsed.data);
  }
  return { items, next_cursor: envelope.data.next_cursor };
}

const DataEnvelope = z.object({ data: z.unknown() });
const ListEnvelope = z.object({ data: z.array(z.unknown()), next_cursor: z.string().nullable() });

function unexpected(method: Method, path: string): ApiError {
  return new ApiError(200, 'unexpected_response', `The server's answer to ${method} ${path.split('?')[0] ?? path} did not have the expected shape.`);
}

async function send(method: Method, path: string, opts: { body?: unknown; query?: Query; auth?: boolean }): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.auth !== false) {
    const token = currentToken();
    if (token === null) throw new ApiError(401, 'unauthorized', 'You are signed out.');
    headers.Authorization = `Bearer ${token}`;
  }
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), { method, headers, body, credentials: 'omit', cache: 'no-store' });
  } catch {
    throw networkError();
  }
  const json = await readJson(res);
  if (!res.ok) {
    const error = apiErrorFrom(res.status, json);
    if (res.status === 401 && opts.auth !== false) signOut(`The server refused your token: ${error.message}`);
    throw error;
  }
  return json;
}
