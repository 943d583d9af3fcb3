/**
 * P`/db-snapshot` in workerd (`http-api.md` §4.3, §6): an agent's kilo.db bytes round-trip through
 * the KV binding (PUT answers `{bytes, sha256}`, GET the same bytes as octet-stream), 404 when
 * absent, 413 over 10 MB, DELETE forgets them; snapshots are per agent (another agent, or a new
 * agent after a deletion, never reads one), and only the agent's own token opens its snapshot.
 */
import { SELF, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE, call, errorOf } from './helpers.ts';
import { harness } from './reconciler-support.ts';
import { agentPath, agentToken, containerToken, dispatchedPolecat, type AgentIdentity } from './report-support.ts';
import { seededMayor, seededPolecat } from './agent-tools-support.ts';

async function snapshot(who: AgentIdentity, method: 'GET' | 'PUT' | 'DELETE', body?: Uint8Array, token?: string): Promise<Response> {
  return SELF.fetch(`${BASE}${agentPath(who)}/db-snapshot`, {
    method,
    headers: { Authorization: `Bearer ${token ?? (await agentToken(who))}`, ...(body === undefined ? {} : { 'Content-Type': 'application/octet-stream' }) },
    ...(body === undefined ? {} : { body }),
  });
}

async function sha256(bytes: Uint8Array): Promise<string> {
  return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Byte-wise equality (an element-wise `toEqual` over 300 000 bytes is far too slow). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}

/** Bytes that are not valid UTF-8, so a text round trip would corrupt them. */
function binary(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) bytes[i] = (i * 131 + 7) % 256;
  return bytes;
}

describe('P/db-snapshot', () => {
  it('round-trips the bytes: 404 before, PUT {bytes, sha256}, GET the same bytes, DELETE, 404 after', async () => {
    const h = await harness();
    const polecat = await dispatchedPolecat(h);
    const before = await snapshot(polecat, 'GET');
    expect(before.status).toBe(404);
    expect(((await before.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const bytes = binary(300_000);
    const put = await snapshot(polecat, 'PUT', bytes);
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ data: { bytes: 300_000, sha256: await sha256(bytes) } });
    const got = await snapshot(polecat, 'GET');
    expect(got.status).toBe(200);
    expect(got.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(sameBytes(new Uint8Array(await got.arrayBuffer()), bytes)).toBe(true);
    const replaced = binary(10);
    expect((await snapshot(polecat, 'PUT', replaced)).status).toBe(200);
    expect(sameBytes(new Uint8Array(await (await snapshot(polecat, 'GET')).arrayBuffer()), replaced)).toBe(true);
    const del = await snapshot(polecat, 'DELETE');
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ data: { deleted: true } });
    expect((await snapshot(polecat, 'GET')).status).toBe(404);
    expect((await snapshot(polecat, 'DELETE')).status).toBe(404);
  });

  it('accepts exactly 10 MB and refuses more with a 413, storing nothing', async () => {
    const h = await harness();
    const polecat = await dispatchedPolecat(h);
    const limit = 10 * 1024 * 1024;
    const over = await snapshot(polecat, 'PUT', new Uint8Array(limit + 1));
    expect(over.status).toBe(413);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    expect((await snapshot(polecat, 'GET')).status).toBe(404);
    const full = await snapshot(polecat, 'PUT', new Uint8Array(limit));
    expect(full.status).toBe(200);
    expect(((await full.json()) as { data: { bytes: number } }).data.bytes).toBe(limit);
    // Two 10 MB uploads through workerd: more than the default 5 s on a loaded machine.
  }, 60_000);

  it('is per agent: another agent, and a new agent after the old one is deleted, find nothing', async () => {
    const h = await harness();
    const first = await seededPolecat(h, 'Maple');
    expect((await snapshot(first, 'PUT', binary(64))).status).toBe(200);
    const second = await seededPolecat(h, 'Birch');
    expect((await snapshot(second, 'GET')).status).toBe(404);
    expect((await call('DELETE', `/api/towns/${h.townId}/agents/${first.agentId}`, { token: h.token })).status).toBe(200);
    expect((await snapshot(first, 'GET')).status).toBe(404);
    const successor = await seededPolecat(h, 'Maple');
    expect(successor.agentId).not.toBe(first.agentId);
    expect((await snapshot(successor, 'GET')).status).toBe(404);
    // The mayor keeps its own, on its own path.
    const mayor = await seededMayor(h);
    expect((await snapshot(mayor, 'PUT', binary(32))).status).toBe(200);
    expect(sameBytes(new Uint8Array(await (await snapshot(mayor, 'GET')).arrayBuffer()), binary(32))).toBe(true);
    expect(await env.AGENT_DB_SNAPSHOTS.get(`db-snapshot/${h.townId}/${mayor.agentId}`, 'arrayBuffer')).not.toBeNull();
  });

  it('auth: no token 401, a container token 401, another agent 403, another town 403', async () => {
    const h = await harness();
    const polecat = await dispatchedPolecat(h);
    const other = await seededPolecat(h, 'Sage');
    const noToken = await SELF.fetch(`${BASE}${agentPath(polecat)}/db-snapshot`);
    expect(noToken.status).toBe(401);
    expect((await snapshot(polecat, 'GET', undefined, await containerToken(h.townId))).status).toBe(401);
    expect((await snapshot(polecat, 'PUT', binary(4), await agentToken(other))).status).toBe(403);
    const elsewhere = await harness();
    const stranger = await dispatchedPolecat(elsewhere);
    const r = await snapshot(polecat, 'DELETE', undefined, await agentToken(stranger));
    expect(r.status).toBe(403);
    const wrongScope = await call('GET', `${agentPath(polecat)}/db-snapshot`, { token: await containerToken(elsewhere.townId) });
    expect(errorOf(wrongScope).details?.reason).toBe('wrong_scope');
  });
});
