/**
 * Helpers for workerd integration tests: requests through the real worker (`SELF.fetch`),
 * dev tokens, and one-call fixtures (a town with a rig) so each test reads as its scenario.
 */
import { SELF } from 'cloudflare:test';

export const BASE = 'http://gastown.test';

export interface CallResult {
  status: number;
  body: unknown;
  headers: Headers;
}

export async function call(method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await SELF.fetch(`${BASE}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let parsed: unknown = null;
  if (text.length > 0) parsed = JSON.parse(text);
  return { status: res.status, body: parsed, headers: res.headers };
}

/** `body.data` of a success envelope, typed by the caller's expectation. */
export function data<T = Record<string, unknown>>(r: CallResult): T {
  if (typeof r.body !== 'object' || r.body === null || !('data' in r.body)) throw new Error(`no data in ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data as T;
}

export function errorOf(r: CallResult): { code: string; message: string; details?: Record<string, unknown> } {
  if (typeof r.body !== 'object' || r.body === null || !('error' in r.body)) throw new Error(`no error in ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.error as { code: string; message: string; details?: Record<string, unknown> };
}

export async function devToken(userId = 'dev', extra: Record<string, unknown> = {}): Promise<string> {
  const r = await call('POST', '/api/dev/token', { body: { user_id: userId, ...extra } });
  return data<{ token: string }>(r).token;
}

let counter = 0;
/** A unique user per test, so tests never share towns. */
export function uniqueUser(prefix = 'u'): string {
  counter += 1;
  return `${prefix}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}

export async function newTown(token: string, name = 'Town'): Promise<string> {
  const r = await call('POST', '/api/towns', { token, body: { name } });
  if (r.status !== 201) throw new Error(`town create ${r.status} ${JSON.stringify(r.body)}`);
  return data<{ id: string }>(r).id;
}

export async function newRig(token: string, townId: string, name = 'app', gitUrl = 'https://github.com/acme/app.git'): Promise<string> {
  const r = await call('POST', `/api/towns/${townId}/rigs`, { token, body: { name, git_url: gitUrl } });
  if (r.status !== 201) throw new Error(`rig create ${r.status} ${JSON.stringify(r.body)}`);
  return data<{ id: string }>(r).id;
}

export async function newBead(token: string, townId: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await call('POST', `/api/towns/${townId}/beads`, { token, body });
  if (r.status !== 201) throw new Error(`bead create ${r.status} ${JSON.stringify(r.body)}`);
  return data(r);
}

/** A user with a token, a town and one rig. */
export async function fixture(): Promise<{ token: string; townId: string; rigId: string; user: string }> {
  const user = uniqueUser();
  const token = await devToken(user);
  const townId = await newTown(token);
  const rigId = await newRig(token, townId);
  return { token, townId, rigId, user };
}
