/**
 * Lazy start of the local model through the process manager (`container.md` §1, §10), wired as
 * main.ts wires it: a start whose live config has `provider: null` with `GASTOWN_LOCAL_MODEL=allow`
 * starts the model once (two starts → one server) and points kilo's `local` provider at it; a start
 * with a configured provider never starts it; a model that cannot start fails the start with
 * `no_provider_key` and the next start tries again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_SECRET_HEADER } from '../../src/protocol/control.ts';
import type { StartAgentRequest } from '../../src/protocol/control.ts';
import { createControlApp } from '../../container/src/control/app.ts';
import { HydrationGate } from '../../container/src/hydration/gate.ts';
import { LazyLocalModel } from '../../container/src/local-model/lazy.ts';
import type { LocalModelServer } from '../../container/src/local-model/server.ts';
import { startLocalModel } from '../../container/src/local-model/server.ts';
import { DashboardContextStore } from '../../container/src/process/dashboard-context.ts';
import { createDbSnapshots } from '../../container/src/process/db-snapshots.ts';
import { AgentEnvBuilder } from '../../container/src/process/env-builder.ts';
import { LiveConfig } from '../../container/src/process/live-config.ts';
import { ProcessManager } from '../../container/src/process/process-manager.ts';
import { ServerPool } from '../../container/src/process/server-pool.ts';
import { WorkerReports } from '../../container/src/process/worker-reports.ts';
import { Redactor } from '../../container/src/redact.ts';
import { createTempGitWorkspaces } from '../../container/src/workspaces/workspaces.ts';
import { startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi } from '../fakes/worker-api/index.ts';
import { FakeKiloBackend } from './fakes/fake-backend.ts';
import { TOWN, liveConfig, mayorRequest, polecatRequest } from './fixtures.ts';
import { captureLog, clientFor } from './helpers.ts';
import { SECRET, containerTokenFor } from './pm-harness.ts';

let root: string;
let api: FakeWorkerApi;
let backend: FakeKiloBackend;
let manager: ProcessManager;
let reports: WorkerReports;
let localModel: LazyLocalModel;
let started: LocalModelServer[];
let failStarts: number;
let request: (body: StartAgentRequest) => Promise<Response>;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'gt-lm-lazy-'));
  api = await startFakeWorkerApi({ townId: TOWN });
  const redactor = new Redactor();
  const { log } = captureLog(redactor);
  const { client, timings } = clientFor(api, TOWN, { log, containerToken: containerTokenFor(TOWN) });
  started = [];
  failStarts = 0;
  localModel = new LazyLocalModel({
    log,
    start: async (opts) => {
      if (failStarts > 0) {
        failStarts -= 1;
        throw new Error('no port for you');
      }
      const server = await startLocalModel(opts);
      started.push(server);
      return server;
    },
  });
  backend = new FakeKiloBackend();
  reports = new WorkerReports(client, timings, log);
  manager = new ProcessManager({
    timings,
    log,
    redactor,
    worker: client,
    pool: new ServerPool(backend, log),
    workspaces: createTempGitWorkspaces(root, log, { timings }),
    envBuilder: new AgentEnvBuilder({
      paths: { root, pluginFile: join(root, 'plugin', 'index.ts'), pluginDepsDir: join(root, 'node_modules'), binDir: join(root, 'bin') },
      apiUrl: api.url,
      baseEnv: { PATH: process.env.PATH },
      localModelAllowed: true,
      localModelUrl: () => localModel.url(),
      log,
    }),
    liveConfig: new LiveConfig(),
    dbSnapshots: createDbSnapshots(client, log),
    reports,
    dashboard: new DashboardContextStore(root),
  });
  const app = createControlApp({ secret: SECRET, manager, gate: new HydrationGate(), redactor, log, townId: TOWN, containerInstanceId: 'instance-lm', startedAt: Date.now(), setContainerToken: () => undefined });
  request = async (body) =>
    await app.request('/agents/start', { method: 'POST', headers: { 'content-type': 'application/json', [CONTROL_SECRET_HEADER]: SECRET }, body: JSON.stringify(body) });
});

afterEach(async () => {
  reports.stop();
  await manager.shutdown();
  await localModel.close();
  await api.stop();
  await rm(root, { recursive: true, force: true });
});

const noProvider = liveConfig({ provider: null });

/** The kilo config a fake server was spawned with. */
function kiloConfigOf(index: number): { model: string; small_model: string; provider: Record<string, { options: { baseURL: string; apiKey: string } }> } {
  const content = backend.servers[index]?.env.KILO_CONFIG_CONTENT;
  if (content === undefined) throw new Error(`no server ${index}`);
  return JSON.parse(content) as ReturnType<typeof kiloConfigOf>;
}

describe('lazy local model', () => {
  it('is not started at construction, then once for two starts that resolve to it', async () => {
    expect(localModel.started).toBe(false);
    const [polecat, mayor] = await Promise.all([request(polecatRequest({ config: noProvider })), request(mayorRequest({ config: noProvider }))]);
    expect(polecat.status).toBe(201);
    expect(mayor.status).toBe(201);
    expect(started).toHaveLength(1);
    const baseUrl = started[0]?.baseUrl;
    expect(backend.servers).toHaveLength(2);
    const configs = [kiloConfigOf(0), kiloConfigOf(1)];
    expect(configs.map((c) => c.provider.local?.options)).toEqual([
      { baseURL: baseUrl, apiKey: 'local' },
      { baseURL: baseUrl, apiKey: 'local' },
    ]);
    expect(configs.map((c) => c.model).sort()).toEqual(['local/mayor', 'local/polecat']);
    expect(configs.every((c) => c.small_model === 'local/title')).toBe(true);
    // The model kilo was pointed at answers.
    expect((await fetch(`${baseUrl}/models`)).status).toBe(200);
  });

  it('is never started for a start with a configured provider', async () => {
    expect((await request(polecatRequest({ config: liveConfig() }))).status).toBe(201);
    expect(started).toHaveLength(0);
    expect(localModel.started).toBe(false);
    expect(kiloConfigOf(0).model).toBe('kilo/anthropic/claude-sonnet-4.6');
  });

  it('fails the start with no_provider_key when the model cannot start, and the next start retries', async () => {
    failStarts = 1;
    const failed = await request(polecatRequest({ config: noProvider }));
    expect(failed.status).toBe(500);
    const body = (await failed.json()) as { error: { message: string; details: { phase: string; error_type: string } } };
    expect(body.error.details).toMatchObject({ phase: 'sdk_ready', error_type: 'no_provider_key' });
    expect(body.error.message).toContain('the local model failed to start: no port for you');
    expect(backend.startsBegun).toBe(0);

    const retried = await request(polecatRequest({ config: noProvider, dispatch_id: '66666666-6666-4666-8666-666666666666' }));
    expect(retried.status).toBe(201);
    expect(started).toHaveLength(1);
  });
});
