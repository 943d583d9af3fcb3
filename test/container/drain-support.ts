/**
 * A drain stack for container tests: the process manager as main.ts wires it (fake kilo backend,
 * fake worker API, registry sync, event forwarder, heartbeats, control app) with injectable
 * workspaces (temp git dirs, or real `GitWorkspaces` over a bare origin), plus the `Drain` whose
 * `exit` is recorded instead of ending the test process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createControlApp } from '../../container/src/control/app.ts';
import { Drain } from '../../container/src/drain/drain.ts';
import type { DrainDeps } from '../../container/src/drain/drain.ts';
import { EventForwarder } from '../../container/src/event-forwarder.ts';
import { Heartbeats } from '../../container/src/heartbeat.ts';
import { HydrationGate } from '../../container/src/hydration/gate.ts';
import { DashboardContextStore } from '../../container/src/process/dashboard-context.ts';
import { createDbSnapshots } from '../../container/src/process/db-snapshots.ts';
import { AgentEnvBuilder } from '../../container/src/process/env-builder.ts';
import { LiveConfig } from '../../container/src/process/live-config.ts';
import { ProcessManager } from '../../container/src/process/process-manager.ts';
import { RegistrySync } from '../../container/src/process/registry-sync.ts';
import { ServerPool } from '../../container/src/process/server-pool.ts';
import { WorkerReports } from '../../container/src/process/worker-reports.ts';
import type { Logger } from '../../container/src/redact.ts';
import { Redactor } from '../../container/src/redact.ts';
import type { Timings } from '../../container/src/timings.ts';
import type { WorkerClient } from '../../container/src/worker-client.ts';
import { createTempGitWorkspaces } from '../../container/src/workspaces/workspaces.ts';
import type { Workspaces } from '../../container/src/workspaces/workspaces.ts';
import { startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi, RecordedRequest } from '../fakes/worker-api/index.ts';
import { FakeKiloBackend } from './fakes/fake-backend.ts';
import { TOWN } from './fixtures.ts';
import { captureLog, clientFor, controlRequester, type ControlRequest } from './helpers.ts';
import { SECRET, containerTokenFor } from './pm-harness.ts';

/** What the workspaces factory gets. */
export interface WorkspacesSetup {
  root: string;
  log: Logger;
  redactor: Redactor;
  worker: WorkerClient;
  timings: Timings;
  isAgentLive(agentId: string): boolean;
}

export interface DrainStack {
  root: string;
  api: FakeWorkerApi;
  backend: FakeKiloBackend;
  manager: ProcessManager;
  registrySync: RegistrySync;
  drain: Drain;
  /** The codes `exit` was called with. */
  exits: number[];
  lines: Record<string, unknown>[];
  msgs(): string[];
  timings: Timings;
  request: ControlRequest;
  /** Index of the first recorded request matching `pred` (-1 when none). */
  indexOf(pred: (r: RecordedRequest) => boolean): number;
  close(): Promise<void>;
}

/** Builds the stack; `timings` override the test profile, `workspaces` the temp git dirs. */
export async function makeDrainStack(
  opts: { timings?: Partial<Timings>; workspaces?: (setup: WorkspacesSetup) => Workspaces; drain?: Partial<DrainDeps> } = {},
): Promise<DrainStack> {
  const root = await mkdtemp(join(tmpdir(), 'gt-drain-'));
  const api = await startFakeWorkerApi({ townId: TOWN });
  const redactor = new Redactor();
  const { log, lines, msgs } = captureLog(redactor);
  const { client, timings } = clientFor(api, TOWN, { log, timings: opts.timings, containerToken: containerTokenFor(TOWN) });
  const backend = new FakeKiloBackend();
  const pool = new ServerPool(backend, log);
  const paths = { root, pluginFile: join(root, 'plugin', 'index.ts'), pluginDepsDir: join(root, 'node_modules'), binDir: join(root, 'bin') };
  const reports = new WorkerReports(client, timings, log);
  const heartbeats = new Heartbeats(client, timings, log, 'instance-drain-1');
  const forwarder = new EventForwarder({ worker: client, timings, log, redactor });
  const holder: { manager: ProcessManager | null } = { manager: null };
  const isAgentLive = (agentId: string): boolean => {
    const status = holder.manager?.agents.get(agentId)?.status;
    return status === 'starting' || status === 'running';
  };
  const workspaces = opts.workspaces?.({ root, log, redactor, worker: client, timings, isAgentLive }) ?? createTempGitWorkspaces(root, log, { timings });
  const manager = new ProcessManager({
    timings,
    log,
    redactor,
    worker: client,
    pool,
    workspaces,
    envBuilder: new AgentEnvBuilder({ paths, apiUrl: api.url, baseEnv: { PATH: process.env.PATH }, localModelAllowed: false, log }),
    liveConfig: new LiveConfig(),
    dbSnapshots: createDbSnapshots(client, log, { timings }),
    reports,
    dashboard: new DashboardContextStore(root),
    heartbeats,
    forwarder,
  });
  holder.manager = manager;
  const registrySync = new RegistrySync(client, timings, log, () => manager.registrySnapshot());
  manager.onRegistryChange(() => registrySync.schedule());
  registrySync.enable();
  const app = createControlApp({
    secret: SECRET,
    manager,
    gate: new HydrationGate(),
    redactor,
    log,
    townId: TOWN,
    containerInstanceId: 'instance-drain-1',
    startedAt: Date.now(),
    setContainerToken: () => undefined,
  });
  const exits: number[] = [];
  const drain = new Drain({
    manager,
    worker: client,
    workspaces,
    dbSnapshots: manager.deps.dbSnapshots,
    reports,
    registrySync,
    liveConfig: () => manager.deps.liveConfig.current,
    heartbeats,
    forwarder,
    timings,
    log,
    containerInstanceId: 'instance-drain-1',
    exit: (code) => void exits.push(code),
    ...opts.drain,
  });
  return {
    root,
    api,
    backend,
    manager,
    registrySync,
    drain,
    exits,
    lines,
    msgs,
    timings,
    request: controlRequester(app, SECRET),
    indexOf: (pred) => api.requests.findIndex(pred),
    async close() {
      registrySync.stop();
      reports.stop();
      heartbeats.stop();
      forwarder.stop();
      await manager.shutdown();
      await api.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Stops the fake worker API now (the worker becomes unreachable); `close()` will not stop it again. */
export async function makeWorkerUnreachable(stack: DrainStack): Promise<void> {
  await stack.api.stop();
  stack.api.stop = () => Promise.resolve();
}
