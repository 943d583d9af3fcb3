/**
 * Hydration bench (`container.md` §3–§5, seed 000): how long a fresh `/agents/start` takes while
 * boot hydration resumes 20 registry agents, with a fake `kilo serve` whose start takes a
 * realistic delay. (a) this design: the gate releases after hydration, resumes run 4 at a time
 * under per-workdir locks; (b) the old shape: a strictly sequential resume under one global lock.
 * Prints nothing; `bench/run.ts` formats the figures.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerConfig, Registry, StartAgentRequest } from '../src/protocol/control.ts';
import { CONTROL_SECRET_HEADER } from '../src/protocol/control.ts';
import { createControlApp } from '../container/src/control/app.ts';
import { bootHydration, boundedResume } from '../container/src/hydration/boot-hydration.ts';
import type { ResumeStrategy } from '../container/src/hydration/boot-hydration.ts';
import { HydrationGate } from '../container/src/hydration/gate.ts';
import { DashboardContextStore } from '../container/src/process/dashboard-context.ts';
import { createDbSnapshots } from '../container/src/process/db-snapshots.ts';
import { AgentEnvBuilder } from '../container/src/process/env-builder.ts';
import { LiveConfig } from '../container/src/process/live-config.ts';
import { KeyedLock } from '../container/src/process/locks.ts';
import { ProcessManager } from '../container/src/process/process-manager.ts';
import { RegistrySync } from '../container/src/process/registry-sync.ts';
import { ServerPool } from '../container/src/process/server-pool.ts';
import { WorkerReports } from '../container/src/process/worker-reports.ts';
import { Redactor, createLogger } from '../container/src/redact.ts';
import { timingsFor } from '../container/src/timings.ts';
import { WorkerClient } from '../container/src/worker-client.ts';
import type { Workspaces } from '../container/src/workspaces/workspaces.ts';
import { startFakeWorkerApi } from '../test/fakes/worker-api/index.ts';
import { FakeKiloBackend } from '../test/container/fakes/fake-backend.ts';

/** The figures of this bench. */
export interface HydrationBenchResult {
  hydration_start_ms: number;
  hydration_start_sequential_ms: number;
  hydration_start_ratio: number;
}

const TOWN = '11111111-1111-4111-8111-111111111111';
const RIG = '22222222-2222-4222-8222-222222222222';
const SECRET = 'bench-control-secret-0001';

/** Workdirs as plain dirs: the bench measures the gate and locks, not git. */
function plainWorkspaces(root: string): Workspaces {
  const dir = async (...parts: string[]): Promise<string> => {
    const d = join(root, ...parts);
    await mkdir(d, { recursive: true });
    return d;
  };
  return {
    prepare: async (req) => ({ workdir: req.role === 'mayor' ? await dir('mayor', 'workspace') : await dir('rigs', req.rig_id, 'worktrees', req.agent_id) }),
    mayorWorkspace: () => dir('mayor', 'workspace'),
    saveWip: async () => null,
    setupRepo: async () => undefined,
    merge: async (body) => ({ request_id: body.request_id, status: 'failed', message: 'the bench workspaces do not merge' }),
  };
}

function request(config: ContainerConfig, role: 'mayor' | 'polecat'): StartAgentRequest {
  const id = randomUUID();
  return {
    dispatch_id: randomUUID(),
    agent_id: id,
    town_id: TOWN,
    rig_id: role === 'mayor' ? TOWN : RIG,
    role,
    name: role === 'mayor' ? 'Mayor' : `P-${id.slice(0, 4)}`,
    ...(role === 'mayor' ? {} : { prompt: 'work', rig: { git_url: 'https://github.com/acme/app.git', default_branch: 'main', branch: `gt/p/${id.slice(0, 8)}` } }),
    model: 'anthropic/claude-sonnet-4.6',
    small_model: 'anthropic/claude-haiku-4.5',
    agent_token: `stored-token-${id}`,
    config,
  };
}

/** One run: ms from boot until a fresh start answers, while `agents` registry agents resume. */
async function runOnce(resume: ResumeStrategy, agents: number, startDelayMs: number): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), 'gt-bench-'));
  const api = await startFakeWorkerApi({ townId: TOWN });
  const redactor = new Redactor();
  const log = createLogger(redactor, () => undefined);
  const timings = timingsFor({ GASTOWN_TIMING: 'test' });
  let token = 'container-token';
  const worker = new WorkerClient({ apiUrl: api.url, townId: TOWN, getContainerToken: () => token, setContainerToken: (t) => (token = t), timings, log });
  const backend = new FakeKiloBackend();
  backend.startDelayMs = startDelayMs;
  const reports = new WorkerReports(worker, timings, log);
  const manager = new ProcessManager({
    timings,
    log,
    redactor,
    worker,
    pool: new ServerPool(backend, log),
    workspaces: plainWorkspaces(root),
    envBuilder: new AgentEnvBuilder({
      paths: { root, pluginFile: join(root, 'plugin.ts'), pluginDepsDir: join(root, 'node_modules'), binDir: join(root, 'bin') },
      apiUrl: api.url,
      baseEnv: {},
      localModelAllowed: false,
      log,
    }),
    liveConfig: new LiveConfig(),
    dbSnapshots: createDbSnapshots(worker, log),
    reports,
    dashboard: new DashboardContextStore(root),
  });
  const registrySync = new RegistrySync(worker, timings, log, () => manager.registrySnapshot());
  manager.onRegistryChange(() => registrySync.schedule());
  const config: ContainerConfig = { version: 1, town_id: TOWN, api_url: api.url, provider: { kind: 'kilo', token: 'kilo-bench-token-0001' }, git_auth: {}, disable_ai_coauthor: false, env_vars: {} };
  const stored = [request(config, 'mayor'), ...Array.from({ length: agents - 1 }, () => request(config, 'polecat'))];
  const registry: Registry = { config, agents: stored.map((r) => ({ agent_id: r.agent_id, role: r.role, workdir: root, request: r })) };
  api.registry.set(registry as unknown as Record<string, unknown>);
  const gate = new HydrationGate();
  const app = createControlApp({ secret: SECRET, manager, gate, redactor, log, townId: TOWN, containerInstanceId: 'bench', startedAt: Date.now(), setContainerToken: (t) => (token = t) });
  try {
    const started = performance.now();
    const hydration = bootHydration({ gate, worker, manager, registrySync, timings, log, containerInstanceId: 'bench', getContainerToken: () => token, resume });
    const res = await app.request('/agents/start', {
      method: 'POST',
      headers: { [CONTROL_SECRET_HEADER]: SECRET, 'content-type': 'application/json' },
      body: JSON.stringify(request(config, 'polecat')),
    });
    const elapsed = performance.now() - started;
    if (res.status !== 201) throw new Error(`bench start answered ${res.status}`);
    await hydration;
    return elapsed;
  } finally {
    registrySync.stop();
    reports.stop();
    await manager.shutdown();
    await api.stop();
    await rm(root, { recursive: true, force: true });
  }
}

/** (b): every resume one after another, each holding one global lock. */
function sequentialUnderGlobalLock(): ResumeStrategy {
  const lock = new KeyedLock();
  return async (agents, resumeOne) => {
    for (const a of agents) await lock.run('global', () => resumeOne(a));
  };
}

/** Times a fresh start during hydration of `agents` registry agents, both designs. */
export async function benchHydration(agents = 20, startDelayMs = 300): Promise<HydrationBenchResult> {
  // One untimed pass of each design first (module loading, the first fetch, JIT): otherwise the
  // design timed first pays the process's first-use costs and the other does not.
  await runOnce(boundedResume(), agents, 0);
  await runOnce(sequentialUnderGlobalLock(), agents, 0);
  const current = await runOnce(boundedResume(), agents, startDelayMs);
  const sequential = await runOnce(sequentialUnderGlobalLock(), agents, startDelayMs);
  return {
    hydration_start_ms: current,
    hydration_start_sequential_ms: sequential,
    // This design over the sequential baseline: below 1 is faster (goal < 0.35).
    hydration_start_ratio: current / sequential,
  };
}
