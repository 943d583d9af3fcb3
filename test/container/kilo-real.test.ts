/**
 * End to end with the REAL `kilo serve` (node_modules/.bin/kilo 7.7.7), offline on loopback: the
 * control app and process manager wired as main.ts wires them, a polecat start whose session loads
 * the gastown plugin (tools check sees `gt_prime`), the scripted OpenAI-compatible stub makes the
 * model call `gt_prime` (answered by the fake worker API), the session goes idle, and the idle
 * timer reports `P/completed`. Also pins that kilo attempted no package install.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView, ContainerConfig } from '../../src/protocol/control.ts';
import { CONTROL_SECRET_HEADER } from '../../src/protocol/control.ts';
import { createControlApp } from '../../container/src/control/app.ts';
import { writeCliWrappers } from '../../container/src/env/cli-wrappers.ts';
import { EventForwarder } from '../../container/src/event-forwarder.ts';
import { HydrationGate } from '../../container/src/hydration/gate.ts';
import { installPaths } from '../../container/src/install-paths.ts';
import { RealKiloBackend } from '../../container/src/kilo/real-backend.ts';
import { agentHome } from '../../container/src/layout.ts';
import { DashboardContextStore } from '../../container/src/process/dashboard-context.ts';
import { createDbSnapshots } from '../../container/src/process/db-snapshots.ts';
import { AgentEnvBuilder } from '../../container/src/process/env-builder.ts';
import { LiveConfig } from '../../container/src/process/live-config.ts';
import { ProcessManager } from '../../container/src/process/process-manager.ts';
import { ServerPool } from '../../container/src/process/server-pool.ts';
import { WorkerReports } from '../../container/src/process/worker-reports.ts';
import { Redactor } from '../../container/src/redact.ts';
import { timingsFor } from '../../container/src/timings.ts';
import type { Timings } from '../../container/src/timings.ts';
import { createTempGitWorkspaces } from '../../container/src/workspaces/workspaces.ts';
import { startOpenAiStub } from '../fakes/openai-stub.ts';
import type { OpenAiStub } from '../fakes/openai-stub.ts';
import { startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi, RecordedRequest } from '../fakes/worker-api/index.ts';
import { AGENT, RIG, TOWN, polecatRequest } from './fixtures.ts';
import { captureLog, clientFor } from './helpers.ts';
import { SECRET, containerTokenFor } from './pm-harness.ts';

/** A kilo boot takes 5–20 s on a loaded machine; the whole flow gets generous room. */
const TEST_TIMEOUT_MS = 120_000;
const PRIME_MARKER = 'prime-marker-7f3a';
const AGENT_TOKEN = 'agent-token-polecat-real-0001';

let root: string;
let stub: OpenAiStub;
let api: FakeWorkerApi;
let manager: ProcessManager;
let backend: RealKiloBackend;
let forwarder: EventForwarder;
let reports: WorkerReports;
let request: (method: string, path: string, body?: unknown) => Promise<Response>;
let logLines: Record<string, unknown>[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gt-kilo-real-'));
  stub = await startOpenAiStub();
  api = await startFakeWorkerApi({ townId: TOWN });
  api.setResponse('**/agents/*/prime', (req) => ({
    data: { agent: { id: AGENT, marker: PRIME_MARKER }, hooked_bead: null, mail: [], open_beads: [], context: {}, auth_seen: req.auth === AGENT_TOKEN },
  }));

  const redactor = new Redactor();
  const captured = captureLog(redactor);
  logLines = captured.lines;
  const log = captured.log;
  // Production timings except: a short idle timer, and room for a slow kilo boot and first call.
  const timings: Timings = { ...timingsFor({}), idleMs: 300, serverListenTimeoutMs: 90_000, workerCallTimeoutMs: 30_000 };
  const { client } = clientFor(api, TOWN, { log, timings, containerToken: containerTokenFor(TOWN) });
  const install = installPaths();
  const binDir = join(root, 'bin');
  await writeCliWrappers(binDir);
  backend = new RealKiloBackend({ kiloBin: install.kiloBin, timings, log });
  reports = new WorkerReports(client, timings, log);
  forwarder = new EventForwarder({ worker: client, timings, log, redactor });
  const baseEnv = { PATH: process.env.PATH, LANG: process.env.LANG, TMPDIR: process.env.TMPDIR };
  manager = new ProcessManager({
    timings,
    log,
    redactor,
    worker: client,
    pool: new ServerPool(backend, log),
    workspaces: createTempGitWorkspaces(root, log, { timings, baseEnv }),
    envBuilder: new AgentEnvBuilder({
      paths: { root, pluginFile: install.pluginFile, pluginDepsDir: install.nodeModules, binDir, extraBinDirs: [install.binDir] },
      apiUrl: api.url,
      baseEnv,
      localModelAllowed: false,
      log,
    }),
    liveConfig: new LiveConfig(),
    dbSnapshots: createDbSnapshots(client, log),
    reports,
    dashboard: new DashboardContextStore(root),
    forwarder,
  });
  const app = createControlApp({
    secret: SECRET,
    manager,
    gate: new HydrationGate(),
    redactor,
    log,
    townId: TOWN,
    containerInstanceId: 'instance-kilo-real',
    startedAt: Date.now(),
    setContainerToken: () => undefined,
  });
  request = async (method, path, body) =>
    await app.request(path, {
      method,
      headers: { 'content-type': 'application/json', [CONTROL_SECRET_HEADER]: SECRET },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  reports?.stop();
  await manager?.shutdown();
  backend?.killAllSync();
  await api?.stop();
  await stub?.stop();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
}, TEST_TIMEOUT_MS);

function stubConfig(): ContainerConfig {
  return {
    version: 1,
    town_id: TOWN,
    api_url: api.url,
    provider: { kind: 'openai-compatible', id: 'stub', base_url: stub.baseUrl, api_key: 'sk-stub-key-0001' },
    git_auth: {},
    disable_ai_coauthor: false,
    env_vars: {},
  };
}

const isAgentCall = (suffix: string) => (r: RecordedRequest) => r.path === `/api/towns/${TOWN}/rigs/${RIG}/agents/${AGENT}${suffix}`;

/** True while `pid`'s process group has a member. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a polecat on the real kilo serve', () => {
  it(
    'starts, passes the tools check, runs gt_prime against the worker API, goes idle and reports completed',
    async () => {
      const res = await request('POST', '/agents/start', polecatRequest({ agent_token: AGENT_TOKEN, prompt: 'Prime yourself, then stop.', config: stubConfig() }));
      const body = (await res.json()) as { data?: AgentView; error?: unknown };
      expect(body.error, JSON.stringify(body.error)).toBeUndefined();
      expect(res.status).toBe(201);
      expect(body.data?.status).toBe('running');
      expect(body.data?.session_id).toMatch(/^ses_/);

      const completed = await api.waitFor(isAgentCall('/completed'));
      expect(completed.body).toEqual({ status: 'completed' });
      expect(completed.auth).toBe(AGENT_TOKEN);

      // The plugin called P/prime with the agent token (never the container token): once to
      // inject the context into the session's system prompt (kilo's title request runs the
      // system transform too), once for the model's gt_prime call.
      const prime = api.matching(`/api/towns/${TOWN}/rigs/${RIG}/agents/${AGENT}/prime`, 'POST');
      expect(prime.length).toBeGreaterThanOrEqual(2);
      expect(prime.every((p) => p.auth === AGENT_TOKEN)).toBe(true);
      // The injected context reached the model's system prompt.
      const system = JSON.stringify(stub.requests.find((r) => r.tools.length > 0)?.messages.filter((m) => m.role === 'system'));
      expect(system).toContain('--- GASTOWN CONTEXT ---');

      // The model saw gt_prime, called it, and got the worker's JSON back as the tool result.
      const first = stub.requests.find((r) => r.tools.length > 0);
      expect(first?.tools).toContain('gt_prime');
      expect(first?.model).toBe('anthropic/claude-sonnet-4.6');
      const second = stub.requests.find((r) => r.lastRole === 'tool');
      const content = second?.messages.at(-1)?.content;
      const toolResult = typeof content === 'string' ? content : JSON.stringify(content);
      expect(toolResult).toContain(PRIME_MARKER);
      expect(toolResult).toContain('"auth_seen": true');

      // The start phases reached C/events, tools_check included.
      const phases = api
        .matching(`/api/towns/${TOWN}/container/events`, 'POST')
        .flatMap((r) => ((r.body as { events?: { label?: string }[] }).events ?? []).map((e) => e.label));
      expect(phases).toEqual(expect.arrayContaining(['git', 'db_hydrated', 'sdk_ready', 'tools_check', 'session_created', 'prompt_sent']));

      // The session's tool part reached P/events once flushed.
      await forwarder.flush(AGENT);
      const events = api.events(AGENT);
      const toolPart = events.find((e) => e.type === 'message.part.updated' && JSON.stringify(e.data).includes('"tool":"gt_prime"') && JSON.stringify(e.data).includes('"completed"'));
      expect(toolPart).toBeDefined();

      // The idle exit closed the server: the agent is exited and kilo's process group is gone.
      const view = manager.status(AGENT);
      expect(view?.status).toBe('exited');
      expect(view?.exit_reason).toBe('completed');
      const started = logLines.find((l) => l.msg === 'kilo.server_started');
      expect(typeof started?.pid).toBe('number');
      expect(groupAlive(Number(started?.pid))).toBe(false);

      // kilo ran no package install in the agent's config dir (container.md §6 item 2).
      const home = agentHome(root, AGENT);
      expect(existsSync(join(home, '.npm'))).toBe(false);
      const logDir = join(home, '.local', 'share', 'kilo', 'log');
      const kiloLog = readdirSync(logDir).map((f) => readFileSync(join(logDir, f), 'utf8')).join('\n');
      expect(kiloLog).not.toMatch(/dependency install|npm-install|NpmInstallFailed/);
      expect(JSON.parse(readFileSync(join(home, '.config', 'kilo', 'package.json'), 'utf8'))).toEqual({ name: 'gastown-agent-config', private: true, dependencies: { '@kilocode/plugin': '7.3.1' } });
    },
    TEST_TIMEOUT_MS,
  );
});
