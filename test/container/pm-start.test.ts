/**
 * The start sequence and per-agent mutex (`container.md` §5.2–5.3) against the fake backend and
 * the fake worker API: phases and telemetry, duplicates, superseding starts that leak nothing,
 * the tools check, git auth on cache hits, stop.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentView } from '../../src/protocol/control.ts';
import { AGENT, DISPATCH, MAYOR, liveConfig, mayorRequest, polecatRequest } from './fixtures.ts';
import { dataOf, deferred, makeHarness, settle } from './pm-harness.ts';
import type { Harness } from './pm-harness.ts';

const DISPATCH_2 = '66666666-6666-4666-8666-666666666666';
const DISPATCH_3 = '77777777-7777-4777-8777-777777777777';

let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
});
afterEach(async () => {
  await h.close();
});

describe('start', () => {
  it('runs every phase, answers 201 once promptAsync accepted, and posts startup telemetry', async () => {
    const res = await h.request('POST', '/agents/start', polecatRequest());
    expect(res.status).toBe(201);
    const view = await dataOf<AgentView>(res);
    expect(view).toMatchObject({ agent_id: AGENT, role: 'polecat', status: 'running', busy: true, server_up: true });
    const server = h.backend.servers[0];
    expect(server?.env.GASTOWN_AGENT_ROLE).toBe('polecat');
    expect(server?.sessionIds).toEqual([view.session_id]);
    const prompt = server?.sessions.get(view.session_id ?? '')?.prompts[0];
    expect(prompt).toMatchObject({ parts: [{ type: 'text', text: 'Do the thing.' }], model: { providerID: 'kilo', modelID: 'anthropic/claude-sonnet-4.6' } });
    await h.api.waitFor((r) => r.path.endsWith('/container/events') && JSON.stringify(r.body).includes('prompt_sent'));
    const labels = h.api
      .matching('/api/towns/*/container/events', 'POST')
      .flatMap((r) => (r.body as { events: { label: string }[] }).events.map((e) => e.label));
    expect(labels).toEqual(expect.arrayContaining(['git', 'db_hydrated', 'sdk_ready', 'tools_check', 'session_created', 'prompt_sent']));
  });

  it('db_hydrated writes the stored kilo.db snapshot (stale WAL files removed) before the server starts', async () => {
    const home = join(h.root, 'agents', AGENT, 'home', '.local', 'share', 'kilo');
    await mkdir(home, { recursive: true });
    await writeFile(join(home, 'kilo.db-wal'), 'stale');
    h.api.snapshots.set(AGENT, new Uint8Array([1, 2, 3, 4]));
    let dbAtSpawn: Buffer | null = null;
    h.backend.onStart = () => {
      dbAtSpawn = readFileSync(join(home, 'kilo.db'));
    };
    expect((await h.request('POST', '/agents/start', polecatRequest())).status).toBe(201);
    expect([...(dbAtSpawn ?? [])]).toEqual([1, 2, 3, 4]);
    await expect(readFile(join(home, 'kilo.db-wal'))).rejects.toThrow();
  });

  it('two simultaneous starts of one agent create one session (duplicate dispatch)', async () => {
    const [a, b] = await Promise.all([h.request('POST', '/agents/start', polecatRequest()), h.request('POST', '/agents/start', polecatRequest())]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    const dup = await dataOf<AgentView & { duplicate?: boolean }>(a.status === 200 ? a : b);
    expect(dup.duplicate).toBe(true);
    expect(h.backend.servers).toHaveLength(1);
    expect(h.backend.servers[0]?.sessionIds).toHaveLength(1);
  });

  it('a restart during startup supersedes the first start and leaks no server or session', async () => {
    const held = deferred();
    h.backend.hold = held.promise;
    const first = h.request('POST', '/agents/start', polecatRequest());
    await new Promise<void>((resolve) => (h.backend.onStart = () => resolve()));
    h.backend.onStart = null;
    h.backend.hold = null;
    const second = h.request('POST', '/agents/start', polecatRequest({ dispatch_id: DISPATCH_2 }));
    const r1 = await first;
    expect(r1.status).toBe(409);
    expect(((await r1.json()) as { error: { code: string } }).error.code).toBe('superseded');
    const r2 = await second;
    expect(r2.status).toBe(201);
    held.resolve();
    expect(h.backend.live()).toHaveLength(1);
    expect(h.backend.live()[0]?.sessionIds).toHaveLength(1);
    expect(h.manager.status(AGENT)?.dispatch_id).toBe(DISPATCH_2);
  });

  it('an abort after the session exists aborts the session and closes the server it created', async () => {
    const held = deferred();
    h.backend.promptHold = held.promise;
    const first = h.request('POST', '/agents/start', polecatRequest());
    while (h.backend.servers[0]?.sessionIds.length !== 1) await settle();
    const second = h.request('POST', '/agents/start', polecatRequest({ dispatch_id: DISPATCH_2 }));
    await settle();
    h.backend.promptHold = null;
    held.resolve();
    expect((await first).status).toBe(409);
    expect((await second).status).toBe(201);
    const [old, current] = h.backend.servers;
    expect(old?.closed).toBe(true);
    expect((old?.sessionIds ?? []).map((id) => old?.sessions.get(id)?.aborted)).toEqual([1]);
    expect(current?.closed).toBe(false);
    expect(h.backend.live()).toHaveLength(1);
    expect(h.manager.sessions.size).toBe(1);
  });

  it('a start that waited behind a newer one gives way (409) without starting anything', async () => {
    const held = deferred();
    h.backend.hold = held.promise;
    const first = h.request('POST', '/agents/start', polecatRequest());
    await new Promise<void>((resolve) => (h.backend.onStart = () => resolve()));
    h.backend.onStart = null;
    const second = h.request('POST', '/agents/start', polecatRequest({ dispatch_id: DISPATCH_2 }));
    const third = h.request('POST', '/agents/start', polecatRequest({ dispatch_id: DISPATCH_3 }));
    h.backend.hold = null;
    held.resolve();
    expect((await first).status).toBe(409);
    expect((await second).status).toBe(409);
    expect((await third).status).toBe(201);
    expect(h.backend.live()).toHaveLength(1);
    expect(h.manager.status(AGENT)?.dispatch_id).toBe(DISPATCH_3);
  });

  it('a running predecessor is stopped first, without a completion report', async () => {
    expect((await h.request('POST', '/agents/start', polecatRequest())).status).toBe(201);
    expect((await h.request('POST', '/agents/start', polecatRequest({ dispatch_id: DISPATCH_2 }))).status).toBe(201);
    expect(h.backend.servers[0]?.closed).toBe(true);
    expect(h.backend.live()).toHaveLength(1);
    expect(h.api.matching('completed')).toHaveLength(0);
  });

  it('fails with plugin_tools_missing when the marker tool is absent, and drops the defective server', async () => {
    h.backend.onCreated = (s) => {
      s.toolIds = ['bash'];
    };
    const res = await h.request('POST', '/agents/start', polecatRequest());
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; details: { phase: string; error_type: string } } };
    expect(body.error.code).toBe('start_failed');
    expect(body.error.details).toMatchObject({ phase: 'tools_check', error_type: 'plugin_tools_missing' });
    expect(h.backend.live()).toHaveLength(0);
    expect(h.manager.status(AGENT)?.status).toBe('failed');
  });

  it('fails with no_provider_key in sdk_ready when no provider applies', async () => {
    const res = await h.request('POST', '/agents/start', polecatRequest({ config: liveConfig({ provider: null, version: 9 }) }));
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { details: { phase: string; error_type: string } } };
    expect(body.error.details).toMatchObject({ phase: 'sdk_ready', error_type: 'no_provider_key' });
    expect(h.backend.startsBegun).toBe(0);
  });

  it('maps a provider 429 on the first prompt to rate_limited with an action', async () => {
    h.backend.onCreated = (s) => s.failNext.set('promptAsync', 429);
    const res = await h.request('POST', '/agents/start', polecatRequest());
    const body = (await res.json()) as { error: { details: Record<string, unknown> } };
    expect(body.error.details).toMatchObject({ phase: 'prompt_sent', status: 429, error_type: 'rate_limited', action: 'retry_later' });
    expect(h.backend.live()).toHaveLength(0);
  });

  it('retries session creation once on a fresh server after deleting a stale kilo.db', async () => {
    h.backend.onCreated = (s) => {
      if (h.backend.servers.length === 1) s.failNext.set('createSession', 500);
    };
    const res = await h.request('POST', '/agents/start', polecatRequest());
    expect(res.status).toBe(201);
    expect(h.backend.servers).toHaveLength(2);
    expect(h.backend.servers[0]?.closed).toBe(true);
    expect(h.api.matching('db-snapshot', 'DELETE')).toHaveLength(1);
  });

  it('the mayor resumes its newest session, writes AGENTS.md and the dashboard context, and waits without a prompt', async () => {
    h.backend.onCreated = (s) => {
      s.seedSession('ses_old', 1);
      s.seedSession('ses_newest', 5);
    };
    const res = await h.request('POST', '/agents/start', mayorRequest({ system_prompt: 'You are the mayor.', dashboard_context: 'viewing beads' }));
    expect(res.status).toBe(201);
    const view = await dataOf<AgentView>(res);
    expect(view.session_id).toBe('ses_newest');
    expect(view.busy).toBe(false);
    const workdir = h.backend.servers[0]?.workdir ?? '';
    expect(await readFile(join(workdir, 'AGENTS.md'), 'utf8')).toBe('You are the mayor.');
    expect(JSON.parse(await readFile(join(h.root, 'mayor', 'dashboard-context.json'), 'utf8'))).toMatchObject([{ context: 'viewing beads' }]);
    await h.api.waitFor((r) => r.path.endsWith(`/agents/${MAYOR}/waiting`));
  });
});

describe('stop', () => {
  it('aborts the session, closes the server, exits with the reason and reports nothing; idempotent', async () => {
    const view = await dataOf<AgentView>(await h.request('POST', '/agents/start', polecatRequest()));
    const res = await h.request('POST', `/agents/${AGENT}/stop`, { reason: 'user asked' });
    expect(await dataOf(res)).toEqual({ stopped: true, status: 'exited' });
    const server = h.backend.servers[0];
    expect(server?.closed).toBe(true);
    expect(server?.sessions.get(view.session_id ?? '')?.aborted).toBe(1);
    expect(h.manager.status(AGENT)).toMatchObject({ status: 'exited', exit_reason: 'user asked', server_up: false });
    expect(await dataOf(await h.request('POST', `/agents/${AGENT}/stop`, {}))).toEqual({ stopped: false, status: 'exited' });
    expect((await h.request('POST', `/agents/${DISPATCH}/stop`, {})).status).toBe(404);
    await settle();
    expect(h.api.matching('completed')).toHaveLength(0);
  });

  it('a stop during startup aborts it and leaves nothing running', async () => {
    const held = deferred();
    h.backend.hold = held.promise;
    const start = h.request('POST', '/agents/start', polecatRequest());
    await new Promise<void>((resolve) => (h.backend.onStart = () => resolve()));
    const stop = await h.request('POST', `/agents/${AGENT}/stop`, {});
    expect(await dataOf(stop)).toEqual({ stopped: true, status: 'exited' });
    expect((await start).status).toBe(409);
    held.resolve();
    expect(h.backend.live()).toHaveLength(0);
  });
});

describe('git auth on a warm server', () => {
  const warm = async (github?: string): Promise<void> => {
    const config = liveConfig({ version: 1, git_auth: github === undefined ? {} : { github_token: github } });
    const built = await h.envBuilder.build(mayorRequest({ config }), config);
    if ('error' in built) throw new Error('build failed');
    const ws = join(h.root, 'mayor', 'workspace');
    await mkdir(ws, { recursive: true });
    h.manager.applyLiveConfig(config);
    await h.pool.ensureServer(ws, built, new AbortController().signal);
  };

  it('a cache hit keeps a server whose git auth matches', async () => {
    await warm('ghp_token_one_0001');
    const res = await h.request('POST', '/agents/start', mayorRequest({ config: liveConfig({ version: 1, git_auth: { github_token: 'ghp_token_one_0001' } }) }));
    expect(res.status).toBe(201);
    expect(h.backend.servers).toHaveLength(1);
    expect(h.backend.servers[0]?.env.GH_TOKEN).toBe('ghp_token_one_0001');
  });

  it('a removed token replaces the server (revoked, never inherited)', async () => {
    await warm('ghp_token_one_0001');
    const res = await h.request('POST', '/agents/start', mayorRequest({ config: liveConfig({ version: 2, git_auth: {} }) }));
    expect(res.status).toBe(201);
    expect(h.backend.servers).toHaveLength(2);
    expect(h.backend.servers[0]?.closed).toBe(true);
    expect(h.backend.servers[1]?.env.GIT_TOKEN).toBeUndefined();
    expect(h.backend.servers[1]?.env.GH_TOKEN).toBeUndefined();
  });

  it('an added token replaces the server and sets it', async () => {
    await warm();
    const res = await h.request('POST', '/agents/start', mayorRequest({ config: liveConfig({ version: 2, git_auth: { github_token: 'ghp_token_two_0002' } }) }));
    expect(res.status).toBe(201);
    expect(h.backend.servers).toHaveLength(2);
    expect(h.backend.servers[1]?.env).toMatchObject({ GIT_TOKEN: 'ghp_token_two_0002', GITHUB_TOKEN: 'ghp_token_two_0002', GH_TOKEN: 'ghp_token_two_0002' });
  });
});
