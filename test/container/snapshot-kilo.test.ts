/**
 * A kilo.db snapshot resumes the mayor's session on the REAL `kilo serve` (offline, loopback):
 * the mayor starts (a new session), its stop uploads the checkpointed kilo.db; the agent's home is
 * wiped, and the next start hydrates the snapshot and resumes the same session id (§5.2 steps 2
 * and 5). A fresh container (the whole data root wiped) does not resume yet: kilo lists sessions
 * per project, keyed by the workdir's root commit, and a new mayor workspace gets a new one.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView, ContainerConfig } from '../../src/protocol/control.ts';
import { CONTROL_SECRET_HEADER } from '../../src/protocol/control.ts';
import { createControlApp } from '../../container/src/control/app.ts';
import { writeCliWrappers } from '../../container/src/env/cli-wrappers.ts';
import { HydrationGate } from '../../container/src/hydration/gate.ts';
import { installPaths } from '../../container/src/install-paths.ts';
import { RealKiloBackend } from '../../container/src/kilo/real-backend.ts';
import { agentHome, kiloDbFile } from '../../container/src/layout.ts';
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
import { GitWorkspaces } from '../../container/src/workspaces/git-workspaces.ts';
import { startOpenAiStub } from '../fakes/openai-stub.ts';
import type { OpenAiStub } from '../fakes/openai-stub.ts';
import { startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi } from '../fakes/worker-api/index.ts';
import { MAYOR, TOWN, mayorRequest } from './fixtures.ts';
import { captureLog, clientFor } from './helpers.ts';
import { SECRET, containerTokenFor } from './pm-harness.ts';

/** Three kilo boots on a loaded machine: generous room. */
const TEST_TIMEOUT_MS = 180_000;
const SNAPSHOT_PATH = `/api/towns/${TOWN}/rigs/${TOWN}/agents/${MAYOR}/db-snapshot`;

let root: string;
let stub: OpenAiStub;
let api: FakeWorkerApi;
let manager: ProcessManager;
let backend: RealKiloBackend;
let reports: WorkerReports;
let request: (method: string, path: string, body?: unknown) => Promise<Response>;
let logLines: Record<string, unknown>[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gt-snapshot-kilo-'));
  stub = await startOpenAiStub();
  api = await startFakeWorkerApi({ townId: TOWN });
  const redactor = new Redactor();
  const captured = captureLog(redactor);
  logLines = captured.lines;
  const log = captured.log;
  const timings: Timings = { ...timingsFor({}), serverListenTimeoutMs: 90_000, workerCallTimeoutMs: 30_000 };
  const { client } = clientFor(api, TOWN, { log, timings, containerToken: containerTokenFor(TOWN) });
  const install = installPaths();
  const binDir = join(root, 'bin');
  await writeCliWrappers(binDir);
  backend = new RealKiloBackend({ kiloBin: install.kiloBin, timings, log });
  reports = new WorkerReports(client, timings, log);
  const baseEnv = { PATH: process.env.PATH, LANG: process.env.LANG, TMPDIR: process.env.TMPDIR };
  manager = new ProcessManager({
    timings,
    log,
    redactor,
    worker: client,
    pool: new ServerPool(backend, log),
    workspaces: new GitWorkspaces({ root, log, redactor, worker: client, timings, baseEnv }),
    envBuilder: new AgentEnvBuilder({
      paths: { root, pluginFile: install.pluginFile, pluginDepsDir: install.nodeModules, binDir, extraBinDirs: [install.binDir] },
      apiUrl: api.url,
      baseEnv,
      localModelAllowed: false,
      log,
    }),
    liveConfig: new LiveConfig(),
    dbSnapshots: createDbSnapshots(client, log, { timings }),
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
    containerInstanceId: 'instance-snapshot-kilo',
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

/** Starts the mayor (no prompt: no model call) and returns its view. */
async function startMayor(dispatchId: string): Promise<AgentView> {
  const res = await request('POST', '/agents/start', mayorRequest({ dispatch_id: dispatchId, config: stubConfig() }));
  const body = (await res.json()) as { data?: AgentView; error?: unknown };
  expect(body.error, JSON.stringify(body.error)).toBeUndefined();
  if (body.data === undefined) throw new Error('no view');
  return body.data;
}

/** Stops the mayor and waits for the snapshot its stop uploads (the `count`-th PUT). */
async function stopAndSnapshot(count: number): Promise<Uint8Array> {
  await request('POST', `/agents/${MAYOR}/stop`, {});
  await api.waitFor((r) => r.method === 'PUT' && r.path === SNAPSHOT_PATH && api.matching(SNAPSHOT_PATH, 'PUT').length === count);
  const stored = api.snapshots.get(MAYOR);
  if (stored === undefined) throw new Error('no snapshot stored');
  return stored;
}

describe('the mayor resumes its session from a kilo.db snapshot (real kilo serve)', () => {
  let sessionId = '';

  it(
    'after its home is wiped',
    async () => {
      const first = await startMayor('aaaaaaaa-0000-4000-8000-000000000001');
      sessionId = first.session_id ?? '';
      expect(sessionId).toMatch(/^ses_/);
      const stored = await stopAndSnapshot(1);
      expect(Buffer.from(stored).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\u0000');
      expect(Buffer.from(stored).includes(sessionId)).toBe(true);

      // Home wiped: the start hydrates kilo.db from the snapshot and resumes the session.
      await rm(agentHome(root, MAYOR), { recursive: true, force: true });
      const second = await startMayor('aaaaaaaa-0000-4000-8000-000000000002');
      expect(existsSync(kiloDbFile(agentHome(root, MAYOR)))).toBe(true);
      expect(second.session_id).toBe(sessionId);
      // Both starts asked for the snapshot; only the second found one (the first was fresh).
      expect(api.matching(SNAPSHOT_PATH, 'GET')).toHaveLength(2);
      expect(logLines.filter((l) => l.msg === 'snapshot.uploaded')).toHaveLength(1);
      expect(stub.requests).toHaveLength(0);
    },
    TEST_TIMEOUT_MS,
  );

  // kilo keys projects by the workdir's root commit: a fresh container's mayor workspace must make
  // the same one (fixed dates), or the restored session would not be listed.
  it(
    'after the whole data root is wiped, as a fresh container sees it',
    async () => {
      expect(sessionId).toMatch(/^ses_/);
      await stopAndSnapshot(2);
      await manager.shutdown();
      for (const dir of ['agents', 'mayor']) await rm(join(root, dir), { recursive: true, force: true });
      const third = await startMayor('aaaaaaaa-0000-4000-8000-000000000003');
      expect(third.session_id).toBe(sessionId);
    },
    TEST_TIMEOUT_MS,
  );
});
