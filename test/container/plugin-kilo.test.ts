/**
 * The plugin as the REAL `kilo serve` (node_modules/.bin/kilo) loads it, offline on loopback: an
 * agent home provisioned like the control server's (plugin symlink, deps, env from
 * `buildAgentEnv`), then kilo's own tool listing for the mayor and a refinery. Proves that kilo
 * converts every tool's schema (shared protocol zod, transforms and unions included), that each
 * role sees exactly its tools, and that the per-argument descriptions reach the model.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { buildAgentEnv, provisionAgentDirs } from '../../container/src/env/build-agent-env.ts';
import type { AgentPaths } from '../../container/src/env/build-agent-env.ts';
import { installPaths } from '../../container/src/install-paths.ts';
import { gastownHooks } from '../../container/plugin/index.ts';
import type { ContainerConfig } from '../../src/protocol/control.ts';
import { AGENT, liveConfig, mayorRequest, polecatRequest } from './fixtures.ts';
import { agentEnv } from './plugin-support/harness.ts';
import { startKiloServe } from './plugin-support/kilo-serve.ts';
import type { KiloServe } from './plugin-support/kilo-serve.ts';

/** A kilo boot takes 5–20 s on a loaded machine. */
const BOOT_TIMEOUT_MS = 120_000;
const TEST_TIMEOUT_MS = 200_000;
const MODEL = 'anthropic/claude-sonnet-4.6';

let root: string;
const servers: KiloServe[] = [];

const config: ContainerConfig = liveConfig({
  // Never called: listing tools needs a configured model, not a reachable one.
  provider: { kind: 'openai-compatible', id: 'stub', base_url: 'http://127.0.0.1:9/v1', api_key: 'sk-stub-key-0001' },
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gt-plugin-kilo-'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  if (root !== undefined) await rm(root, { recursive: true, force: true });
}, TEST_TIMEOUT_MS);

/** kilo's `/experimental/tool` answer, as far as this test reads it. */
const KiloToolList = z.array(
  z.looseObject({
    id: z.string(),
    description: z.string(),
    parameters: z.looseObject({ properties: z.record(z.string(), z.looseObject({ description: z.string().optional() })).optional() }),
  }),
);
type KiloTool = z.infer<typeof KiloToolList>[number];

/** Boots kilo for `role` and returns kilo's tool list for the configured model. */
async function kiloTools(role: 'mayor' | 'refinery'): Promise<KiloTool[]> {
  const install = installPaths();
  const binDir = join(root, 'bin');
  await mkdir(binDir, { recursive: true });
  const paths: AgentPaths = { root, pluginFile: install.pluginFile, pluginDepsDir: install.nodeModules, binDir, extraBinDirs: [install.binDir] };
  const request = role === 'mayor' ? mayorRequest({ config }) : polecatRequest({ role: 'refinery', agent_id: AGENT, config });
  const built = buildAgentEnv(request, config, paths, {
    localModelUrl: null,
    localModelAllowed: false,
    apiUrl: 'http://127.0.0.1:9',
    baseEnv: { PATH: process.env.PATH, LANG: process.env.LANG, TMPDIR: process.env.TMPDIR },
  });
  if ('error' in built) throw new Error(`env: ${JSON.stringify(built.error)}`);
  await provisionAgentDirs(built.home, paths);
  const workdir = join(root, `work-${role}`);
  await mkdir(workdir, { recursive: true });
  const server = await startKiloServe(install.kiloBin, workdir, built.env, AbortSignal.timeout(BOOT_TIMEOUT_MS));
  servers.push(server);
  return KiloToolList.parse(await server.getJson(`/experimental/tool?provider=stub&model=${encodeURIComponent(MODEL)}`));
}

/** The plugin's own view of `role`'s tools: id → argument names. */
function pluginTools(role: string): Record<string, string[]> {
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const tools = gastownHooks(agentEnv(role, 'http://127.0.0.1:9')).tool ?? {};
    return Object.fromEntries(Object.entries(tools).map(([id, t]) => [id, Object.keys(z.object(t.args).shape).sort()]));
  } finally {
    spy.mockRestore();
  }
}

describe('the plugin in the real kilo serve', () => {
  it.each(['mayor', 'refinery'] as const)(
    '%s: kilo lists exactly the role’s gt_* tools, with every argument and its description',
    async (role) => {
      const listed = (await kiloTools(role)).filter((t) => t.id.startsWith('gt_'));
      const expected = pluginTools(role);
      expect(listed.map((t) => t.id).sort()).toEqual(Object.keys(expected).sort());
      for (const tool of listed) {
        const properties = tool.parameters.properties ?? {};
        expect(Object.keys(properties).sort(), tool.id).toEqual(expected[tool.id]);
        for (const [arg, schema] of Object.entries(properties)) expect(schema.description, `${tool.id}.${arg}`).toMatch(/\S/);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
