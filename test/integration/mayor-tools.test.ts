/**
 * The mayor tools in workerd (`http-api.md` §4.4, §6): every M route serves the dashboard's
 * handler with the mayor's token — same bodies, same answers, same errors — and acts as
 * `agent:<mayorId>`; writes share 120 per min per town (the 121st is a 429 with Retry-After;
 * reads are not counted); `ui-action` reaches the town's open live sockets and counts them.
 */
import { describe, expect, it } from 'vitest';
import { Agent, Bead, BeadWithRelations, ConvoyDetail, Escalation, Rig } from '../../src/protocol/api.ts';
import { call, data, errorOf, type CallResult } from './helpers.ts';
import { connectLive } from './live-socket.ts';
import { harness, type TownHarness } from './reconciler-support.ts';
import { seedEscalation } from './seed.ts';
import { agentToken } from './report-support.ts';
import { seededMayor, seededPolecat } from './agent-tools-support.ts';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** The town's mayor and a caller of its M routes. */
async function mayorTools(h: TownHarness): Promise<{ mayorId: string; m: (method: Method, route: string, body?: unknown) => Promise<CallResult> }> {
  const mayor = await seededMayor(h);
  const token = await agentToken(mayor);
  return {
    mayorId: mayor.agentId,
    m: (method, route, body) => call(method, `/api/towns/${h.townId}/mayor/tools/${route}`, { token, ...(body === undefined ? {} : { body }) }),
  };
}

function ok<T>(r: CallResult, status: 200 | 201 = 200): T {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  return data<T>(r);
}

describe('M: the dashboard handlers under the mayor token', () => {
  it('beads: sling (created_by agent:<mayorId>), list, status, update, reassign, delete, bulk delete', async () => {
    const h = await harness();
    const { mayorId, m } = await mayorTools(h);
    const rigs = ok<unknown[]>(await m('GET', 'rigs')).map((r) => Rig.parse(r));
    expect(rigs.map((r) => r.id)).toEqual([h.rigId]);
    const slung = Bead.parse(ok<{ bead: unknown }>(await m('POST', 'sling', { rig_id: h.rigId, title: 'Add caching', body: 'Cache the list.' }), 201).bead);
    expect(slung).toMatchObject({ type: 'issue', status: 'open', title: 'Add caching', created_by: `agent:${mayorId}` });
    expect(ok<{ id: string }[]>(await m('GET', `beads?rig_id=${h.rigId}`)).map((b) => b.id)).toEqual([slung.id]);
    const detail = BeadWithRelations.parse(ok(await m('GET', `beads/${slung.id}`)));
    expect(detail.recent_activity[0]).toMatchObject({ type: 'created', actor: `agent:${mayorId}` });
    const patched = Bead.parse(ok(await m('PATCH', `beads/${slung.id}`, { priority: 'high', held: true })));
    expect(patched).toMatchObject({ priority: 'high', held: true });
    const polecat = await seededPolecat(h, 'Maple');
    const reassigned = Bead.parse(ok(await m('POST', `beads/${slung.id}/reassign`, { agent_id: polecat.agentId })));
    expect(reassigned.assignee_agent_id).toBe(polecat.agentId);
    expect(ok(await m('DELETE', `beads/${slung.id}`))).toEqual({ deleted: true });
    expect((await m('GET', `beads/${slung.id}`)).status).toBe(404);
    const a = Bead.parse(ok<{ bead: unknown }>(await m('POST', 'sling', { rig_id: h.rigId, title: 'a' }), 201).bead);
    const b = Bead.parse(ok<{ bead: unknown }>(await m('POST', 'sling', { rig_id: h.rigId, title: 'b' }), 201).bead);
    expect(ok(await m('POST', 'beads/bulk-delete', { bead_ids: [a.id, b.id, crypto.randomUUID()] }))).toEqual({ deleted: 2 });
    // Same schemas and errors as the dashboard: a gt: label is a 400, an unknown rig a 422.
    expect((await m('POST', 'sling', { rig_id: h.rigId, title: 'x', labels: ['gt:held'] })).status).toBe(400);
    expect(errorOf(await m('POST', 'sling', { rig_id: crypto.randomUUID(), title: 'x' })).code).toBe('unknown_reference');
  });

  it('convoys: sling-batch, list, status, update, start, add and remove a bead, close', async () => {
    const h = await harness();
    const { mayorId, m } = await mayorTools(h);
    const unordered = await m('POST', 'sling-batch', { rig_id: h.rigId, title: 'Plan', tasks: [{ title: 'one' }, { title: 'two' }] });
    expect(unordered.status).toBe(422);
    expect(errorOf(unordered).code).toBe('dependencies_required');
    const batch = ok<{ convoy: unknown; beads: unknown[] }>(
      await m('POST', 'sling-batch', { rig_id: h.rigId, title: 'Plan', tasks: [{ title: 'API' }, { title: 'UI', depends_on: [0] }], staged: true }),
      201,
    );
    const convoy = ConvoyDetail.parse(batch.convoy);
    expect(convoy).toMatchObject({ status: 'staged', created_by: `agent:${mayorId}` });
    expect(batch.beads.map((bead) => Bead.parse(bead).created_by)).toEqual([`agent:${mayorId}`, `agent:${mayorId}`]);
    expect(ok<{ id: string }[]>(await m('GET', 'convoys')).map((c) => c.id)).toEqual([convoy.id]);
    expect(ConvoyDetail.parse(ok(await m('GET', `convoys/${convoy.id}`))).beads).toHaveLength(2);
    expect(ConvoyDetail.parse(ok(await m('PATCH', `convoys/${convoy.id}`, { title: 'Plan B' }))).title).toBe('Plan B');
    expect(ConvoyDetail.parse(ok(await m('POST', `convoys/${convoy.id}/start`))).status).toBe('open');
    const extra = Bead.parse(ok<{ bead: unknown }>(await m('POST', 'sling', { rig_id: h.rigId, title: 'Docs' }), 201).bead);
    expect(ConvoyDetail.parse(ok(await m('POST', `convoys/${convoy.id}/beads`, { bead_id: extra.id }))).beads.map((bead) => bead.id)).toContain(extra.id);
    expect(ConvoyDetail.parse(ok(await m('DELETE', `convoys/${convoy.id}/beads/${extra.id}`))).beads.map((bead) => bead.id)).not.toContain(extra.id);
    expect(ConvoyDetail.parse(ok(await m('POST', `convoys/${convoy.id}/close`))).status).toBe('failed');
  });

  it('agents and escalations: list, reset, acknowledge (as the mayor)', async () => {
    const h = await harness();
    const { mayorId, m } = await mayorTools(h);
    const polecat = await seededPolecat(h, 'Birch');
    const agents = ok<unknown[]>(await m('GET', 'agents?role=polecat')).map((a) => Agent.parse(a));
    expect(agents.map((a) => a.id)).toEqual([polecat.agentId]);
    expect(Agent.parse(ok(await m('POST', `agents/${polecat.agentId}/reset`)))).toMatchObject({ id: polecat.agentId, status: 'idle', hooked_bead_id: null });
    const escalationId = await seedEscalation(h.townId, { severity: 'medium' });
    const acknowledged = Escalation.parse(ok(await m('POST', `escalations/${escalationId}/acknowledge`)));
    expect(acknowledged.acknowledged).toBe(true);
    const by = await h.sql<{ acknowledged_by: string }>(`SELECT acknowledged_by FROM escalation_metadata WHERE bead_id = ?`, escalationId);
    expect(by).toEqual([{ acknowledged_by: `agent:${mayorId}` }]);
    // Routes the mayor has no tool for are not mounted under M.
    expect((await m('GET', `agents/${polecat.agentId}`)).status).toBe(404);
    expect((await m('POST', 'rigs', { name: 'x', git_url: 'https://github.com/acme/x.git' })).status).toBe(404);
  });
});

describe('M: mayor-tool writes are limited to 120 per min per town', () => {
  it('the 121st write in a minute is a 429 with Retry-After; reads still pass; the window frees after a minute', async () => {
    const h = await harness();
    const { m } = await mayorTools(h);
    const action = { action: { type: 'navigate', page: 'overview' } };
    for (let i = 0; i < 120; i += 1) expect((await m('POST', 'ui-action', action)).status, `write ${i + 1}`).toBe(200);
    const over = await m('POST', 'sling', { rig_id: h.rigId, title: 'one too many' });
    expect(over.status).toBe(429);
    expect(errorOf(over).code).toBe('rate_limited');
    expect(Number(over.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    expect((await m('GET', 'beads')).status).toBe(200);
    // The dashboard's own writes are not counted.
    expect((await call('POST', `/api/towns/${h.townId}/sling`, { token: h.token, body: { rig_id: h.rigId, title: 'by the user' } })).status).toBe(201);
    await h.advance(60_000);
    expect((await m('POST', 'sling', { rig_id: h.rigId, title: 'next minute' })).status).toBe(201);
    // 120 requests: more than the default 5 s on a loaded machine.
  }, 60_000);
});

describe('M/ui-action', () => {
  it('relays the action to an open live socket and answers delivered: 1 (0 with none)', async () => {
    const h = await harness();
    const { m } = await mayorTools(h);
    expect(ok(await m('POST', 'ui-action', { action: { type: 'navigate', page: 'beads' } }))).toEqual({ delivered: 0 });
    const live = await connectLive(h.token, h.townId);
    const beadId = crypto.randomUUID();
    expect(ok(await m('POST', 'ui-action', { action: { type: 'open_bead', bead_id: beadId } }))).toEqual({ delivered: 1 });
    const frame = await live.waitForType('ui_action');
    expect(frame.action).toEqual({ type: 'open_bead', bead_id: beadId });
    live.ws.close();
  });

  it('refuses an invalid action with a 400: navigate to a rig needs rig_id', async () => {
    const h = await harness();
    const { m } = await mayorTools(h);
    const r = await m('POST', 'ui-action', { action: { type: 'navigate', page: 'rig' } });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('validation_failed');
  });
});
