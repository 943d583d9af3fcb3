/**
 * The town's container lifecycle in workerd (`container.md` §11): idle stop after ticks,
 * `/sync-config` after a config PATCH, teardown when the town is deleted, the restart route, and
 * `LocalTownContainerDO` against a stub launcher (boot env, secret, proxying, stop, no start for
 * status calls).
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { controlSecretFor } from '../../src/auth/control-secret.ts';
import { verifyToken } from '../../src/auth/jwt.ts';
import type { LocalTownContainerDO } from '../../src/container/local-town-container-do.ts';
import type { TownContainerDO } from '../../src/container/town-container-do.ts';
import { controlClientFor } from '../../src/container/control-client.ts';
import { CONTROL_SECRET_HEADER } from '../../src/protocol/control.ts';
import { containerHarness, type ContainerHarness } from './container-support.ts';
import { call, data, errorOf } from './helpers.ts';

const S = 1000;
const MIN = 60 * S;

/** Starts the fake container the way a starting call would. */
async function running(h: ContainerHarness): Promise<void> {
  expect((await h.container.request('POST', '/repos/setup', {}, { timeoutMs: 1000, startOnDemand: true })).status).toBe(202);
}

describe('idle stop', () => {
  it('stops the container only once nothing works and the mayor has been quiet 5 min', async () => {
    const h = await containerHarness();
    const beadId = await h.sling('Some work');
    await h.tick();
    const agentId = String((await h.holder(beadId))?.bead_id);
    // A mayor in conversation: waiting since its last turn.
    await h.sql(
      `INSERT INTO beads (bead_id, type, status, title, created_by, created_at, updated_at, status_changed_at) VALUES ('mayor-1', 'agent', 'open', 'mayor', 'system', ?, ?, ?)`,
      new Date(h.now()).toISOString(), new Date(h.now()).toISOString(), new Date(h.now()).toISOString(),
    );
    await h.sql(`INSERT INTO agent_metadata (bead_id, role, name, identity, status, last_event_at) VALUES ('mayor-1', 'mayor', 'mayor', 'mayor@x', 'waiting', ?)`, new Date(h.now()).toISOString());
    // A polecat works: no stop, however long.
    for (let i = 0; i < 3; i += 1) {
      await h.advance(2 * MIN);
      await h.sql(`UPDATE agent_metadata SET last_heartbeat_at = ? WHERE bead_id = ?`, new Date(h.now()).toISOString(), agentId);
      await h.tick();
    }
    expect(h.container.transport.signals).toEqual([]);
    // The polecat exits without gt_done; the bead is cancelled so nothing is re-dispatched.
    const cancel = await call('PATCH', `/api/towns/${h.townId}/beads/${beadId}`, { token: h.token, body: { status: 'closed' } });
    expect(cancel.status).toBe(200);
    await h.advance(5 * S);
    await h.tick();
    expect((await h.sql<{ status: string }>(`SELECT status FROM agent_metadata WHERE bead_id = ?`, agentId))[0]?.status).toBe('idle');
    // The mayor was last active 6+ min ago: stopped, and the waiting mayor is idle.
    expect(h.container.transport.signals).toEqual(['SIGTERM']);
    expect((await h.sql<{ status: string }>(`SELECT status FROM agent_metadata WHERE bead_id = 'mayor-1'`))[0]?.status).toBe('idle');
  });
});

describe('config changes', () => {
  it('push /sync-config to a running container, never start a stopped one', async () => {
    const h = await containerHarness();
    const patch = async (body: Record<string, unknown>) => {
      const r = await call('PATCH', `/api/towns/${h.townId}/config`, { token: h.token, body });
      expect(r.status).toBe(200);
    };
    await patch({ git_author_name: 'Ada' });
    expect(h.container.requests).toHaveLength(0);
    expect(h.container.transport.boots).toHaveLength(0);
    await running(h);
    await h.advance(1 * S);
    await patch({ git_author_name: 'Grace' });
    const pushes = h.container.transport.of('sync_config');
    expect(pushes).toHaveLength(1);
    expect(pushes[0]?.body).toMatchObject({ config: { town_id: h.townId, git_author_name: 'Grace', version: h.now() } });
  });
});

describe('town deletion', () => {
  it('kills the container', async () => {
    const h = await containerHarness();
    await running(h);
    const r = await call('DELETE', `/api/towns/${h.townId}`, { token: h.token });
    expect(r.status).toBe(200);
    expect(h.container.transport.signals).toEqual(['SIGKILL']);
  });
});

describe('POST /container/restart', () => {
  it('graceful by default (SIGTERM), hard kills and starts a fresh one', async () => {
    const h = await containerHarness();
    await running(h);
    const path = `/api/towns/${h.townId}/container/restart`;
    const graceful = await call('POST', path, { token: h.token, body: {} });
    expect(graceful.status).toBe(200);
    expect(data(graceful)).toEqual({ requested: true });
    expect(h.container.transport.signals).toEqual(['SIGTERM']);
    await running(h);
    const hard = await call('POST', path, { token: h.token, body: { mode: 'hard' } });
    expect(data(hard)).toEqual({ requested: true });
    expect(h.container.transport.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(h.container.transport.boots).toHaveLength(3);
    expect(h.container.transport.running).toBe(true);
  });

  it('checks the caller and the body', async () => {
    const h = await containerHarness();
    const path = `/api/towns/${h.townId}/container/restart`;
    expect((await call('POST', path, { body: {} })).status).toBe(401);
    const bad = await call('POST', path, { token: h.token, body: { mode: 'soft' } });
    expect(bad.status).toBe(400);
    expect(errorOf(bad).code).toBe('validation_failed');
    h.container.transport.startFails = true;
    const failed = await call('POST', path, { token: h.token, body: { mode: 'hard' } });
    expect(failed.status).toBe(503);
    expect(errorOf(failed).code).toBe('container_unavailable');
  });
});

describe('LocalTownContainerDO and the launcher', () => {
  interface Seen {
    method: string;
    path: string;
    secret: string | null;
    body: unknown;
  }

  /** A stub launcher: answers start/stop and proxies control calls with canned replies; `exited` makes it forget the town's server. */
  function stubLauncher(seen: Seen[], town: { exited: boolean } = { exited: false }): (request: Request) => Promise<Response> {
    return async (request) => {
      const url = new URL(request.url);
      const text = await request.text();
      seen.push({ method: request.method, path: url.pathname, secret: request.headers.get(CONTROL_SECRET_HEADER), body: text === '' ? null : (JSON.parse(text) as unknown) });
      if (url.pathname.endsWith('/start')) {
        town.exited = false;
        return Response.json({ data: { started: true } });
      }
      if (url.pathname.endsWith('/stop')) return Response.json({ data: { stopping: true } }, { status: 202 });
      if (town.exited) return Response.json({ error: { code: 'not_found', message: 'Town x has no running control server.' } }, { status: 404 });
      if (url.pathname.endsWith('/c/health')) return Response.json({ data: { started_at: '2026-01-01T00:00:00.000Z', uptime_ms: 5, hydrated: true, draining: false, agents: 0, servers: 0, mayor_ready_at: null, container_instance_id: 'i-1' } });
      return Response.json({ data: { accepted: true } }, { status: 202 });
    };
  }

  it('starts with the boot env on a starting call, proxies with the secret, and stops through the launcher', async () => {
    const townId = crypto.randomUUID();
    const stub = env.TOWN_CONTAINER.get(env.TOWN_CONTAINER.idFromName(townId));
    const seen: Seen[] = [];
    await runInDurableObject(stub, (instance: TownContainerDO | LocalTownContainerDO) => {
      if (!('launcherFetch' in instance)) throw new Error('tests bind TOWN_CONTAINER to LocalTownContainerDO');
      instance.launcherFetch = stubLauncher(seen);
    });
    const handle = controlClientFor(env, townId);
    // Stopped: a status read is answered locally and starts nothing.
    const status = await handle.request('GET', '/agents/abc/status', undefined, { timeoutMs: 1000, startOnDemand: true });
    expect(status.status).toBe(404);
    expect(seen).toEqual([]);
    const setup = await handle.request('POST', '/repos/setup', { rig_id: townId }, { timeoutMs: 1000, startOnDemand: true });
    expect(setup).toEqual({ status: 202, body: { data: { accepted: true } } });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([`POST /towns/${townId}/start`, `POST /towns/${townId}/c/repos/setup`]);
    const boot = (seen[0]?.body as { env: Record<string, string> }).env;
    const secret = await controlSecretFor(env.GASTOWN_JWT_SECRET, townId);
    expect(boot).toMatchObject({ GASTOWN_TOWN_ID: townId, GASTOWN_API_URL: 'http://127.0.0.1:8787', GASTOWN_CONTROL_SECRET: secret, GASTOWN_LOCAL_MODEL: 'allow' });
    expect((await verifyToken(boot.GASTOWN_CONTAINER_TOKEN ?? '', env.GASTOWN_JWT_SECRET, { now: Date.now(), expectedScope: 'container' })).townId).toBe(townId);
    expect(seen[1]?.secret).toBe(secret);
    expect(seen[0]?.secret).toBeNull();
    const state = await handle.state();
    expect(state).toMatchObject({ running: true, health: { container_instance_id: 'i-1' }, unhealthy: false });
    await handle.stop();
    expect(seen.at(-1)).toMatchObject({ method: 'POST', path: `/towns/${townId}/stop`, body: { signal: 'SIGTERM' } });
    expect((await handle.state()).running).toBe(false);
  });

  it('a control server that exited on its own reads as stopped; a starting call starts a new one', async () => {
    const townId = crypto.randomUUID();
    const stub = env.TOWN_CONTAINER.get(env.TOWN_CONTAINER.idFromName(townId));
    const seen: Seen[] = [];
    const town = { exited: false };
    await runInDurableObject(stub, (instance: TownContainerDO | LocalTownContainerDO) => {
      if (!('launcherFetch' in instance)) throw new Error('tests bind TOWN_CONTAINER to LocalTownContainerDO');
      instance.launcherFetch = stubLauncher(seen, town);
    });
    const handle = controlClientFor(env, townId);
    expect((await handle.request('POST', '/repos/setup', {}, { timeoutMs: 1000, startOnDemand: true })).status).toBe(202);
    town.exited = true;
    expect((await handle.request('GET', '/agents/abc/status', undefined, { timeoutMs: 1000, startOnDemand: false })).status).toBe(404);
    expect((await handle.state()).running).toBe(false);
    town.exited = true;
    expect((await handle.request('POST', '/git/merge', {}, { timeoutMs: 1000, startOnDemand: true })).status).toBe(202);
    expect(seen.filter((s) => s.path.endsWith('/start'))).toHaveLength(2);
    expect((await handle.state()).health_failures).toBe(0);
  });
});
