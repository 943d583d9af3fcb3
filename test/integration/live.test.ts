/**
 * Live updates through the real worker and TownDO (`http-api.md` §2 rule 7, §4.2, §6): the
 * ticket route, every way a socket is refused before the upgrade, the snapshot, change frames
 * after command writes, `watch_agent` filtering, wake-up from hibernation, and close on delete.
 */
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { TownDO } from '../../src/town/town-do.ts';
import { call, createIssue, data, errorOf, fixture, slingBatchOk, townObject } from './helpers.ts';
import { connectLive, liveTicket, openSocket } from './live-socket.ts';
import { quietFixture, seedAgent, withTownSql } from './seed.ts';

async function expectBadTicket(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  expect(res.webSocket).toBeNull();
  expect(res.headers.get('x-request-id')).not.toBeNull();
  expect(res.headers.get('Cache-Control')).toBe('no-store');
  const body: unknown = await res.json();
  expect(body).toMatchObject({ error: { code: 'unauthorized', details: { reason: 'bad_ticket' } } });
}

/** Resolves once the town's object records that some socket watches `agentId`. */
async function untilWatching(townId: string, agentId: string | null, count: number): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const watching = await runInDurableObject(townObject(townId), (_i: TownDO, state) =>
      state.getWebSockets().filter((ws) => {
        const a: unknown = ws.deserializeAttachment();
        return typeof a === 'object' && a !== null && 'watch_agent_id' in a && a.watch_agent_id === agentId;
      }).length,
    );
    if (watching === count) return;
  }
  throw new Error(`no socket of ${townId} started watching ${agentId}`);
}

describe('POST /live/ticket', () => {
  it('issues a one-use ticket valid for 60 s with the socket url for this host', async () => {
    const f = await fixture();
    const before = Date.now();
    const r = await call('POST', `/api/towns/${f.townId}/live/ticket`, { token: f.token });
    expect(r.status).toBe(201);
    const t = data<{ ticket: string; expires_at: string; url: string }>(r);
    expect(t.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(t.url).toBe(`ws://gastown.test/api/towns/${f.townId}/live?ticket=${t.ticket}`);
    const ttl = Date.parse(t.expires_at) - before;
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(61_000);
  });

  it('needs a user token for a town the caller owns', async () => {
    const f = await fixture();
    const other = await fixture();
    expect((await call('POST', `/api/towns/${f.townId}/live/ticket`)).status).toBe(401);
    expect((await call('POST', `/api/towns/${f.townId}/live/ticket`, { token: other.token })).status).toBe(403);
  });

  it('allows 10 tickets per minute per user; the 11th is a 429 with Retry-After', async () => {
    const f = await fixture();
    for (let i = 0; i < 10; i += 1) expect((await call('POST', `/api/towns/${f.townId}/live/ticket`, { token: f.token })).status).toBe(201);
    const r = await call('POST', `/api/towns/${f.townId}/live/ticket`, { token: f.token });
    expect(r.status).toBe(429);
    expect(errorOf(r).code).toBe('rate_limited');
    expect(Number(r.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
  });
});

describe('GET /live: refused before the upgrade', () => {
  it('answers 426 upgrade_required to a plain GET, and the ticket stays usable', async () => {
    const f = await fixture();
    const t = await liveTicket(f.token, f.townId);
    const plain = await openSocket(f.townId, t.ticket, { upgrade: false });
    expect(plain.status).toBe(426);
    expect(await plain.json()).toMatchObject({ error: { code: 'upgrade_required' } });
    const res = await openSocket(f.townId, t.ticket);
    expect(res.status).toBe(101);
    res.webSocket?.accept();
    res.webSocket?.close();
  });

  it('is 401 bad_ticket for a missing, malformed or unknown ticket, and for an unknown town', async () => {
    const f = await fixture();
    await expectBadTicket(await openSocket(f.townId, null));
    await expectBadTicket(await openSocket(f.townId, 'not-a-ticket'));
    await expectBadTicket(await openSocket(f.townId, 'A'.repeat(43)));
    const t = await liveTicket(f.token, f.townId);
    await expectBadTicket(await openSocket(crypto.randomUUID(), t.ticket));
  });

  it('is 401 bad_ticket for a reused ticket, and for a ticket of another town', async () => {
    const f = await fixture();
    const other = await fixture();
    const t = await liveTicket(f.token, f.townId);
    const first = await openSocket(f.townId, t.ticket);
    expect(first.status).toBe(101);
    first.webSocket?.accept();
    await expectBadTicket(await openSocket(f.townId, t.ticket));
    const foreign = await liveTicket(other.token, other.townId);
    await expectBadTicket(await openSocket(f.townId, foreign.ticket));
    first.webSocket?.close();
  });

  it('is 401 bad_ticket once the ticket is 60 s old', async () => {
    const f = await fixture();
    const old = await runInDurableObject(townObject(f.townId), (instance: TownDO) => instance.live.issueTicket(f.user, Date.now() - 60_001));
    await expectBadTicket(await openSocket(f.townId, old.ticket));
  });

  it('rejects a bad town id with 400 before anything else', async () => {
    const r = await call('GET', '/api/towns/not-a-uuid/live?ticket=x', { headers: { Upgrade: 'websocket' } });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('invalid_id');
  });
});

describe('GET /live: frames', () => {
  it('sends the snapshot on connect: TownDetail and the live agents', async () => {
    const f = await quietFixture();
    const agentId = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId });
    await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, name: 'Gone', status: 'dead' });
    const live = await connectLive(f.token, f.townId);
    const snapshot = await live.waitForType('snapshot');
    expect(snapshot.town).toMatchObject({ id: f.townId, owner_id: f.user, summary: { rigs: 1 } });
    expect(snapshot.agents.map((a) => a.id)).toEqual([agentId]);
    live.ws.close();
  });

  it('pushes a bead frame and an activity frame after a bead is created', async () => {
    const f = await quietFixture();
    const live = await connectLive(f.token, f.townId);
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Live one' });
    const frame = await live.waitForType('bead', (b) => b.bead.id === bead.id);
    expect(frame.bead).toEqual(bead);
    const activity = await live.waitForType('activity', (a) => a.event.bead_id === bead.id);
    expect(activity.event).toMatchObject({ type: 'created', rig_id: f.rigId, actor: `user:${f.user}` });
    live.ws.close();
  });

  it('keeps reporting new beads after a deletion erased the newest events', async () => {
    const f = await quietFixture();
    const live = await connectLive(f.token, f.townId);
    const a = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Deleted soon' });
    await live.waitForType('activity', (e) => e.event.bead_id === a.id);
    expect((await call('DELETE', `/api/towns/${f.townId}/beads/${a.id}`, { token: f.token })).status).toBe(200);
    const b = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Created after' });
    await live.waitForType('bead', (x) => x.bead.id === b.id);
    await live.waitForType('activity', (e) => e.event.bead_id === b.id);
    live.ws.close();
  });

  it('pushes a convoy frame for a new convoy and bead frames for its members', async () => {
    const f = await quietFixture();
    const live = await connectLive(f.token, f.townId);
    const batch = await slingBatchOk(f.token, f.townId, { rig_id: f.rigId, title: 'Pair', tasks: [{ title: 'one' }, { title: 'two', depends_on: [0] }] });
    const convoy = await live.waitForType('convoy', (c) => c.convoy.id === batch.convoy.id);
    expect(convoy.convoy.progress.total).toBe(2);
    for (const bead of batch.beads) await live.waitForType('bead', (b) => b.bead.id === bead.id && b.bead.convoy_id === batch.convoy.id);
    live.ws.close();
  });

  it('pushes an agent frame when an agent row changes without a bead event', async () => {
    const f = await quietFixture();
    const agentId = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId });
    const live = await connectLive(f.token, f.townId);
    await withTownSql(f.townId, (sql, _now, instance) => {
      sql.run(`UPDATE agent_metadata SET status_message = 'compiling' WHERE bead_id = ?`, agentId);
      instance.live.broadcastChanges();
    });
    const frame = await live.waitForType('agent', (a) => a.agent.id === agentId);
    expect(frame.agent.status_message).toBe('compiling');
    live.ws.close();
  });

  it('sends agent events only to the sockets watching that agent', async () => {
    const f = await quietFixture();
    const agentId = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId });
    const watcher = await connectLive(f.token, f.townId);
    const bystander = await connectLive(f.token, f.townId);
    watcher.send({ type: 'watch_agent', agent_id: agentId });
    bystander.send({ type: 'watch_agent', agent_id: 'not-a-uuid' });
    bystander.send('not json');
    await untilWatching(f.townId, agentId, 1);
    const event = { seq: 7, type: 'tool_call', data: { tool: 'bash' }, created_at: '2031-06-01T12:00:00.000Z' };
    const delivered = await runInDurableObject(townObject(f.townId), (instance: TownDO) => {
      instance.live.broadcastAgentEvent(agentId, event);
      return instance.live.broadcastUiAction({ type: 'open_agent', agent_id: agentId });
    });
    expect(delivered).toBe(2);
    expect(await watcher.waitForType('agent_event')).toEqual({ type: 'agent_event', agent_id: agentId, event });
    // Frames arrive in order: the bystander got the later ui_action, so it never got the event.
    await bystander.waitForType('ui_action');
    expect(bystander.ofType('agent_event')).toEqual([]);

    watcher.send({ type: 'watch_agent', agent_id: null });
    await untilWatching(f.townId, agentId, 0);
    await runInDurableObject(townObject(f.townId), (instance: TownDO) => {
      instance.live.broadcastAgentEvent(agentId, { ...event, seq: 8 });
      instance.live.broadcastUiAction({ type: 'navigate', page: 'overview' });
    });
    await watcher.waitForType('ui_action', (u) => u.action.type === 'navigate');
    expect(watcher.ofType('agent_event').map((e) => e.event.seq)).toEqual([7]);
    watcher.ws.close();
    bystander.ws.close();
  });

  it('resumes after hibernation: new changes only, every live agent once, watchers kept', async () => {
    const f = await quietFixture();
    const agentId = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId });
    const live = await connectLive(f.token, f.townId);
    const old = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Before sleep', held: true });
    await live.waitForType('activity', (e) => e.event.bead_id === old.id);
    live.send({ type: 'watch_agent', agent_id: agentId });
    await untilWatching(f.townId, agentId, 1);
    const before = live.frames.length;

    await evictDurableObject(townObject(f.townId));

    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'After wake', held: true });
    await live.waitForType('bead', (b) => b.bead.id === bead.id);
    await live.waitForType('agent', (a) => a.agent.id === agentId);
    await live.waitForType('activity', (e) => e.event.bead_id === bead.id);
    const replayed = live.frames.slice(before).filter((x) => (x.type === 'activity' && x.event.bead_id === old.id) || (x.type === 'bead' && x.bead.id === old.id));
    expect(replayed).toEqual([]);
    await runInDurableObject(townObject(f.townId), (instance: TownDO) => instance.live.broadcastAgentEvent(agentId, { seq: 1, type: 'x', data: {}, created_at: '2031-06-01T12:00:00.000Z' }));
    await live.waitForType('agent_event');
    live.ws.close();
  });

  it('closes every socket with 4404 when the town is deleted', async () => {
    const f = await fixture();
    const live = await connectLive(f.token, f.townId);
    const spare = await liveTicket(f.token, f.townId);
    expect((await call('DELETE', `/api/towns/${f.townId}`, { token: f.token })).status).toBe(200);
    expect(await live.closed).toBe(4404);
    await expectBadTicket(await openSocket(f.townId, spare.ticket));
  });
});
