/**
 * The hydration gate and boot hydration (`container.md` §3–§4, seeds 000/002): gated routes wait
 * and are released; the pushed token is stored only after the gate; a hanging registry fetch is
 * abandoned; resumes run mayor first, 4 at a time, with renewed tokens; the mayor prewarm builds
 * the start path's env (byte-identical config, tools) and is reused; skips; the drain handshake.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { MayorIdResult } from '../../src/protocol/container.ts';
import type { AgentView, Registry, StartAgentRequest } from '../../src/protocol/control.ts';
import { prewarmRequest } from '../../container/src/hydration/mayor-prewarm.ts';
import { AGENT, MAYOR, TOWN, liveConfig, mayorRequest, polecatRequest } from './fixtures.ts';
import { containerTokenFor, dataOf, deferred, makeHarness, settle } from './pm-harness.ts';
import type { Harness } from './pm-harness.ts';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const REGISTRY_PATH = '/api/towns/*/container/registry';

function mayorId(over: Partial<MayorIdResult> = {}): MayorIdResult {
  return {
    agent_id: MAYOR,
    agent_token: 'agent-token-mayor-prewarm-01',
    model: 'anthropic/claude-sonnet-4.6',
    small_model: 'anthropic/claude-haiku-4.5',
    config: liveConfig({ git_auth: { github_token: 'ghp_mayor_token_0001' }, github_cli_pat: 'ghp_cli_pat_00000001' }),
    ...over,
  };
}

/** Holds `GET C/registry` until the returned release is called. */
function holdRegistry(registry: Partial<Registry> = {}): () => void {
  const gate = deferred();
  h.api.setResponse(REGISTRY_PATH, async (req, c) => {
    if (req.method !== 'GET') return c.json({ data: { updated_at: new Date().toISOString() } });
    await gate.promise;
    return c.json({ data: { registry, updated_at: null } });
  });
  return () => gate.resolve();
}

describe('gated routes', () => {
  it('start, stop, message, refresh-token and PATCH model wait for hydration; status answers 503 hydrating meanwhile', async () => {
    h = await makeHarness();
    h.api.setMayorId(mayorId({ agent_id: null }));
    const release = holdRegistry();
    const hydration = h.hydrate();
    await h.api.waitFor((r) => r.method === 'GET' && r.path.endsWith('/registry'));
    const before = h.containerToken();
    const pushed = containerTokenFor(TOWN);
    const done: string[] = [];
    const track = (name: string, p: Promise<Response>): Promise<Response> => p.then((r) => (done.push(name), r));
    const start = track('start', h.request('POST', '/agents/start', polecatRequest()));
    const refresh = track('refresh', h.request('POST', '/refresh-token', { token: pushed }));
    const model = track('model', h.request('PATCH', `/agents/${AGENT}/model`, { model: 'openai/gpt-5' }));
    const message = track('message', h.request('POST', `/agents/${AGENT}/message`, { text: 'hi' }));
    await settle(20);
    expect(done).toEqual([]);
    expect(h.backend.startsBegun).toBe(0);
    expect(h.manager.agents.size).toBe(0);
    expect(h.containerToken()).toBe(before);
    const status = await h.request('GET', `/agents/${AGENT}/status`);
    expect(status.status).toBe(503);
    expect(((await status.json()) as { error: { code: string } }).error.code).toBe('hydrating');
    expect((await dataOf<{ hydrated: boolean }>(await h.request('GET', '/health'))).hydrated).toBe(false);

    release();
    await hydration;
    expect((await start).status).toBe(201);
    expect((await refresh).status).toBe(200);
    expect(h.containerToken()).toBe(pushed);
    // Released after the start began: they ran against whatever the start had set up by then.
    expect([200, 202, 404, 409]).toContain((await model).status);
    expect([200, 404, 409]).toContain((await message).status);
    expect(done).toHaveLength(4);
    expect((await h.request('GET', `/agents/${MAYOR}/status`)).status).toBe(404);
  });

  it('refuses a pushed token for another town (400) and keeps the old one', async () => {
    h = await makeHarness();
    const before = h.containerToken();
    const res = await h.request('POST', '/refresh-token', { token: containerTokenFor('99999999-9999-4999-8999-999999999999') });
    expect(res.status).toBe(400);
    expect(h.containerToken()).toBe(before);
  });
});

describe('boot hydration', () => {
  it('abandons a hanging registry fetch at the injected timeout and still releases the gate', async () => {
    h = await makeHarness({ timings: { registryFetchTimeoutMs: 150 } });
    h.api.setMayorId(mayorId({ agent_id: null }));
    h.api.setResponse(REGISTRY_PATH, () => new Promise<Response>(() => undefined));
    await h.hydrate();
    expect(h.gate.hydrated).toBe(true);
    expect(h.msgs()).toContain('hydration.registry_unavailable');
    expect((await h.request('POST', '/agents/start', polecatRequest())).status).toBe(201);
  });

  it('renews a container token close to expiry', async () => {
    h = await makeHarness({ containerToken: containerTokenFor(TOWN, 1) });
    h.api.setMayorId(mayorId({ agent_id: null }));
    await h.hydrate();
    expect(h.api.matching('/api/towns/*/container/refresh-token', 'POST')).toHaveLength(1);
  });

  it('resumes registry agents mayor first, at most 4 at a time, with renewed tokens, then PUTs the registry', async () => {
    h = await makeHarness();
    h.backend.startDelayMs = 30;
    let inFlight = 0;
    let maxInFlight = 0;
    const roles: string[] = [];
    h.backend.onStart = (opts) => {
      roles.push(opts.env.GASTOWN_AGENT_ROLE ?? '');
      inFlight = h.backend.startsBegun - h.backend.servers.length;
      maxInFlight = Math.max(maxInFlight, inFlight);
    };
    const rigAgents: StartAgentRequest[] = Array.from({ length: 8 }, (_, i) =>
      polecatRequest({ agent_id: randomUUID(), dispatch_id: randomUUID(), agent_token: `stored-token-${i}-000000`, rig: { git_url: 'https://github.com/acme/app.git', default_branch: 'main', branch: `gt/p${i}/abcd1234` } }),
    );
    const mayor = mayorRequest({ agent_token: 'stored-token-mayor-00000', prompt: 'resume' });
    const registry: Registry = {
      config: liveConfig({ version: 7 }),
      agents: [...rigAgents, mayor].map((r) => ({ agent_id: r.agent_id, role: r.role, workdir: '/x', request: r })),
    };
    h.api.registry.set(registry as unknown as Record<string, unknown>);
    await h.hydrate();
    const firstRenewal = h.api.requests.find((r) => r.path.endsWith('/refresh-token'));
    expect(firstRenewal?.path).toContain(`/agents/${MAYOR}/`);
    expect(roles).toContain('mayor');
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(h.manager.stats().activeAgents).toBe(9);
    for (const r of [...rigAgents, mayor]) {
      expect(h.api.matching(`agents/${r.agent_id}/refresh-token`, 'POST')).toHaveLength(1);
      expect(h.manager.agents.get(r.agent_id)?.token).not.toBe(r.agent_token);
    }
    expect(h.api.matching('/api/towns/*/container/mayor-id')).toHaveLength(0);
    // The mayor resumes without replaying its last prompt: it reports waiting instead.
    const mayorServer = h.backend.servers.find((s) => s.env.GASTOWN_AGENT_ROLE === 'mayor');
    expect([...(mayorServer?.sessions.values() ?? [])].flatMap((s) => s.prompts)).toEqual([]);
    await h.api.waitFor((r) => r.path.endsWith(`/agents/${MAYOR}/waiting`));
    const put = await h.api.waitFor((r) => r.method === 'PUT' && r.path.endsWith('/registry'));
    expect(((put.body as { registry: Registry }).registry.agents ?? []).length).toBeGreaterThan(0);
    expect(h.manager.deps.liveConfig.version).toBe(7);
  });

  it('reports a failed resume as failed', async () => {
    h = await makeHarness();
    h.api.setMayorId(mayorId({ agent_id: null }));
    const req = polecatRequest();
    h.api.registry.set({ config: null, agents: [{ agent_id: req.agent_id, role: req.role, workdir: '/x', request: req }] });
    h.backend.failNextStart = new Error('kilo would not start');
    await h.hydrate();
    const report = await h.api.waitFor((r) => r.path.endsWith(`/agents/${AGENT}/completed`));
    expect(report.body).toMatchObject({ status: 'failed' });
  });

  it('ends a drain with C/ready once', async () => {
    h = await makeHarness();
    h.api.setMayorId(mayorId({ agent_id: null }));
    h.api.setDrainStatus({ draining: true, drain_nonce: 'nonce-42', drain_started_at: new Date().toISOString() });
    await h.hydrate();
    const ready = h.api.matching('/api/towns/*/container/ready', 'POST');
    expect(ready.map((r) => r.body)).toEqual([{ nonce: 'nonce-42', container_instance_id: 'instance-test-1' }]);
  });
});

describe('mayor prewarm', () => {
  it('spawns with role, ids and git auth, the start config byte for byte, and the next start reuses it', async () => {
    h = await makeHarness();
    const m = mayorId();
    h.api.setMayorId(m);
    await h.hydrate();
    expect(h.msgs()).toContain('mayor.prewarm_complete');
    expect(h.backend.servers).toHaveLength(1);
    const warm = h.backend.servers[0];
    expect(warm?.env).toMatchObject({
      GASTOWN_AGENT_ROLE: 'mayor',
      GASTOWN_AGENT_ID: MAYOR,
      GASTOWN_TOWN_ID: TOWN,
      GASTOWN_RIG_ID: TOWN,
      GASTOWN_AGENT_TOKEN: 'agent-token-mayor-prewarm-01',
      GIT_TOKEN: 'ghp_mayor_token_0001',
      GITHUB_TOKEN: 'ghp_mayor_token_0001',
      GH_TOKEN: 'ghp_cli_pat_00000001',
      GITHUB_CLI_PAT: 'ghp_cli_pat_00000001',
      KILOCODE_TOKEN: 'kilo-token-abcdef123456',
    });
    expect(warm?.toolIds).toContain('gt_sling');
    expect(warm?.workdir).toBe(`${h.root}/mayor/workspace`);
    expect((await dataOf<{ mayor_ready_at: string | null }>(await h.request('GET', '/health'))).mayor_ready_at).not.toBeNull();

    // What the worker's next mayor start carries: same model, same serialized config.
    const start = mayorRequest({ agent_token: 'agent-token-mayor-start-02', prompt: 'hello', config: m.config });
    const built = await h.envBuilder.build(start, m.config);
    const prewarmBuilt = await h.envBuilder.build(prewarmRequest({ ...m, agent_id: MAYOR, agent_token: 'agent-token-mayor-prewarm-01' }), m.config);
    if ('error' in built || 'error' in prewarmBuilt) throw new Error('build failed');
    expect(warm?.env.KILO_CONFIG_CONTENT).toBe(built.configContent);
    expect(prewarmBuilt.authFingerprint).toBe(built.authFingerprint);

    const res = await h.request('POST', '/agents/start', start);
    expect(res.status).toBe(201);
    expect(h.backend.servers).toHaveLength(1);
    expect(h.backend.startsBegun).toBe(1);
    const view = await dataOf<AgentView>(res);
    expect(warm?.sessionIds).toEqual([view.session_id]);
  });

  it.each([
    ['no agent id', { agent_id: null }, 'no mayor agent id'],
    ['an empty model', { model: '' }, 'mayor model is empty'],
    ['no provider key', { config: liveConfig({ provider: null }) }, 'provider'],
  ] as const)('is skipped with %s (reason logged)', async (_name, over, reason) => {
    h = await makeHarness();
    h.api.setMayorId(mayorId(over as Partial<MayorIdResult>));
    await h.hydrate();
    expect(h.backend.startsBegun).toBe(0);
    const skipped = h.lines.find((l) => l.msg === 'mayor.prewarm_skipped');
    expect(String(skipped?.reason)).toContain(reason);
    expect(h.gate.hydrated).toBe(true);
  });

  it('never keeps a prewarmed server without the mayor tools', async () => {
    h = await makeHarness();
    h.api.setMayorId(mayorId());
    h.backend.onCreated = (s) => {
      s.toolIds = ['bash'];
    };
    await h.hydrate();
    expect(h.backend.live()).toHaveLength(0);
    expect(h.pool.size).toBe(0);
  });
});
