/**
 * Mayor routes in workerd (`http-api.md` §4.2, `reconciler.md` §6b): status, ensure (creates and
 * starts once, idempotent, not while draining), message (`starting` with the message and context
 * on the start request; `sent` to a live session through `/dashboard-context` then `/message`, a
 * waiting mayor → working; 429, 503), the model hot-swap on PATCH T/config, and C/mayor-id; then
 * once end to end through the real container executor and control path over the fake container.
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ContainerHandle } from '../../src/container/control-client.ts';
import type { ControlMethod, ControlResponse } from '../../src/container/container-rpc.ts';
import type { TownDO } from '../../src/town/town-do.ts';
import { call, data, errorOf, jwtPayload } from './helpers.ts';
import { harness, type TownHarness } from './reconciler-support.ts';
import { containerHarness } from './container-support.ts';
import { agentPath, agentToken, containerPath, containerToken, heartbeatBody } from './report-support.ts';

const S = 1000;

interface Sent {
  method: ControlMethod;
  path: string;
  body: unknown;
  startOnDemand: boolean;
}

/** A container that records every control request and answers 200 unless told otherwise per path. */
class RecordingContainer implements ContainerHandle {
  readonly sent: Sent[] = [];
  readonly answers = new Map<string, ControlResponse>();
  async request(method: ControlMethod, path: string, body: unknown, opts: { startOnDemand: boolean }): Promise<ControlResponse> {
    this.sent.push({ method, path, body, startOnDemand: opts.startOnDemand });
    return this.answers.get(path) ?? { status: 200, body: { data: {} } };
  }
  paths(): string[] {
    return this.sent.filter((s) => s.path !== '/sync-config').map((s) => `${s.method} ${s.path}`);
  }
  async stop(): Promise<void> {}
  async destroy(): Promise<void> {}
  async restart(): Promise<void> {}
  async state() {
    return { running: true, health: null, started_at: null, health_failures: 0, restarts_30m: 0, unhealthy: false };
  }
}

async function withContainer(h: TownHarness): Promise<RecordingContainer> {
  const container = new RecordingContainer();
  await runInDurableObject(h.stub, (instance: TownDO) => {
    instance.containerFor = () => container;
  });
  return container;
}

const T = (h: { townId: string }) => `/api/towns/${h.townId}/mayor`;

async function mayorStatus(h: TownHarness) {
  const r = await call('GET', T(h), { token: h.token });
  expect(r.status).toBe(200);
  return data<{ agent_id: string | null; status: string | null; session: string; model: string; small_model: string; status_message: string | null; last_activity_at: string | null }>(r);
}

describe('T/mayor and T/mayor/ensure', () => {
  it('reports no mayor, then ensure creates and starts it once (idempotent), and a heartbeat makes the session running', async () => {
    const h = await harness();
    await withContainer(h);
    expect(await mayorStatus(h)).toEqual({
      agent_id: null,
      status: null,
      session: 'none',
      model: 'anthropic/claude-sonnet-4.6',
      small_model: 'anthropic/claude-haiku-4.5',
      status_message: null,
      last_activity_at: null,
    });
    const first = await call('POST', `${T(h)}/ensure`, { token: h.token });
    expect(first.status).toBe(200);
    const started = data<{ agent_id: string; status: string; session: string; last_activity_at: string }>(first);
    expect(started).toMatchObject({ status: 'working', session: 'starting', last_activity_at: new Date(h.now()).toISOString() });
    expect(h.fake.dispatches).toEqual([{ kind: 'dispatch', agent_id: started.agent_id, bead_id: null, dispatch_id: expect.any(String), role: 'mayor' }]);
    const again = await call('POST', `${T(h)}/ensure`, { token: h.token });
    expect(data(again)).toMatchObject({ agent_id: started.agent_id, status: 'working' });
    expect(h.fake.dispatches).toHaveLength(1);

    const dispatchId = h.fake.dispatches[0]?.dispatch_id ?? null;
    const mayor = { townId: h.townId, rigId: h.townId, agentId: started.agent_id, role: 'mayor' as const, dispatchId };
    await h.advance(5 * S);
    expect((await call('POST', `${agentPath(mayor)}/heartbeat`, { token: await agentToken(mayor), body: heartbeatBody() })).status).toBe(200);
    expect(await mayorStatus(h)).toMatchObject({ agent_id: started.agent_id, session: 'running' });
  });

  it('does not start the mayor while the container drains', async () => {
    const h = await harness();
    await withContainer(h);
    await call('POST', `${containerPath(h.townId)}/eviction`, { token: await containerToken(h.townId), body: { container_instance_id: 'inst-1' } });
    const r = await call('POST', `${T(h)}/ensure`, { token: h.token });
    expect(data(r)).toMatchObject({ status: 'idle', session: 'none' });
    expect(h.fake.dispatches).toEqual([]);
  });
});

describe('T/mayor/message', () => {
  it('with no session: starts the mayor carrying the message and the dashboard context', async () => {
    const h = await harness();
    const container = await withContainer(h);
    const r = await call('POST', `${T(h)}/message`, { token: h.token, body: { message: 'Plan the release', ui_context: 'page: beads' } });
    expect(r.status).toBe(200);
    expect(data(r)).toEqual({ delivery: 'starting' });
    expect(h.fake.dispatches).toMatchObject([{ role: 'mayor', bead_id: null, prompt: 'Plan the release', dashboard_context: 'page: beads' }]);
    expect(container.paths()).toEqual([]);
  });

  it('to a live session: context then message through the control server, and a waiting mayor becomes working', async () => {
    const h = await harness();
    const container = await withContainer(h);
    const agentId = data<{ agent_id: string }>(await call('POST', `${T(h)}/ensure`, { token: h.token })).agent_id;
    await h.sql(`UPDATE agent_metadata SET status = 'waiting' WHERE bead_id = ?`, agentId);
    const r = await call('POST', `${T(h)}/message`, { token: h.token, body: { message: 'Status?', ui_context: 'page: agents' } });
    expect(data(r)).toEqual({ delivery: 'sent' });
    expect(container.sent.filter((s) => s.path !== '/sync-config')).toEqual([
      { method: 'POST', path: '/dashboard-context', body: { context: 'page: agents' }, startOnDemand: false },
      { method: 'POST', path: `/agents/${agentId}/message`, body: { text: 'Status?' }, startOnDemand: true },
    ]);
    expect((await h.agent(agentId)).status).toBe('working');
    expect(h.fake.dispatches).toHaveLength(1);
    // Without ui_context only the message goes.
    await call('POST', `${T(h)}/message`, { token: h.token, body: { message: 'Again' } });
    expect(container.paths().slice(2)).toEqual([`POST /agents/${agentId}/message`]);
  });

  it('a session the container does not know is started again with the message', async () => {
    const h = await harness();
    const container = await withContainer(h);
    const agentId = data<{ agent_id: string }>(await call('POST', `${T(h)}/ensure`, { token: h.token })).agent_id;
    container.answers.set(`/agents/${agentId}/message`, { status: 404, body: { error: { code: 'not_found', message: 'unknown agent' } } });
    const r = await call('POST', `${T(h)}/message`, { token: h.token, body: { message: 'Hello?' } });
    expect(data(r)).toEqual({ delivery: 'starting' });
    expect(h.fake.dispatches.map((d) => d.prompt)).toEqual([undefined, 'Hello?']);
  });

  it('ensure detects a torn-down session (the container has no such agent) and starts the mayor again', async () => {
    const h = await harness();
    const container = await withContainer(h);
    const agentId = data<{ agent_id: string }>(await call('POST', `${T(h)}/ensure`, { token: h.token })).agent_id;
    expect(h.fake.dispatches).toHaveLength(1);
    // The container still knows the session: ensure is a no-op.
    await call('POST', `${T(h)}/ensure`, { token: h.token });
    expect(h.fake.dispatches).toHaveLength(1);
    expect(container.paths()).toContain(`GET /agents/${agentId}/status`);
    // The container restarted without it: ensure starts the mayor again, without starting a container for the check.
    container.answers.set(`/agents/${agentId}/status`, { status: 404, body: { error: { code: 'not_found', message: 'No such agent.' } } });
    const r = await call('POST', `${T(h)}/ensure`, { token: h.token });
    expect(r.status).toBe(200);
    expect(h.fake.dispatches).toHaveLength(2);
    expect(container.sent.filter((s) => s.path === `/agents/${agentId}/status`).every((s) => !s.startOnDemand)).toBe(true);
  });

  it('an unreachable container is a 503 container_unavailable; a draining one a 503 container_draining', async () => {
    const h = await harness();
    const container = await withContainer(h);
    const agentId = data<{ agent_id: string }>(await call('POST', `${T(h)}/ensure`, { token: h.token })).agent_id;
    container.answers.set(`/agents/${agentId}/message`, { status: 503, body: { error: { code: 'container_unavailable', message: 'down' } } });
    const down = await call('POST', `${T(h)}/message`, { token: h.token, body: { message: 'Hi' } });
    expect(down.status).toBe(503);
    expect(errorOf(down).code).toBe('container_unavailable');
    expect(down.headers.get('Retry-After')).not.toBeNull();
    await call('POST', `${containerPath(h.townId)}/eviction`, { token: await containerToken(h.townId), body: { container_instance_id: 'inst-1' } });
    const draining = await call('POST', `${T(h)}/message`, { token: h.token, body: { message: 'Hi' } });
    expect(draining.status).toBe(503);
    expect(errorOf(draining).code).toBe('container_draining');
  });

  it('allows 10 messages per minute per town', async () => {
    const h = await harness();
    await withContainer(h);
    for (let i = 0; i < 10; i += 1) expect((await call('POST', `${T(h)}/message`, { token: h.token, body: { message: `m${i}` } })).status).toBe(200);
    const over = await call('POST', `${T(h)}/message`, { token: h.token, body: { message: 'm10' } });
    expect(over.status).toBe(429);
    expect(over.headers.get('Retry-After')).not.toBeNull();
  });

  it('validates the body: message 1–32 768 chars, ui_context ≤ 10 240, no unknown keys', async () => {
    const h = await harness();
    await withContainer(h);
    for (const body of [{ message: '' }, { message: 'x', ui_context: 'c'.repeat(10_241) }, { message: 'x', extra: 1 }]) {
      expect((await call('POST', `${T(h)}/message`, { token: h.token, body })).status).toBe(400);
    }
  });
});

describe('model hot-swap on PATCH T/config', () => {
  it('a working mayor gets PATCH /agents/:id/model when its model changes; not for other changes or an idle mayor', async () => {
    const h = await harness();
    const container = await withContainer(h);
    const agentId = data<{ agent_id: string }>(await call('POST', `${T(h)}/ensure`, { token: h.token })).agent_id;
    expect((await call('PATCH', `/api/towns/${h.townId}/config`, { token: h.token, body: { max_polecats_per_rig: 3 } })).status).toBe(200);
    expect(container.paths()).toEqual([]);
    expect((await call('PATCH', `/api/towns/${h.townId}/config`, { token: h.token, body: { role_models: { mayor: 'anthropic/claude-opus-4.1' } } })).status).toBe(200);
    const swaps = container.sent.filter((s) => s.path === `/agents/${agentId}/model`);
    expect(swaps).toHaveLength(1);
    expect(swaps[0]).toMatchObject({ method: 'PATCH', startOnDemand: false, body: { model: 'anthropic/claude-opus-4.1', small_model: 'anthropic/claude-haiku-4.5', config: { town_id: h.townId } } });
    expect((await mayorStatus(h)).model).toBe('anthropic/claude-opus-4.1');
    await h.sql(`UPDATE agent_metadata SET status = 'idle' WHERE bead_id = ?`, agentId);
    await call('PATCH', `/api/towns/${h.townId}/config`, { token: h.token, body: { small_model: 'anthropic/claude-sonnet-4.6' } });
    expect(container.sent.filter((s) => s.path === `/agents/${agentId}/model`)).toHaveLength(1);
  });
});

describe('C/mayor-id', () => {
  it('null before the mayor exists; then its id, a fresh mayor token without dispatch, the models and the config', async () => {
    const h = await harness();
    await withContainer(h);
    const token = await containerToken(h.townId);
    const before = data<{ agent_id: string | null; agent_token: string | null; model: string; config: { town_id: string } }>(await call('GET', `${containerPath(h.townId)}/mayor-id`, { token }));
    expect(before).toMatchObject({ agent_id: null, agent_token: null, model: 'anthropic/claude-sonnet-4.6', config: { town_id: h.townId } });
    const agentId = data<{ agent_id: string }>(await call('POST', `${T(h)}/ensure`, { token: h.token })).agent_id;
    const after = data<{ agent_id: string; agent_token: string }>(await call('GET', `${containerPath(h.townId)}/mayor-id`, { token }));
    expect(after.agent_id).toBe(agentId);
    expect(jwtPayload(after.agent_token)).toMatchObject({ scope: 'agent', townId: h.townId, rigId: h.townId, agentId, role: 'mayor', dispatchId: null });
  });
});

describe('end to end through the container executor', () => {
  it('the first message starts the mayor with it; the next one reaches the running session', async () => {
    const h = await containerHarness();
    const first = await call('POST', `${T(h)}/message`, { token: h.token, body: { message: 'Hello mayor', ui_context: 'page: overview' } });
    expect(data(first)).toEqual({ delivery: 'starting' });
    const starts = h.container.starts();
    expect(starts).toHaveLength(1);
    expect(starts[0]).toMatchObject({ role: 'mayor', rig_id: h.townId, town_id: h.townId, prompt: 'Hello mayor', dashboard_context: 'page: overview' });
    const agentId = starts[0]?.agent_id ?? '';
    expect(jwtPayload(starts[0]?.agent_token ?? '')).toMatchObject({ role: 'mayor', agentId, rigId: h.townId, dispatchId: starts[0]?.dispatch_id });

    const second = await call('POST', `${T(h)}/message`, { token: h.token, body: { message: 'Next', ui_context: 'page: beads' } });
    expect(data(second)).toEqual({ delivery: 'sent' });
    expect(h.container.transport.of('dashboard_context').map((r) => r.body)).toEqual([{ context: 'page: beads' }]);
    expect(h.container.transport.of('message').map((r) => [r.path, r.body])).toEqual([[`/agents/${agentId}/message`, { text: 'Next' }]]);
    expect(h.container.starts()).toHaveLength(1);
  });
});
