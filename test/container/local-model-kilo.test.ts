/**
 * The offline mode end to end (`container.md` §10): the REAL `kilo serve` with the FULL gastown
 * plugin, the lazily started local model as its provider (`provider: null`,
 * `GASTOWN_LOCAL_MODEL=allow`) and the fake worker API, all on loopback. A polecat session in a
 * clone of a bare repo writes the file its bead names, commits, pushes to the bare repo and calls
 * `gt_done`: the commit is on the branch in the bare repo and the fake worker recorded P/done
 * with that branch and the hooked bead (from prime). kilo needs no network: the agent config dir
 * is pre-provisioned by the env builder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView, ContainerConfig, StartAgentRequest } from '../../src/protocol/control.ts';
import { CONTROL_SECRET_HEADER } from '../../src/protocol/control.ts';
import { buildAssignmentBlock } from '../../src/prompts/assignment.ts';
import type { Assignment } from '../../src/prompts/assignment.ts';
import { rigFirstPrompt } from '../../src/prompts/first-prompt.ts';
import { createControlApp } from '../../container/src/control/app.ts';
import { writeCliWrappers } from '../../container/src/env/cli-wrappers.ts';
import { HydrationGate } from '../../container/src/hydration/gate.ts';
import { installPaths } from '../../container/src/install-paths.ts';
import { RealKiloBackend } from '../../container/src/kilo/real-backend.ts';
import { agentHome } from '../../container/src/layout.ts';
import { LazyLocalModel } from '../../container/src/local-model/lazy.ts';
import { startLocalModel } from '../../container/src/local-model/server.ts';
import type { LocalModelServer } from '../../container/src/local-model/server.ts';
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
import type { Workspaces } from '../../container/src/workspaces/workspaces.ts';
import { fakeBead, fakePrime, startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi, RecordedRequest } from '../fakes/worker-api/index.ts';
import { AGENT, RIG, TOWN, polecatRequest } from './fixtures.ts';
import { captureLog, clientFor } from './helpers.ts';
import { SECRET, containerTokenFor } from './pm-harness.ts';

/** A kilo boot takes 5–20 s on a loaded machine; the whole flow gets generous room. */
const TEST_TIMEOUT_MS = 180_000;
const AGENT_TOKEN = 'agent-token-polecat-local-0001';
const BEAD = 'b0b0b0b0-1234-4321-8abc-0123456789ab';
const BRANCH = 'gt/toast/b0b0b0b0';
const BEAD_TITLE = 'Add `docs/offline.md` with `Written by the local model`';

let root: string;
let origin: string;
let api: FakeWorkerApi;
let manager: ProcessManager;
let backend: RealKiloBackend;
let reports: WorkerReports;
let localModel: LazyLocalModel;
const modelServers: LocalModelServer[] = [];
let request: (method: string, path: string, body?: unknown) => Promise<Response>;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: root, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'Seed', GIT_AUTHOR_EMAIL: 'seed@test.local', GIT_COMMITTER_NAME: 'Seed', GIT_COMMITTER_EMAIL: 'seed@test.local' },
  }).trim();
}

/** The temp workspaces, except that a polecat's workdir is a clone of the bare origin on its branch. */
function cloningWorkspaces(base: Workspaces): Workspaces {
  return {
    ...base,
    async prepare(req, signal) {
      if (req.role !== 'polecat' || req.rig === undefined) return await base.prepare(req, signal);
      const workdir = join(root, 'clones', req.agent_id);
      git(root, 'clone', '-q', req.rig.git_url, workdir);
      git(workdir, 'switch', '-q', '-c', req.rig.branch);
      return { workdir };
    },
  };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gt-lm-kilo-'));
  origin = join(root, 'origin.git');
  git(root, 'init', '-q', '--bare', '-b', 'main', origin);
  const seed = join(root, 'seed');
  git(root, 'clone', '-q', origin, seed);
  await writeFile(join(seed, 'README.md'), 'offline\n');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-q', '-m', 'Initial commit');
  git(seed, 'push', '-q', 'origin', 'HEAD:main');

  api = await startFakeWorkerApi({ townId: TOWN, agentTokens: { [AGENT]: AGENT_TOKEN } });
  api.setPrime(AGENT, fakePrime(AGENT, RIG, { hooked_bead: fakeBead({ id: BEAD, rig_id: RIG, title: BEAD_TITLE, status: 'in_progress', assignee_agent_id: AGENT }) }));

  const redactor = new Redactor();
  const { log } = captureLog(redactor);
  // Production timings except: a short idle timer, and room for a slow kilo boot and first call.
  const timings: Timings = { ...timingsFor({}), idleMs: 300, serverListenTimeoutMs: 90_000, workerCallTimeoutMs: 30_000 };
  const { client } = clientFor(api, TOWN, { log, timings, containerToken: containerTokenFor(TOWN) });
  const install = installPaths();
  const binDir = join(root, 'bin');
  await writeCliWrappers(binDir);
  backend = new RealKiloBackend({ kiloBin: install.kiloBin, timings, log });
  reports = new WorkerReports(client, timings, log);
  localModel = new LazyLocalModel({
    log,
    redact: (text) => redactor.redact(text),
    start: async (opts) => {
      const server = await startLocalModel(opts);
      modelServers.push(server);
      return server;
    },
  });
  const baseEnv = { PATH: process.env.PATH, LANG: process.env.LANG, TMPDIR: process.env.TMPDIR };
  manager = new ProcessManager({
    timings,
    log,
    redactor,
    worker: client,
    pool: new ServerPool(backend, log),
    workspaces: cloningWorkspaces(createTempGitWorkspaces(root, log, { timings, baseEnv })),
    envBuilder: new AgentEnvBuilder({
      paths: { root, pluginFile: install.pluginFile, pluginDepsDir: install.nodeModules, binDir, extraBinDirs: [install.binDir] },
      apiUrl: api.url,
      baseEnv,
      localModelAllowed: true,
      localModelUrl: () => localModel.url(),
      log,
    }),
    liveConfig: new LiveConfig(),
    dbSnapshots: createDbSnapshots(client, log),
    reports,
    dashboard: new DashboardContextStore(root),
  });
  const app = createControlApp({
    secret: SECRET,
    manager,
    gate: new HydrationGate(),
    redactor,
    log,
    townId: TOWN,
    containerInstanceId: 'instance-local-model',
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
  await localModel?.close();
  await api?.stop();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
}, TEST_TIMEOUT_MS);

function offlineConfig(): ContainerConfig {
  return { version: 1, town_id: TOWN, api_url: api.url, provider: null, git_auth: {}, disable_ai_coauthor: false, env_vars: {} };
}

function polecatStart(): StartAgentRequest {
  const assignment: Assignment = {
    role: 'polecat',
    agent_id: AGENT,
    agent_name: 'Toast',
    rig_id: RIG,
    bead_id: BEAD,
    bead_title: BEAD_TITLE,
    labels: [],
    branch: BRANCH,
    target_branch: 'main',
    merge_strategy: 'direct',
    push_flags: [],
    gates: [],
  };
  return polecatRequest({
    agent_token: AGENT_TOKEN,
    system_prompt: `${buildAssignmentBlock(assignment)}\n\nYou are Toast, a Gastown polecat. Direct mode: push your branch and call gt_done.`,
    prompt: rigFirstPrompt('polecat', { id: BEAD, title: BEAD_TITLE, body: 'Keep it short.' }),
    rig: { git_url: origin, default_branch: 'main', branch: BRANCH },
    config: offlineConfig(),
  });
}

const isAgentCall = (suffix: string) => (r: RecordedRequest) => r.path === `/api/towns/${TOWN}/rigs/${RIG}/agents/${AGENT}${suffix}`;

describe('a polecat on the real kilo serve with the local model', () => {
  it(
    'writes the file, pushes its commit to the bare repo and calls gt_done with the branch',
    async () => {
      const res = await request('POST', '/agents/start', polecatStart());
      const body = (await res.json()) as { data?: AgentView; error?: unknown };
      expect(body.error, JSON.stringify(body.error)).toBeUndefined();
      expect(res.status).toBe(201);

      const done = await api.waitFor(isAgentCall('/done'));
      expect(done.auth).toBe(AGENT_TOKEN);
      expect(api.dones(AGENT)).toEqual([{ branch: BRANCH, bead_id: BEAD, summary: `Wrote docs/offline.md for bead ${BEAD}: ${BEAD_TITLE}` }]);

      // The commit is on the branch in the bare repo, with the file and the bead title.
      expect(git(origin, 'log', '-1', '--format=%s', BRANCH)).toBe(BEAD_TITLE);
      expect(git(origin, 'show', `${BRANCH}:docs/offline.md`)).toBe('Written by the local model');
      expect(git(origin, 'rev-parse', 'main')).not.toBe(git(origin, 'rev-parse', BRANCH));

      // The turn ended with the script's final text: the idle timer reports the session completed.
      const completed = await api.waitFor(isAgentCall('/completed'));
      expect(completed.body).toEqual({ status: 'completed' });

      // One local model served the session: the plugin's tools and kilo's bash were offered and the
      // script ran bash, gt_done, then its final text. The plugin primed (hence bead_id above).
      expect(modelServers).toHaveLength(1);
      const seen = modelServers[0]?.requests() ?? [];
      const scripted = seen.filter((r) => r.model === 'polecat' && r.tools.length > 0);
      expect(scripted[0]?.tools).toEqual(expect.arrayContaining(['bash', 'gt_prime', 'gt_done', 'gt_escalate']));
      expect(scripted.map((r) => (r.reply.kind === 'tool' ? r.reply.name : r.reply.kind))).toEqual(['bash', 'gt_done', 'text']);
      expect(scripted[1]?.last_tool_result).toContain('GT_OK');
      expect(api.matching(`/api/towns/${TOWN}/rigs/${RIG}/agents/${AGENT}/prime`, 'POST').length).toBeGreaterThanOrEqual(1);

      // Offline: kilo ran no package install in the pre-provisioned agent config dir.
      expect(existsSync(join(agentHome(root, AGENT), '.npm'))).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});
