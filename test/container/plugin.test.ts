/**
 * The gastown plugin (`tools.md` §1, §3) against the fake worker API: the role gate (mayor tools
 * for the mayor, rig tools for polecat and refinery, none and `plugin.misconfigured` otherwise),
 * `gt_prime` and `gt_sling` through `defineTool` (bearer token, argument checks before any call,
 * readable errors, capped output) and one shared token refresh + one retry on a 401.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import plugin, { gastownHooks } from '../../container/plugin/index.ts';
import { readAgentContext } from '../../container/plugin/context.ts';
import { MAX_OUTPUT_CHARS, capOutput } from '../../container/plugin/define-tool.ts';
import type { KiloToolDefinition } from '../../container/plugin/define-tool.ts';
import { startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi } from '../fakes/worker-api/index.ts';
import { AGENT, MAYOR, RIG, TOWN } from './fixtures.ts';

const TOKEN = 'agent-token-plugin-0001';
let api: FakeWorkerApi;
let stderr: string[];

beforeEach(async () => {
  api = await startFakeWorkerApi({ townId: TOWN, agentTokens: { [AGENT]: TOKEN, [MAYOR]: TOKEN } });
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await api.stop();
});

function env(role: string, over: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const mayor = role === 'mayor';
  return {
    GASTOWN_AGENT_ROLE: role,
    GASTOWN_AGENT_ID: mayor ? MAYOR : AGENT,
    GASTOWN_TOWN_ID: TOWN,
    GASTOWN_RIG_ID: mayor ? TOWN : RIG,
    GASTOWN_API_URL: `${api.url}/`,
    GASTOWN_AGENT_TOKEN: TOKEN,
    ...over,
  };
}

function toolOf(role: string, id: string): KiloToolDefinition {
  const t = gastownHooks(env(role)).tool?.[id];
  if (t === undefined) throw new Error(`no ${id} for ${role}`);
  return t;
}

const ctx = { abort: new AbortController().signal };
const P = `/api/towns/${TOWN}/rigs/${RIG}/agents/${AGENT}`;
const PRIME = { agent: { id: AGENT }, hooked_bead: null, mail: [], open_beads: [], context: {} };

describe('role gate', () => {
  it('registers the mayor tools for the mayor and the rig tools for polecats and refineries', () => {
    expect(Object.keys(gastownHooks(env('mayor')).tool ?? {})).toEqual(['gt_sling']);
    expect(Object.keys(gastownHooks(env('polecat')).tool ?? {})).toEqual(['gt_prime']);
    expect(Object.keys(gastownHooks(env('refinery')).tool ?? {})).toEqual(['gt_prime']);
    expect(stderr.join('')).not.toContain(TOKEN);
  });

  it('registers nothing and logs plugin.misconfigured for a missing variable or an unknown role', () => {
    expect(gastownHooks(env('polecat', { GASTOWN_AGENT_TOKEN: undefined, GASTOWN_API_URL: ' ' }))).toEqual({});
    expect(gastownHooks(env('janitor'))).toEqual({});
    const lines = stderr.map((l) => JSON.parse(l) as { msg: string; missing: string[] });
    expect(lines.map((l) => l.msg)).toEqual(['plugin.misconfigured', 'plugin.misconfigured']);
    expect(lines[0]?.missing).toEqual(['GASTOWN_API_URL', 'GASTOWN_AGENT_TOKEN']);
    expect(lines[1]?.missing).toEqual(['GASTOWN_AGENT_ROLE']);
    expect(readAgentContext(env('polecat'))).toMatchObject({ ok: true, context: { role: 'polecat', apiUrl: api.url } });
  });

  it("default-exports kilo's v1 path-plugin module: an id and server()", () => {
    expect(plugin.id).toBe('gastown');
    expect(typeof plugin.server).toBe('function');
  });
});

describe('tools', () => {
  it('gt_prime posts P/prime with the agent token and returns the data as pretty JSON', async () => {
    api.setResponse(`${P}/prime`, () => ({ data: PRIME }));
    const out = await toolOf('polecat', 'gt_prime').execute({}, ctx);
    expect(JSON.parse(out)).toEqual(PRIME);
    expect(out).toContain('\n  "agent"');
    const [req] = api.matching(`${P}/prime`, 'POST');
    expect(req?.auth).toBe(TOKEN);
  });

  it('gt_sling validates its arguments before any call, then posts M/sling', async () => {
    const sling = toolOf('mayor', 'gt_sling');
    await expect(sling.execute({ title: '' }, ctx)).rejects.toThrow(/^Invalid arguments for gt_sling: .*rig_id/s);
    expect(api.requests).toHaveLength(0);
    api.setResponse('/api/towns/*/mayor/tools/sling', (req) => ({ data: { bead: { id: 'b-1' }, got: req.body } }));
    const out = await sling.execute({ rig_id: RIG.toUpperCase(), title: 'Add a README' }, ctx);
    expect(JSON.parse(out)).toEqual({ bead: { id: 'b-1' }, got: { rig_id: RIG, title: 'Add a README' } });
    expect(api.matching('/api/towns/*/mayor/tools/sling', 'POST')[0]?.auth).toBe(TOKEN);
  });

  it('a worker error becomes a readable tool error', async () => {
    api.setResponse(`${P}/prime`, (_req, c) => c.json({ error: { code: 'not_found', message: 'No such agent.' } }, 404));
    await expect(toolOf('polecat', 'gt_prime').execute({}, ctx)).rejects.toThrow('gt_prime failed: Gastown API error (404 not_found): No such agent.');
  });

  it('an unreachable worker is status 0', async () => {
    const prime = gastownHooks(env('polecat', { GASTOWN_API_URL: 'http://127.0.0.1:1' })).tool?.gt_prime;
    await expect(prime?.execute({}, ctx)).rejects.toThrow(/Gastown API error \(0 network_error\)/);
  });

  it('a 401 refreshes the token once and retries once with the new one', async () => {
    api.setResponse(`${P}/prime`, () => ({ data: PRIME }));
    api.failNext(`${P}/prime`, 401, 1);
    const prime = toolOf('polecat', 'gt_prime');
    await prime.execute({}, ctx);
    expect(api.matching(`${P}/refresh-token`)).toHaveLength(1);
    const primes = api.matching(`${P}/prime`);
    expect(primes.map((r) => r.auth === TOKEN)).toEqual([true, false]);
    // The renewed token is kept for the next call.
    await prime.execute({}, ctx);
    expect(api.matching(`${P}/prime`)[2]?.auth).toBe(primes[1]?.auth);
  });

  it('a second 401 is a tool error, with no third attempt', async () => {
    api.failNext(`${P}/prime`, 401, 2);
    await expect(toolOf('polecat', 'gt_prime').execute({}, ctx)).rejects.toThrow(/\(401 unauthorized\)/);
    expect(api.matching(`${P}/prime`)).toHaveLength(2);
    expect(api.matching(`${P}/refresh-token`)).toHaveLength(1);
  });

  it('caps output at 16 KB with a marker', () => {
    const long = 'x'.repeat(MAX_OUTPUT_CHARS + 10);
    expect(capOutput(long)).toBe(`${'x'.repeat(MAX_OUTPUT_CHARS)}\n[… output truncated: 10 more characters]`);
    expect(capOutput('short')).toBe('short');
  });
});
