/**
 * Control server entry (`container.md` §1–§4): reads the boot env (secret and token move into
 * memory and are deleted from `process.env`), installs the crash handlers, wires the process
 * manager, starts HTTP, then runs boot hydration in the background (skipped without API URL,
 * town id or container token). Exits 1 without a control secret; SIGTERM runs the drain (§8,
 * drain/drain.ts), which exits 0. All state lives in `main()`.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { readBootEnv } from './boot-env.ts';
import type { BootEnv } from './boot-env.ts';
import { createControlApp } from './control/app.ts';
import { installCrashHandlers } from './crash-visibility.ts';
import { Drain } from './drain/drain.ts';
import { writeCliWrappers } from './env/cli-wrappers.ts';
import { EventForwarder } from './event-forwarder.ts';
import { Heartbeats } from './heartbeat.ts';
import { bootHydration } from './hydration/boot-hydration.ts';
import { HydrationGate } from './hydration/gate.ts';
import { installPaths } from './install-paths.ts';
import { RealKiloBackend } from './kilo/real-backend.ts';
import { LazyLocalModel } from './local-model/lazy.ts';
import { DashboardContextStore } from './process/dashboard-context.ts';
import { createDbSnapshots } from './process/db-snapshots.ts';
import { AgentEnvBuilder } from './process/env-builder.ts';
import { LiveConfig } from './process/live-config.ts';
import { ProcessManager } from './process/process-manager.ts';
import { RegistrySync } from './process/registry-sync.ts';
import { ServerPool } from './process/server-pool.ts';
import { WorkerReports } from './process/worker-reports.ts';
import { Redactor, createLogger } from './redact.ts';
import type { Logger } from './redact.ts';
import { timingsFor } from './timings.ts';
import { WorkerClient } from './worker-client.ts';
import { createGitControl } from './workspaces/git-control.ts';
import { GitWorkspaces } from './workspaces/git-workspaces.ts';
import { MergeJobs } from './workspaces/merge-jobs.ts';

async function main(): Promise<void> {
  const boot = readBootEnv();
  const redactor = new Redactor();
  redactor.addSecret(boot.controlSecret);
  redactor.addSecret(boot.containerToken);
  const log = createLogger(redactor);
  if (boot.controlSecret === null) {
    log.error('boot.no_control_secret', {});
    process.exit(1);
  }
  try {
    await run(boot, boot.controlSecret, redactor, log);
  } catch (err) {
    log.error('boot.failed', { error: err });
    process.exit(1);
  }
}

async function run(boot: BootEnv, secret: string, redactor: Redactor, log: Logger): Promise<void> {
  const timings = timingsFor(process.env);
  const holder: { manager: ProcessManager | null } = { manager: null };
  installCrashHandlers({
    log,
    timings,
    townId: boot.townId,
    stats: () => holder.manager?.stats() ?? { agents: 0, activeAgents: 0, servers: 0 },
  });

  const startedAt = Date.now();
  const containerInstanceId = randomUUID();
  const token = { value: boot.containerToken ?? '' };
  const setContainerToken = (t: string): void => {
    redactor.addSecret(t);
    token.value = t;
  };
  const worker =
    boot.apiUrl !== null && boot.townId !== null
      ? new WorkerClient({ apiUrl: boot.apiUrl, townId: boot.townId, getContainerToken: () => token.value, setContainerToken, timings, log, onSecret: (v) => redactor.addSecret(v) })
      : null;

  const install = installPaths();
  const wrappersDir = join(boot.dataRoot, 'bin');
  await writeCliWrappers(wrappersDir);
  const baseEnv: Readonly<Record<string, string | undefined>> = { ...process.env };
  const backend = new RealKiloBackend({ kiloBin: install.kiloBin, timings, log });
  process.on('exit', () => backend.killAllSync());
  const pool = new ServerPool(backend, log);
  const heartbeats = worker === null ? null : new Heartbeats(worker, timings, log, containerInstanceId);
  const forwarder = worker === null ? null : new EventForwarder({ worker, timings, log, redactor });
  // Started on the first start that resolves to it (§10), never at boot.
  const localModel = new LazyLocalModel({ log, redact: (text) => redactor.redact(text) });
  const liveConfig = new LiveConfig();
  const workspaces = new GitWorkspaces({
    root: boot.dataRoot,
    log,
    redactor,
    worker,
    timings,
    baseEnv,
    localAllowed: boot.localModelAllowed,
    isAgentLive: (agentId) => {
      const status = holder.manager?.status(agentId)?.status;
      return status === 'starting' || status === 'running';
    },
    resolveConfig: (config) => {
      holder.manager?.applyLiveConfig(config);
      return liveConfig.current ?? config;
    },
  });
  const manager = new ProcessManager({
    timings,
    log,
    redactor,
    worker,
    pool,
    workspaces,
    onGitAuthChanged: (config) => workspaces.rewriteCredentials(config),
    envBuilder: new AgentEnvBuilder({
      paths: { root: boot.dataRoot, pluginFile: install.pluginFile, pluginDepsDir: install.nodeModules, binDir: wrappersDir, extraBinDirs: [install.binDir] },
      apiUrl: boot.apiUrl,
      baseEnv,
      localModelAllowed: boot.localModelAllowed,
      localModelUrl: () => localModel.url(),
      log,
    }),
    liveConfig,
    dbSnapshots: createDbSnapshots(worker, log, { timings }),
    reports: new WorkerReports(worker, timings, log),
    dashboard: new DashboardContextStore(boot.dataRoot),
    heartbeats,
    forwarder,
  });
  holder.manager = manager;
  const registrySync = new RegistrySync(worker, timings, log, () => manager.registrySnapshot());
  manager.onRegistryChange(() => registrySync.schedule());
  heartbeats?.onGone((agentId) => {
    manager.stop(agentId, 'agent gone').catch((err: unknown) => log.warn('heartbeat.stop_failed', { agent_id: agentId, error: err }));
  });

  const gate = new HydrationGate();
  const git = createGitControl({ workspaces, merges: new MergeJobs({ workspaces, worker, timings, log }), localAllowed: boot.localModelAllowed, log, redactor });
  const app = createControlApp({ secret, manager, gate, redactor, log, townId: boot.townId, containerInstanceId, startedAt, setContainerToken, git });
  const server = serve({ fetch: app.fetch, port: boot.port, hostname: boot.bind }, (info) => {
    log.info('control.listening', { port: info.port, bind: boot.bind, container_instance_id: containerInstanceId });
  });

  // §8: SIGTERM drains; SIGINT in local mode skips to the drain's last step. A repeated signal
  // gets the running drain (never the default kill), and the drain ends the process with 0.
  const drain = new Drain({
    manager,
    worker,
    workspaces,
    dbSnapshots: manager.deps.dbSnapshots,
    reports: manager.deps.reports,
    registrySync,
    liveConfig: () => liveConfig.current,
    heartbeats,
    forwarder,
    timings,
    log,
    containerInstanceId,
    exit: (code) => {
      server.close();
      void manager
        .shutdown()
        .finally(() => localModel.close())
        .finally(() => process.exit(code));
    },
  });
  const onSignal = (signal: 'SIGTERM' | 'SIGINT'): void => {
    log.info('control.shutdown', { signal });
    void drain.run(signal === 'SIGINT' && boot.localModelAllowed ? 'fast' : 'full');
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  if (worker !== null && boot.containerToken !== null) {
    void bootHydration({ gate, worker, manager, registrySync, timings, log, containerInstanceId, getContainerToken: () => token.value });
  } else {
    log.info('hydration.skipped', { reason: 'no API URL, town id or container token' });
    registrySync.enable();
  }
}

void main();
