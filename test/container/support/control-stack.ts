/**
 * The control server wired as main.ts wires it, for the container tests that drive it end to end
 * through the control app: a temp data root, the fake worker API, the scripted OpenAI-compatible
 * stub, a captured log, the kilo backend (the REAL `kilo serve` over the installed CLI unless a fake
 * is given) behind a ServerPool, workspaces, the env builder with the installed plugin and the CLI
 * wrappers, the lazy local model, live config, db snapshots, reports, the dashboard store,
 * optionally the event forwarder, and the control app. `dispose()` tears it all down in order; a
 * build that fails half way disposes what it had made before rethrowing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerConfig } from '../../../src/protocol/control.ts';
import { createControlApp } from '../../../container/src/control/app.ts';
import { writeCliWrappers } from '../../../container/src/env/cli-wrappers.ts';
import { EventForwarder } from '../../../container/src/event-forwarder.ts';
import { HydrationGate } from '../../../container/src/hydration/gate.ts';
import { installPaths } from '../../../container/src/install-paths.ts';
import type { KiloBackend } from '../../../container/src/kilo/backend.ts';
import { RealKiloBackend } from '../../../container/src/kilo/real-backend.ts';
import { LazyLocalModel } from '../../../container/src/local-model/lazy.ts';
import type { LocalModelStarter } from '../../../container/src/local-model/lazy.ts';
import { startLocalModel } from '../../../container/src/local-model/server.ts';
import type { LocalModelServer } from '../../../container/src/local-model/server.ts';
import { DashboardContextStore } from '../../../container/src/process/dashboard-context.ts';
import { createDbSnapshots } from '../../../container/src/process/db-snapshots.ts';
import { AgentEnvBuilder } from '../../../container/src/process/env-builder.ts';
import { LiveConfig } from '../../../container/src/process/live-config.ts';
import { ProcessManager } from '../../../container/src/process/process-manager.ts';
import { ServerPool } from '../../../container/src/process/server-pool.ts';
import { WorkerReports } from '../../../container/src/process/worker-reports.ts';
import type { Logger } from '../../../container/src/redact.ts';
import { Redactor } from '../../../container/src/redact.ts';
import { timingsFor } from '../../../container/src/timings.ts';
import type { Timings } from '../../../container/src/timings.ts';
import type { WorkerClient } from '../../../container/src/worker-client.ts';
import { createTempGitWorkspaces } from '../../../container/src/workspaces/workspaces.ts';
import type { Workspaces } from '../../../container/src/workspaces/workspaces.ts';
import { startOpenAiStub } from '../../fakes/openai-stub.ts';
import type { OpenAiStub } from '../../fakes/openai-stub.ts';
import { fakeContainerConfig, startFakeWorkerApi } from '../../fakes/worker-api/index.ts';
import type { FakeWorkerApi } from '../../fakes/worker-api/index.ts';
import { TOWN } from '../fixtures.ts';
import { captureLog, clientFor, controlRequester, type ControlRequest } from '../helpers.ts';
import { SECRET, containerTokenFor } from '../pm-harness.ts';

/** Production timings with room for a slow kilo boot and first call on a loaded machine (the real backend's base). */
const REAL_KILO_TIMINGS: Readonly<Timings> = Object.freeze({ ...timingsFor({}), serverListenTimeoutMs: 90_000, workerCallTimeoutMs: 30_000 });

/** The API key the stub provider is configured with (the stub accepts any). */
const STUB_API_KEY = 'sk-stub-key-0001';

/** What a workspaces factory gets. */
export interface WorkspacesSetup {
  root: string;
  log: Logger;
  redactor: Redactor;
  worker: WorkerClient;
  timings: Timings;
  /** The control server's env as the env builder sees it. */
  baseEnv: Readonly<Record<string, string | undefined>>;
}

/** What differs between the tests. */
export interface ControlStackOptions {
  /** Names the temp data root (`gt-<name>-`) and the container instance id. */
  name: string;
  /** The kilo backend; default: the real `kilo serve` (`RealKiloBackend` over the installed CLI). */
  backend?: KiloBackend;
  /** Overrides over the base timings: `REAL_KILO_TIMINGS` on the real backend, the test profile on a given one. */
  timings?: Partial<Timings>;
  /** agent id → the token the fake worker API accepts for it from the start. */
  agentTokens?: Record<string, string>;
  /** `GASTOWN_LOCAL_MODEL=allow` (default false). */
  localModelAllowed?: boolean;
  /** Starts the local model (default: the real one); every server it returns is recorded in `modelServers`. */
  startLocalModel?: LocalModelStarter;
  /** Wires the event forwarder (session events to P/events) into the manager, as main.ts does. */
  forwardEvents?: boolean;
  /** The workspaces; default: temp git dirs under the root. */
  workspaces?: (setup: WorkspacesSetup) => Workspaces;
}

/** A running stack. */
export interface ControlStack {
  root: string;
  api: FakeWorkerApi;
  /** The scripted OpenAI-compatible stub; `stubConfig()` names it as the provider. */
  stub: OpenAiStub;
  manager: ProcessManager;
  /** Present when `forwardEvents` was set. */
  forwarder: EventForwarder | null;
  localModel: LazyLocalModel;
  /** Every local model server started, in order. */
  modelServers: LocalModelServer[];
  /** The captured log lines, parsed. */
  lines: Record<string, unknown>[];
  /** Calls the control app with the control secret (`body` sent as JSON when given). */
  request: ControlRequest;
  /** A live config whose provider is the OpenAI-compatible stub. */
  stubConfig(): ContainerConfig;
  /** Reports, manager, kilo process groups, forwarder, local model, APIs, then the data root. */
  dispose(): Promise<void>;
}

/** What teardown needs; filled while the stack is built, so a failed build tears down its part. */
interface Parts {
  root?: string;
  stub?: OpenAiStub;
  api?: FakeWorkerApi;
  backend?: KiloBackend;
  reports?: WorkerReports;
  forwarder?: EventForwarder | null;
  localModel?: LazyLocalModel;
  manager?: ProcessManager;
}

async function teardown(parts: Parts): Promise<void> {
  parts.reports?.stop();
  await parts.manager?.shutdown();
  if (parts.backend instanceof RealKiloBackend) parts.backend.killAllSync();
  parts.forwarder?.stop();
  await parts.localModel?.close();
  await parts.api?.stop();
  await parts.stub?.stop();
  if (parts.root !== undefined) await rm(parts.root, { recursive: true, force: true });
}

/** Builds and starts the stack; nothing runs an agent until a test calls `request`. */
export async function startControlStack(opts: ControlStackOptions): Promise<ControlStack> {
  const parts: Parts = {};
  try {
    return await build(opts, parts);
  } catch (err) {
    await teardown(parts);
    throw err;
  }
}

async function build(opts: ControlStackOptions, parts: Parts): Promise<ControlStack> {
  const root = (parts.root = await mkdtemp(join(tmpdir(), `gt-${opts.name}-`)));
  const stub = (parts.stub = await startOpenAiStub());
  const api = (parts.api = await startFakeWorkerApi({ townId: TOWN, ...(opts.agentTokens === undefined ? {} : { agentTokens: opts.agentTokens }) }));
  const redactor = new Redactor();
  const { log, lines } = captureLog(redactor);
  const timingOverrides = opts.backend === undefined ? { ...REAL_KILO_TIMINGS, ...opts.timings } : opts.timings;
  const { client, timings } = clientFor(api, TOWN, { log, timings: timingOverrides, containerToken: containerTokenFor(TOWN) });
  const install = installPaths();
  const binDir = join(root, 'bin');
  await writeCliWrappers(binDir);
  const backend = (parts.backend = opts.backend ?? new RealKiloBackend({ kiloBin: install.kiloBin, timings, log }));
  const reports = (parts.reports = new WorkerReports(client, timings, log));
  const forwarder = (parts.forwarder = opts.forwardEvents === true ? new EventForwarder({ worker: client, timings, log, redactor }) : null);
  const modelServers: LocalModelServer[] = [];
  const start = opts.startLocalModel ?? startLocalModel;
  const localModel = (parts.localModel = new LazyLocalModel({
    log,
    redact: (text) => redactor.redact(text),
    start: async (modelOpts) => {
      const server = await start(modelOpts);
      modelServers.push(server);
      return server;
    },
  }));
  const baseEnv = { PATH: process.env.PATH, LANG: process.env.LANG, TMPDIR: process.env.TMPDIR };
  const manager = (parts.manager = new ProcessManager({
    timings,
    log,
    redactor,
    worker: client,
    pool: new ServerPool(backend, log),
    workspaces: opts.workspaces?.({ root, log, redactor, worker: client, timings, baseEnv }) ?? createTempGitWorkspaces(root, log, { timings, baseEnv }),
    envBuilder: new AgentEnvBuilder({
      paths: { root, pluginFile: install.pluginFile, pluginDepsDir: install.nodeModules, binDir, extraBinDirs: [install.binDir] },
      apiUrl: api.url,
      baseEnv,
      localModelAllowed: opts.localModelAllowed ?? false,
      localModelUrl: () => localModel.url(),
      log,
    }),
    liveConfig: new LiveConfig(),
    dbSnapshots: createDbSnapshots(client, log, { timings }),
    reports,
    dashboard: new DashboardContextStore(root),
    forwarder,
  }));
  const app = createControlApp({
    secret: SECRET,
    manager,
    gate: new HydrationGate(),
    redactor,
    log,
    townId: TOWN,
    containerInstanceId: `instance-${opts.name}`,
    startedAt: Date.now(),
    setContainerToken: () => undefined,
  });
  return {
    root,
    api,
    stub,
    manager,
    forwarder,
    localModel,
    modelServers,
    lines,
    request: controlRequester(app, SECRET),
    stubConfig: () => ({
      ...fakeContainerConfig(TOWN, api.url),
      provider: { kind: 'openai-compatible', id: 'stub', base_url: stub.baseUrl, api_key: STUB_API_KEY },
    }),
    dispose: () => teardown(parts),
  };
}
