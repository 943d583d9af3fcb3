/**
 * Agent callbacks in workerd (`http-api.md` §4.3): heartbeat (liveness only, `heartbeat_resumed`,
 * drain nonce, 1 per 5 s), session events (append, keep 2 000, stream, live push, limits), the
 * facts stored as town events with the token's dispatch id (a stale one applied as stale), token
 * renewal, and the auth classes (401 scope/expiry, 403 binding, 404 dead agent).
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { TownDO } from '../../src/town/town-do.ts';
import { call, data, errorOf, jwtPayload, townObject } from './helpers.ts';
import { connectLive } from './live-socket.ts';
import { harness, holderOf } from './reconciler-support.ts';
import { seedAgent } from './seed.ts';
import { HOUR_MS, agentPath, agentToken, containerPath, containerToken, dispatchedPolecat, heartbeatBody, type AgentIdentity } from './report-support.ts';

const S = 1000;

async function post(who: AgentIdentity, route: string, body: unknown = {}, token?: string) {
  return call('POST', `${agentPath(who)}/${route}`, { token: token ?? (await agentToken(who)), body });
}

describe('P/heartbeat', () => {
  it('writes only the liveness columns and answers a null drain nonce', async () => {
    const h = await harness();
    const who = await dispatchedPolecat(h);
    const before = await h.agent(who.agentId);
    await h.advance(10 * S);
    const r = await post(who, 'heartbeat', heartbeatBody('instance-a', { unknown_future_key: 1 }));
    expect(r.status).toBe(200);
    expect(data(r)).toEqual({ drain_nonce: null });
    const after = await h.agent(who.agentId);
    expect(after).toMatchObject({
      last_heartbeat_at: new Date(h.now()).toISOString(),
      last_event_type: 'message.updated',
      last_event_at: '2026-07-01T00:00:00.000Z',
      active_tools: '["bash"]',
    });
    for (const col of ['status', 'current_hook_bead_id', 'current_dispatch_id', 'working_since', 'last_dispatch_at']) expect(after[col], col).toEqual(before[col]);
    expect(await h.sql(`SELECT * FROM town_events WHERE event_type = 'heartbeat_resumed'`)).toEqual([]);
  });

  it('an idle agent still hooked gets heartbeat_resumed with the token dispatch id, and the tick sets it working', async () => {
    const h = await harness();
    const who = await dispatchedPolecat(h);
    await h.sql(`UPDATE agent_metadata SET status = 'idle' WHERE bead_id = ?`, who.agentId);
    const r = await post(who, 'heartbeat', heartbeatBody());
    expect(r.status).toBe(200);
    expect((await h.agent(who.agentId)).status).toBe('idle');
    const events = await h.sql<{ payload: string; agent_id: string }>(`SELECT payload, agent_id FROM town_events WHERE event_type = 'heartbeat_resumed'`);
    expect(events.map((e) => [e.agent_id, JSON.parse(e.payload)])).toEqual([[who.agentId, { dispatch_id: who.dispatchId }]]);
    await h.advance(1 * S);
    await h.tick();
    expect((await h.agent(who.agentId)).status).toBe('working');
  });

  it('allows one heartbeat per 5 s per agent: the second is a 429 with Retry-After', async () => {
    const h = await harness();
    const who = await dispatchedPolecat(h);
    expect((await post(who, 'heartbeat', heartbeatBody())).status).toBe(200);
    const second = await post(who, 'heartbeat', heartbeatBody());
    expect(second.status).toBe(429);
    expect(errorOf(second).code).toBe('rate_limited');
    expect(Number(second.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    await h.advance(5 * S);
    expect((await post(who, 'heartbeat', heartbeatBody())).status).toBe(200);
  });

  it('answers the drain nonce while draining; a heartbeat from another instance ends the drain', async () => {
    const h = await harness();
    const who = await dispatchedPolecat(h);
    const ctoken = await containerToken(h.townId);
    const evicted = await call('POST', `${containerPath(h.townId)}/eviction`, { token: ctoken, body: { container_instance_id: 'instance-a' } });
    const nonce = data<{ drain_nonce: string }>(evicted).drain_nonce;
    expect(data(await post(who, 'heartbeat', heartbeatBody('instance-a')))).toEqual({ drain_nonce: nonce });
    await h.advance(5 * S);
    expect(data(await post(who, 'heartbeat', heartbeatBody('instance-b')))).toEqual({ drain_nonce: null });
    const status = await call('GET', `${containerPath(h.townId)}/drain-status`, { token: ctoken });
    expect(data(status)).toEqual({ draining: false, drain_nonce: null, drain_started_at: null });
  });
});

describe('P/events', () => {
  it('appends in order, streams ascending with next_cursor, and pushes to the agent watchers', async () => {
    const h = await harness();
    const who = await dispatchedPolecat(h);
    const live = await connectLive(h.token, h.townId);
    live.send({ type: 'watch_agent', agent_id: who.agentId });
    await untilWatching(h.townId, who.agentId);
    const events = [1, 2, 3].map((i) => ({ type: 'message.part.updated', data: { i }, at: `2026-07-01T00:00:0${i}.000Z`, extra_key: 'dropped' }));
    const r = await post(who, 'events', { events });
    expect(r.status).toBe(200);
    const { appended, last_seq } = data<{ appended: number; last_seq: number }>(r);
    expect(appended).toBe(3);
    const frame = await live.waitForType('agent_event', (f) => f.event.seq === last_seq);
    expect(frame).toMatchObject({ agent_id: who.agentId, event: { type: 'message.part.updated', data: { i: 3 } } });
    const page = await call('GET', `/api/towns/${h.townId}/agents/${who.agentId}/events?limit=2`, { token: h.token });
    expect(page.status).toBe(200);
    expect(data<{ seq: number; data: { i: number }; created_at: string }[]>(page).map((e) => e.data.i)).toEqual([2, 3]);
    expect((page.body as { next_cursor: string }).next_cursor).toBe(String(last_seq));
    const forward = await call('GET', `/api/towns/${h.townId}/agents/${who.agentId}/events?cursor=${last_seq - 3}`, { token: h.token });
    expect(data<{ data: { i: number } }[]>(forward).map((e) => e.data.i)).toEqual([1, 2, 3]);
    live.ws.close();
  });

  it('keeps the newest 2 000 events per agent', async () => {
    const h = await harness();
    const who = await dispatchedPolecat(h);
    const other = await seedAgent(h.townId, { role: 'polecat', rigId: h.rigId, name: 'Maple' });
    const otherWho = { ...who, agentId: other, dispatchId: null };
    expect((await post(otherWho, 'events', { events: [{ type: 'x', data: {}, at: '2026-07-01T00:00:00.000Z' }] })).status).toBe(200);
    for (let batch = 0; batch < 21; batch += 1) {
      if (batch === 20) await h.advance(10 * S);
      const events = Array.from({ length: 100 }, (_, i) => ({ type: 'tick', data: { n: batch * 100 + i }, at: '2026-07-01T00:00:00.000Z' }));
      expect((await post(who, 'events', { events })).status).toBe(200);
    }
    const rows = await h.sql<{ n: number; low: string }>(`SELECT COUNT(*) AS n, MIN(json_extract(data, '$.n')) AS low FROM agent_events WHERE agent_id = ?`, who.agentId);
    expect(rows[0]).toEqual({ n: 2000, low: 100 });
    expect((await h.sql(`SELECT seq FROM agent_events WHERE agent_id = ?`, other)).length).toBe(1);
  });

  it('allows 20 calls per 10 s per agent (the 21st is a 429) and bodies up to 1 MB', async () => {
    const h = await harness();
    const who = await dispatchedPolecat(h);
    const token = await agentToken(who);
    const one = { events: [{ type: 'x', data: {}, at: '2026-07-01T00:00:00.000Z' }] };
    for (let i = 0; i < 20; i += 1) expect((await post(who, 'events', one, token)).status).toBe(200);
    const over = await post(who, 'events', one, token);
    expect(over.status).toBe(429);
    expect(over.headers.get('Retry-After')).not.toBeNull();
    await h.advance(10 * S);
    const big = { events: [{ type: 'x', data: { blob: 'a'.repeat(600_000) }, at: '2026-07-01T00:00:00.000Z' }] };
    expect((await post(who, 'events', big, token)).status).toBe(200);
    const tooBig = { events: [{ type: 'x', data: { blob: 'a'.repeat(1_100_000) }, at: '2026-07-01T00:00:00.000Z' }] };
    expect((await post(who, 'events', tooBig, token)).status).toBe(413);
  });

  it('the stream of a dead agent is a 404', async () => {
    const h = await harness();
    const dead = await seedAgent(h.townId, { role: 'polecat', rigId: h.rigId, status: 'dead' });
    expect((await call('GET', `/api/towns/${h.townId}/agents/${dead}/events`, { token: h.token })).status).toBe(404);
  });
});

describe('facts: done, completed, waiting, eviction-context', () => {
  it('each is a town event carrying the token dispatch id, answered {accepted: true}', async () => {
    const h = await harness();
    const who = await dispatchedPolecat(h);
    for (const [route, body] of [
      ['done', { branch: 'gt/toast/abc', summary: 'did it', bead_id: who.beadId }],
      ['eviction-context', { branch: 'gt/toast/abc', commit_sha: 'abcdef1' }],
      ['completed', { status: 'completed' }],
    ] as const) {
      const r = await post(who, route, body);
      expect(r.status, route).toBe(200);
      expect(data(r)).toEqual({ accepted: true });
    }
    const rows = await h.sql<{ event_type: string; agent_id: string; bead_id: string | null; payload: string }>(
      `SELECT event_type, agent_id, bead_id, payload FROM town_events WHERE agent_id = ? AND event_type <> 'dispatch_result' ORDER BY rowid`,
      who.agentId,
    );
    expect(rows.map((r) => [r.event_type, r.bead_id, JSON.parse(r.payload).dispatch_id])).toEqual([
      ['agent_done', null, who.dispatchId],
      ['eviction_context', who.beadId, who.dispatchId],
      ['agent_completed', null, who.dispatchId],
    ]);
    expect(JSON.parse(rows[0]?.payload ?? '{}')).toMatchObject({ branch: 'gt/toast/abc', summary: 'did it', bead_id: who.beadId });
  });

  it('the mayor reports waiting on its own path (:rigId = :townId)', async () => {
    const h = await harness();
    const mayorId = await seedAgent(h.townId, { role: 'mayor', rigId: null, status: 'working' });
    const mayor: AgentIdentity = { townId: h.townId, rigId: h.townId, agentId: mayorId, role: 'mayor', dispatchId: null };
    const firedAt = new Date(h.now() + 1000).toISOString();
    expect((await post(mayor, 'waiting', { fired_at: firedAt })).status).toBe(200);
    await h.advance(2 * S);
    await h.tick();
    expect((await h.agent(mayorId)).status).toBe('waiting');
  });

  it('a stale dispatch id is stored and applied as stale by the next tick (the bead is not reopened)', async () => {
    const h = await harness();
    const who = await dispatchedPolecat(h);
    const stale = { ...who, dispatchId: crypto.randomUUID() };
    expect((await post(stale, 'completed', { status: 'failed', reason: 'old session' })).status).toBe(200);
    await h.advance(1 * S);
    await h.tick();
    expect((await h.bead(who.beadId)).status).toBe('in_progress');
    expect((await h.agent(who.agentId)).status).toBe('working');
    const record = await runInDurableObject(h.stub, (instance: TownDO) => instance.scheduler.lastTick);
    expect(record?.events_stale).toBe(1);
    // The same report with the current dispatch id is applied: the bead reopens.
    expect((await post(who, 'completed', { status: 'failed', reason: 'crashed' })).status).toBe(200);
    await h.advance(1 * S);
    await h.tick();
    expect((await h.bead(who.beadId)).status).toBe('open');
    expect(await holderOf(h, who.beadId)).toBeNull();
  });

  it('pr_url must be https (http:// only to loopback in development)', async () => {
    const h = await harness();
    const who = await dispatchedPolecat(h);
    const r = await post(who, 'done', { branch: 'b', pr_url: 'http://github.com/acme/app/pull/1' });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('validation_failed');
    expect((await post(who, 'done', { branch: 'b', pr_url: 'https://github.com/acme/app/pull/1' })).status).toBe(200);
  });
});

describe('P/refresh-token', () => {
  it('renews the own token even an hour expired (same claims, 8 h), but not past 24 h', async () => {
    const h = await harness();
    const who = await dispatchedPolecat(h);
    const expired = await agentToken(who, Date.now() - 9 * HOUR_MS);
    const onRoute = await post(who, 'completed', { status: 'completed' }, expired);
    expect(onRoute.status).toBe(401);
    expect(errorOf(onRoute).details?.reason).toBe('expired');
    const r = await post(who, 'refresh-token', {}, expired);
    expect(r.status).toBe(200);
    const fresh = data<{ token: string; expires_at: string }>(r);
    expect(jwtPayload(fresh.token)).toMatchObject({ scope: 'agent', townId: h.townId, rigId: h.rigId, agentId: who.agentId, role: 'polecat', dispatchId: who.dispatchId });
    expect(Date.parse(fresh.expires_at) - Date.now()).toBeGreaterThan(7.9 * HOUR_MS);
    expect((await post(who, 'heartbeat', heartbeatBody(), fresh.token)).status).toBe(200);
    const ancient = await post(who, 'refresh-token', {}, await agentToken(who, Date.now() - 33 * HOUR_MS));
    expect(ancient.status).toBe(401);
    expect(errorOf(ancient).details?.reason).toBe('expired');
  });

  it('is a 404 once the agent is dead or the town deleted', async () => {
    const h = await harness();
    const who = await dispatchedPolecat(h);
    const token = await agentToken(who);
    await h.sql(`UPDATE agent_metadata SET status = 'dead' WHERE bead_id = ?`, who.agentId);
    expect((await post(who, 'refresh-token', {}, token)).status).toBe(404);
    const other = await seedAgent(h.townId, { role: 'polecat', rigId: h.rigId, name: 'Birch' });
    const otherWho = { ...who, agentId: other };
    expect((await call('DELETE', `/api/towns/${h.townId}`, { token: h.token })).status).toBe(200);
    expect((await post(otherWho, 'refresh-token')).status).toBe(404);
  });
});

describe('auth classes on P routes', () => {
  it('wrong town, rig or agent → 403; wrong scope → 401; dead agent → 404', async () => {
    const h = await harness();
    const who = await dispatchedPolecat(h);
    const token = await agentToken(who);
    const other = await seedAgent(h.townId, { role: 'polecat', rigId: h.rigId, name: 'Sage' });
    expect((await call('POST', `${agentPath({ ...who, agentId: other })}/completed`, { token, body: { status: 'completed' } })).status).toBe(403);
    expect((await call('POST', `${agentPath({ ...who, rigId: crypto.randomUUID() })}/completed`, { token, body: { status: 'completed' } })).status).toBe(403);
    expect((await call('POST', `${agentPath({ ...who, townId: crypto.randomUUID() })}/completed`, { token, body: { status: 'completed' } })).status).toBe(403);
    const userScope = await post(who, 'completed', { status: 'completed' }, h.token);
    expect(userScope.status).toBe(401);
    expect(errorOf(userScope).details?.reason).toBe('wrong_scope');
    const containerScope = await post(who, 'completed', { status: 'completed' }, await containerToken(h.townId));
    expect(errorOf(containerScope).details?.reason).toBe('wrong_scope');
    const polecatWaiting = await post(who, 'waiting', { fired_at: new Date().toISOString() });
    expect(polecatWaiting.status).toBe(403);
    const dead = await seedAgent(h.townId, { role: 'polecat', rigId: h.rigId, name: 'Ember', status: 'dead' });
    const deadWho = { ...who, agentId: dead };
    expect((await post(deadWho, 'heartbeat', heartbeatBody())).status).toBe(404);
    const unknown = { ...who, agentId: crypto.randomUUID() };
    expect((await post(unknown, 'heartbeat', heartbeatBody())).status).toBe(404);
  });
});

/** Resolves once one of the town's sockets watches `agentId` (the watch message is async). */
async function untilWatching(townId: string, agentId: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const watching = await runInDurableObject(townObject(townId), (_i: TownDO, state) =>
      state.getWebSockets().some((ws) => {
        const a: unknown = ws.deserializeAttachment();
        return typeof a === 'object' && a !== null && 'watch_agent_id' in a && a.watch_agent_id === agentId;
      }),
    );
    if (watching) return;
  }
  throw new Error(`no socket of ${townId} started watching ${agentId}`);
}
