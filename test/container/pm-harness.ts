/**
 * A process-manager harness for container tests: a temp data root with real git workspaces, the
 * fake kilo backend, the fake worker API, the manager, registry sync, gate and the Hono control
 * app, wired as main.ts wires them. `request()` calls the app with the control secret.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createControlApp } from '../../container/src/control/app.ts';
import { HydrationGate } from '../../container/src/hydration/gate.ts';
import { bootHydration } from '../../container/src/hydration/boot-hydration.ts';
import type { ResumeStrategy } from '../../container/src/hydration/boot-hydration.ts';
import { DashboardContextStore } from '../../container/src/process/dashboard-context.ts';
import { createDbSnapshots } from '../../container/src/process/db-snapshots.ts';
import { AgentEnvBuilder } from '../../container/src/process/env-builder.ts';
import { LiveConfig } from '../../container/src/process/live-config.ts';
import { ProcessManager } from '../../container/src/process/process-manager.ts';
import { RegistrySync } from '../../container/src/process/registry-sync.ts';
import { ServerPool } from '../../container/src/process/server-pool.ts';
import { WorkerReports } from '../../container/src/process/worker-reports.ts';
import { Redactor } from '../../container/src/redact.ts';
import type { Timings } from '../../container/src/timings.ts';
import { createTempGitWorkspaces } from '../../container/src/workspaces/workspaces.ts';
import type { AgentPaths } from '../../container/src/env/build-agent-env.ts';
import { startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi } from '../fakes/worker-api/index.ts';
import { FakeKiloBackend } from './fakes/fake-backend.ts';
import { TOWN } from './fixtures.ts';
import { captureLog, clientFor, controlRequester, type ControlRequest } from './helpers.ts';

export const SECRET = 'control-secret-for-tests-0001';

/** A fake container token for `townId` (unsigned: the control server never verifies). */
export function containerTokenFor(townId: string, expInSeconds = 8 * 3600): string {
  const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ scope: 'container', townId, exp: Math.floor(Date.now() / 1000) + expInSeconds })}.sig`;
}

export interface Harness {
  root: string;
  paths: AgentPaths;
  api: FakeWorkerApi;
  backend: FakeKiloBackend;
  pool: ServerPool;
  manager: ProcessManager;
  gate: HydrationGate;
  registrySync: RegistrySync;
  envBuilder: AgentEnvBuilder;
  redactor: Redactor;
  timings: Timings;
  lines: Record<string, unknown>[];
  msgs: () => string[];
  containerToken: () => string;
  request: ControlRequest;
  hydrate(resume?: ResumeStrategy): Promise<void>;
  close(): Promise<void>;
}

/** Builds a harness; `timings` override the test profile. */
export async function makeHarness(opts: { timings?: Partial<Timings>; containerToken?: string } = {}): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'gt-pm-'));
  const api = await startFakeWorkerApi({ townId: TOWN });
  const redactor = new Redactor();
  const { log, lines, msgs } = captureLog(redactor);
  const { client, timings, containerToken } = clientFor(api, TOWN, { log, timings: opts.timings, containerToken: opts.containerToken ?? containerTokenFor(TOWN) });
  const backend = new FakeKiloBackend();
  const pool = new ServerPool(backend, log);
  const paths: AgentPaths = { root, pluginFile: join(root, 'plugin', 'index.ts'), pluginDepsDir: join(root, 'node_modules'), binDir: join(root, 'bin') };
  const envBuilder = new AgentEnvBuilder({ paths, apiUrl: api.url, baseEnv: { PATH: process.env.PATH }, localModelAllowed: false, log });
  const reports = new WorkerReports(client, timings, log);
  const manager = new ProcessManager({
    timings,
    log,
    redactor,
    worker: client,
    pool,
    workspaces: createTempGitWorkspaces(root, log, { timings }),
    envBuilder,
    liveConfig: new LiveConfig(),
    dbSnapshots: createDbSnapshots(client, log),
    reports,
    dashboard: new DashboardContextStore(root),
  });
  const registrySync = new RegistrySync(client, timings, log, () => manager.registrySnapshot());
  manager.onRegistryChange(() => registrySync.schedule());
  const gate = new HydrationGate();
  let stored = containerToken();
  const app = createControlApp({
    secret: SECRET,
    manager,
    gate,
    redactor,
    log,
    townId: TOWN,
    containerInstanceId: 'instance-test-1',
    startedAt: Date.now(),
    setContainerToken: (t) => {
      stored = t;
    },
  });
  return {
    root,
    paths,
    api,
    backend,
    pool,
    manager,
    gate,
    registrySync,
    envBuilder,
    redactor,
    timings,
    lines,
    msgs,
    containerToken: () => stored,
    request: controlRequester(app, SECRET),
    hydrate: (resume) =>
      bootHydration({
        gate,
        worker: client,
        manager,
        registrySync,
        timings,
        log,
        containerInstanceId: 'instance-test-1',
        getContainerToken: containerToken,
        ...(resume === undefined ? {} : { resume }),
      }),
    async close() {
      registrySync.stop();
      reports.stop();
      await manager.shutdown();
      await api.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A promise with its resolver, for holding fakes deterministically. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve: (v: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets pending microtasks and I/O callbacks run (never a timed wait). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

/** The `data` of an envelope. */
export async function dataOf<T>(res: Response): Promise<T> {
  const json = (await res.json()) as { data: T };
  return json.data;
}
