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

// ---------------------------------------------------------------------------------------------
// Core user API helpers (conventions, auth, towns, rigs, migrations): direct access to a town's
// Durable Object and its SQLite, for seeding states no route creates yet and for checking what
// is stored.

import { env, runInDurableObject } from 'cloudflare:test';
import type { TownDO } from '../../src/town/town-do.ts';

/** The TownDO stub of `townId`, addressed exactly as the worker does (lowercased name). */
export function townObject(townId: string): DurableObjectStub<TownDO> {
  return env.TOWN.get(env.TOWN.idFromName(townId.toLowerCase()));
}

/** Runs one SQL statement inside the town's Durable Object and returns its rows. */
export async function townSql(townId: string, statement: string, ...params: (string | number | null)[]): Promise<Record<string, SqlStorageValue>[]> {
  return runInDurableObject(townObject(townId), (_instance: TownDO, state) => state.storage.sql.exec<Record<string, SqlStorageValue>>(statement, ...params).toArray());
}

/** The payload of a JWT, decoded without verification (to read `exp`, `iat`, `sub`, …). */
export function jwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (part === undefined) throw new Error('not a JWT');
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const value: unknown = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('JWT payload is not an object');
  return Object.fromEntries(Object.entries(value));
}

/** The issue paths of a 400 `validation_failed`. */
export function issuePaths(r: CallResult): (string | number)[][] {
  const details = errorOf(r).details ?? {};
  const issues = Array.isArray(details.issues) ? details.issues : [];
  return issues.map((i: unknown) => (typeof i === 'object' && i !== null && 'path' in i && Array.isArray(i.path) ? i.path : []));
}

// ---------------------------------------------------------------------------------------------
// Work API helpers (beads, sling-batch, convoys): typed calls through the real routes that
// fail loudly when the call does not succeed, so scenarios read as their steps.

import { Bead, BeadWithRelations, ConvoyDetail } from '../../src/protocol/api.ts';

function expectStatus(r: CallResult, status: number, what: string): void {
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
}

/** POST T/beads → the created Bead. */
export async function createIssue(token: string, townId: string, body: Record<string, unknown>): Promise<Bead> {
  const r = await call('POST', `/api/towns/${townId}/beads`, { token, body });
  expectStatus(r, 201, 'bead create');
  return Bead.parse(data(r));
}

/** GET T/beads/:beadId → `{bead, blocked_by, blocks, recent_activity}`. */
export async function beadDetail(token: string, townId: string, beadId: string): Promise<BeadWithRelations> {
  const r = await call('GET', `/api/towns/${townId}/beads/${beadId}`, { token });
  expectStatus(r, 200, 'bead get');
  return BeadWithRelations.parse(data(r));
}

/** PATCH T/beads/:beadId that must succeed → the Bead. */
export async function patchBeadOk(token: string, townId: string, beadId: string, body: Record<string, unknown>): Promise<Bead> {
  const r = await call('PATCH', `/api/towns/${townId}/beads/${beadId}`, { token, body });
  expectStatus(r, 200, 'bead patch');
  return Bead.parse(data(r));
}

/** POST T/sling-batch that must succeed → `{convoy, beads}`. */
export async function slingBatchOk(token: string, townId: string, body: Record<string, unknown>): Promise<{ convoy: ConvoyDetail; beads: Bead[] }> {
  const r = await call('POST', `/api/towns/${townId}/sling-batch`, { token, body });
  expectStatus(r, 201, 'sling-batch');
  const value = data<{ convoy: unknown; beads: unknown[] }>(r);
  return { convoy: ConvoyDetail.parse(value.convoy), beads: value.beads.map((b) => Bead.parse(b)) };
}

/** GET T/convoys/:convoyId → ConvoyDetail. */
export async function convoyDetailOf(token: string, townId: string, convoyId: string): Promise<ConvoyDetail> {
  const r = await call('GET', `/api/towns/${townId}/convoys/${convoyId}`, { token });
  expectStatus(r, 200, 'convoy get');
  return ConvoyDetail.parse(data(r));
}

/** `next_cursor` of a list response. */
export function nextCursor(r: CallResult): string | null {
  if (typeof r.body !== 'object' || r.body === null || !('next_cursor' in r.body)) throw new Error(`no next_cursor in ${r.status} ${JSON.stringify(r.body)}`);
  const value = r.body.next_cursor;
  if (value !== null && typeof value !== 'string') throw new Error(`next_cursor is ${typeof value}`);
  return value;
}
