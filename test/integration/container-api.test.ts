/**
 * Container routes in workerd (`http-api.md` §4.5): registry round trip and size limit, the drain
 * handshake (eviction → nonce, repeat → same nonce, ready with the nonce or 409, drain-status),
 * telemetry (accepted count, 10 per s), token renewal, merge results (once per request id, 404
 * for an unknown request), refresh-git-token, and the container token's auth classes.
 */
import { describe, expect, it } from 'vitest';
import { call, data, errorOf, jwtPayload } from './helpers.ts';
import { harness } from './reconciler-support.ts';
import { seedAgent, seedMergeRequest } from './seed.ts';
import { HOUR_MS, agentToken, containerPath, containerToken } from './report-support.ts';

const S = 1000;

describe('C/registry', () => {
  it('is empty before the first PUT, then returns what was stored', async () => {
    const h = await harness();
    const token = await containerToken(h.townId);
    const empty = await call('GET', `${containerPath(h.townId)}/registry`, { token });
    expect(data(empty)).toEqual({ registry: {}, updated_at: null });
    const registry = { config: null, agents: [{ agent_id: crypto.randomUUID(), role: 'polecat', workdir: '/w', request: { secret: 'tok' } }] };
    const put = await call('PUT', `${containerPath(h.townId)}/registry`, { token, body: { registry } });
    expect(put.status).toBe(200);
    expect(data(put)).toEqual({ updated_at: new Date(h.now()).toISOString() });
    expect(data(await call('GET', `${containerPath(h.townId)}/registry`, { token }))).toEqual({ registry, updated_at: new Date(h.now()).toISOString() });
  });

  it('accepts up to 1 MB and refuses more with a 413', async () => {
    const h = await harness();
    const token = await containerToken(h.townId);
    expect((await call('PUT', `${containerPath(h.townId)}/registry`, { token, body: { registry: { blob: 'a'.repeat(700_000) } } })).status).toBe(200);
    const r = await call('PUT', `${containerPath(h.townId)}/registry`, { token, body: { registry: { blob: 'a'.repeat(1_100_000) } } });
    expect(r.status).toBe(413);
    expect(errorOf(r).code).toBe('payload_too_large');
  });
});

describe('drain handshake', () => {
  it('eviction starts a drain once per instance; ready ends it only with the nonce', async () => {
    const h = await harness();
    const token = await containerToken(h.townId);
    const C = containerPath(h.townId);
    expect(data(await call('GET', `${C}/drain-status`, { token }))).toEqual({ draining: false, drain_nonce: null, drain_started_at: null });
    const first = await call('POST', `${C}/eviction`, { token, body: { container_instance_id: 'inst-1', reason: 'SIGTERM' } });
    expect(first.status).toBe(200);
    const nonce = data<{ drain_nonce: string }>(first).drain_nonce;
    const repeat = await call('POST', `${C}/eviction`, { token, body: { container_instance_id: 'inst-1' } });
    expect(data(repeat)).toEqual({ drain_nonce: nonce });
    expect(data(await call('GET', `${C}/drain-status`, { token }))).toEqual({ draining: true, drain_nonce: nonce, drain_started_at: new Date(h.now()).toISOString() });
    const events = await h.sql<{ payload: string }>(`SELECT payload FROM town_events WHERE event_type = 'container_eviction'`);
    expect(events.map((e) => JSON.parse(e.payload))).toEqual([{ drain_nonce: nonce, container_instance_id: 'inst-1', reason: 'SIGTERM' }]);

    const wrong = await call('POST', `${C}/ready`, { token, body: { nonce: 'not-the-nonce', container_instance_id: 'inst-2' } });
    expect(wrong.status).toBe(409);
    expect(errorOf(wrong).code).toBe('nonce_mismatch');
    expect(data<{ draining: boolean }>(await call('GET', `${C}/drain-status`, { token })).draining).toBe(true);

    const ready = await call('POST', `${C}/ready`, { token, body: { nonce, container_instance_id: 'inst-2' } });
    expect(ready.status).toBe(200);
    expect(data(ready)).toEqual({ draining: false });
    expect(data(await call('GET', `${C}/drain-status`, { token }))).toEqual({ draining: false, drain_nonce: null, drain_started_at: null });
    // A late ready with the same nonce is still answered; a new eviction gets a new nonce.
    expect((await call('POST', `${C}/ready`, { token, body: { nonce, container_instance_id: 'inst-2' } })).status).toBe(200);
    const again = await call('POST', `${C}/eviction`, { token, body: { container_instance_id: 'inst-2' } });
    expect(data<{ drain_nonce: string }>(again).drain_nonce).not.toBe(nonce);
  });

  it('the eviction event sets a working mayor idle at the next tick; the drain no longer counts after 7 min', async () => {
    const h = await harness();
    const mayor = await seedAgent(h.townId, { role: 'mayor', rigId: null, status: 'working' });
    const token = await containerToken(h.townId);
    await call('POST', `${containerPath(h.townId)}/eviction`, { token, body: { container_instance_id: 'inst-1' } });
    await h.advance(1 * S);
    await h.tick();
    expect((await h.agent(mayor)).status).toBe('idle');
    await h.advance(7 * 60 * S);
    expect(data<{ draining: boolean }>(await call('GET', `${containerPath(h.townId)}/drain-status`, { token })).draining).toBe(false);
  });
});

describe('C/events', () => {
  it('accepts telemetry (unknown keys dropped) and allows 10 calls per second per town', async () => {
    const h = await harness();
    const token = await containerToken(h.townId);
    const body = { events: [{ event: 'agent.startup_phase', label: 'sdk_ready', duration_ms: 120, future_key: true }, { event: 'container.memory', value: 512 }] };
    for (let i = 0; i < 10; i += 1) expect(data(await call('POST', `${containerPath(h.townId)}/events`, { token, body }))).toEqual({ accepted: 2 });
    const over = await call('POST', `${containerPath(h.townId)}/events`, { token, body });
    expect(over.status).toBe(429);
    expect(over.headers.get('Retry-After')).toBe('1');
    await h.advance(1 * S);
    expect((await call('POST', `${containerPath(h.townId)}/events`, { token, body })).status).toBe(200);
  });
});

describe('C/refresh-token', () => {
  it('renews the container token within 24 h of expiry; 401 past it; 404 once the town is deleted', async () => {
    const h = await harness();
    const expired = await containerToken(h.townId, Date.now() - 9 * HOUR_MS);
    expect(errorOf(await call('GET', `${containerPath(h.townId)}/registry`, { token: expired })).details?.reason).toBe('expired');
    const r = await call('POST', `${containerPath(h.townId)}/refresh-token`, { token: expired });
    expect(r.status).toBe(200);
    const fresh = data<{ token: string }>(r).token;
    expect(jwtPayload(fresh)).toMatchObject({ scope: 'container', townId: h.townId });
    expect((await call('GET', `${containerPath(h.townId)}/registry`, { token: fresh })).status).toBe(200);
    const ancient = await call('POST', `${containerPath(h.townId)}/refresh-token`, { token: await containerToken(h.townId, Date.now() - 33 * HOUR_MS) });
    expect(errorOf(ancient).details?.reason).toBe('expired');
    expect((await call('DELETE', `/api/towns/${h.townId}`, { token: h.token })).status).toBe(200);
    expect((await call('POST', `${containerPath(h.townId)}/refresh-token`, { token: fresh })).status).toBe(404);
  });
});

describe('C/merge-result', () => {
  it('stores one merge_result per request id; an unknown request is a 404', async () => {
    const h = await harness();
    const source = await h.sling('Merge me');
    const mr = await seedMergeRequest(h.townId, { rigId: h.rigId, sourceBeadId: source, status: 'in_progress' });
    const token = await containerToken(h.townId);
    const body = { request_id: `${mr}.1`, ok: true, merge_commit: 'abcdef1234' };
    for (let i = 0; i < 2; i += 1) {
      const r = await call('POST', `${containerPath(h.townId)}/merge-result`, { token, body });
      expect(r.status).toBe(200);
      expect(data(r)).toEqual({ accepted: true });
    }
    const rows = await h.sql<{ bead_id: string; payload: string }>(`SELECT bead_id, payload FROM town_events WHERE event_type = 'merge_result'`);
    expect(rows.map((r) => [r.bead_id, JSON.parse(r.payload)])).toEqual([[mr, body]]);
    await h.advance(1 * S);
    await h.tick();
    expect((await h.bead(mr)).status).toBe('closed');
    expect((await call('POST', `${containerPath(h.townId)}/merge-result`, { token, body })).status).toBe(200);
    expect((await h.sql(`SELECT 1 FROM town_events WHERE event_type = 'merge_result'`)).length).toBe(1);
    for (const request_id of [`${crypto.randomUUID()}.1`, `${source}.1`, 'garbage']) {
      const r = await call('POST', `${containerPath(h.townId)}/merge-result`, { token, body: { ...body, request_id } });
      expect(r.status, request_id).toBe(404);
    }
  });
});

describe('refresh-git-token', () => {
  it('resolves the rig host token fresh for the container, the mayor and a rig agent; 409 without one', async () => {
    const h = await harness();
    const path = `/api/towns/${h.townId}/rigs/${h.rigId}/refresh-git-token`;
    const container = await containerToken(h.townId);
    const none = await call('POST', path, { token: container });
    expect(none.status).toBe(409);
    expect(errorOf(none).code).toBe('no_git_credentials');
    expect(JSON.stringify(none.body)).toContain('github_cli_pat: absent');
    expect((await call('PATCH', `/api/towns/${h.townId}/config`, { token: h.token, body: { git_auth: { github_token: 'ghp_stored_token_1234' } } })).status).toBe(200);
    expect(data(await call('POST', path, { token: container }))).toEqual({ token: 'ghp_stored_token_1234', expires_at: null });
    await call('PATCH', `/api/towns/${h.townId}/config`, { token: h.token, body: { github_cli_pat: 'ghp_cli_pat_value_9876' } });
    const mayor = await seedAgent(h.townId, { role: 'mayor', rigId: null });
    const mayorToken = await agentToken({ townId: h.townId, rigId: h.townId, agentId: mayor, role: 'mayor', dispatchId: null });
    expect(data(await call('POST', path, { token: mayorToken }))).toEqual({ token: 'ghp_cli_pat_value_9876', expires_at: null });
    const polecat = await seedAgent(h.townId, { role: 'polecat', rigId: h.rigId });
    const polecatToken = await agentToken({ townId: h.townId, rigId: h.rigId, agentId: polecat, role: 'polecat', dispatchId: null });
    expect((await call('POST', path, { token: polecatToken })).status).toBe(200);
    expect((await call('POST', `/api/towns/${h.townId}/rigs/${crypto.randomUUID()}/refresh-git-token`, { token: polecatToken })).status).toBe(403);
    expect((await call('POST', `/api/towns/${h.townId}/rigs/${crypto.randomUUID()}/refresh-git-token`, { token: container })).status).toBe(404);
  });
});

describe('auth classes on C routes', () => {
  it('another town → 403; user or agent token → 401 wrong_scope; no token → 401 missing', async () => {
    const h = await harness();
    const C = `${containerPath(h.townId)}/drain-status`;
    expect((await call('GET', C, { token: await containerToken(crypto.randomUUID()) })).status).toBe(403);
    expect(errorOf(await call('GET', C, { token: h.token })).details?.reason).toBe('wrong_scope');
    const agent = await agentToken({ townId: h.townId, rigId: h.rigId, agentId: crypto.randomUUID(), role: 'polecat', dispatchId: null });
    expect(errorOf(await call('GET', C, { token: agent })).details?.reason).toBe('wrong_scope');
    expect(errorOf(await call('GET', C)).details?.reason).toBe('missing');
  });
});
