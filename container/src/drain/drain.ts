/**
 * The drain on SIGTERM (`container.md` §8), in order:
 * 1. `draining = true` (starts → 503), `POST C/eviction {container_instance_id}`;
 * 2. pending rig-agent idle timers re-armed at `drainIdleMs` (later idles too, no nudge fetches);
 * 3. wait ≤ `drainWaitMs` (polls of `drainPollMs`) for rig agents to exit by themselves;
 * 4. freeze the rest, mayor included (timers cleared, session aborted, server closed, `exited`);
 * 5. per frozen agent: its WIP saved and pushed (`saveWip`) → `P/eviction-context`; snapshot;
 *    rig agents report `P/completed {completed, container_eviction}`;
 * 6. registry PUT (empty) last, heartbeats stopped, events flushed (≤ `drainFlushMs`), exit 0.
 * The `fast` mode (SIGINT in local mode) runs step 6 only. Never throws: each step logs its failure
 * and the drain goes on; a second signal gets the running drain.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EvictionContext } from '../../../src/protocol/agent.ts';
import type { ContainerEviction } from '../../../src/protocol/container.ts';
import type { ContainerConfig, StartAgentRequest } from '../../../src/protocol/control.ts';
import type { EventForwarder } from '../event-forwarder.ts';
import type { Heartbeats } from '../heartbeat.ts';
import type { AgentRecord } from '../process/agent-record.ts';
import { isLive } from '../process/agent-record.ts';
import type { DbSnapshots } from '../process/db-snapshots.ts';
import type { RegistrySync } from '../process/registry-sync.ts';
import type { WorkerReports } from '../process/worker-reports.ts';
import { errorText } from '../process/worker-reports.ts';
import type { Logger } from '../redact.ts';
import type { Timings } from '../timings.ts';
import type { WorkerClient } from '../worker-client.ts';

/** The exit reason of frozen agents and the `P/completed` reason of frozen rig agents. */
export const EVICTION_REASON = 'container_eviction';

/** What the drain needs of the process manager (`ProcessManager` provides it). */
export interface DrainManager {
  readonly agents: ReadonlyMap<string, AgentRecord>;
  setDraining(draining: boolean): void;
  freeze(agentId: string, reason: string): Promise<AgentRecord | null>;
  exitTailsSettled(): Promise<void>;
}

/** The workspaces' WIP save (`container.md` §8 step 5): what was pushed, or null when nothing was. */
export interface WipSaver {
  saveWip(request: StartAgentRequest, workdir: string, signal: AbortSignal): Promise<{ branch: string; commit_sha: string } | null>;
}

/** Collaborators of the drain, wired by main.ts. */
export interface DrainDeps {
  manager: DrainManager;
  /** Null without an API URL: nothing is posted. */
  worker: WorkerClient | null;
  workspaces: WipSaver;
  dbSnapshots: Pick<DbSnapshots, 'snapshot'>;
  reports: Pick<WorkerReports, 'completed'>;
  registrySync: Pick<RegistrySync, 'flush' | 'stop'>;
  /** The live config, kept in the emptied registry. */
  liveConfig(): ContainerConfig | null;
  heartbeats: Pick<Heartbeats, 'stop'> | null;
  forwarder: Pick<EventForwarder, 'flushAll' | 'stop'> | null;
  timings: Timings;
  log: Logger;
  containerInstanceId: string;
  /** Ends the process (main.ts: close HTTP, `process.exit`). */
  exit(code: number): void;
}

/** `full`: the six steps (SIGTERM); `fast`: step 6 only (SIGINT in local mode). */
export type DrainMode = 'full' | 'fast';

/** The drain of this process; `run` starts it once. */
export class Drain {
  readonly #deps: DrainDeps;
  #running: Promise<void> | null = null;

  constructor(deps: DrainDeps) {
    this.#deps = deps;
  }

  /** Runs the drain (a second call returns the running one); ends with `exit(0)`; never rejects. */
  run(mode: DrainMode): Promise<void> {
    if (this.#running !== null) {
      this.#deps.log.info('drain.already_running', { mode });
      return this.#running;
    }
    this.#running = this.#drain(mode);
    return this.#running;
  }

  async #drain(mode: DrainMode): Promise<void> {
    const { log } = this.#deps;
    const startedAt = performance.now();
    log.info('drain.started', { mode, agents: this.#live(() => true).length });
    try {
      this.#deps.manager.setDraining(true);
      if (mode === 'full') {
        await this.#step('eviction', () => this.#postEviction());
        await this.#step('wait', () => this.#waitForRigAgents());
        const frozen = await this.#step('freeze', () => this.#freezeAll(), []);
        await this.#step('save', () => this.#saveAll(frozen));
      }
      await this.#step('registry', () => this.#emptyRegistry());
      await this.#step('heartbeats', async () => this.#deps.heartbeats?.stop());
      await this.#step('events', () => this.#flushEvents());
    } catch (err) {
      log.error('drain.failed', { error: errorText(err) });
    }
    log.info('drain.finished', { mode, duration_ms: Math.round(performance.now() - startedAt) });
    this.#deps.exit(0);
  }

  /** Runs one step; a failure is logged and yields `fallback`. */
  async #step<T>(name: string, fn: () => Promise<T>, fallback?: T): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.#deps.log.warn('drain.step_failed', { step: name, error: errorText(err) });
      return fallback;
    }
  }

  /** Live records matching `pred`. */
  #live(pred: (r: AgentRecord) => boolean): AgentRecord[] {
    return [...this.#deps.manager.agents.values()].filter((r) => isLive(r) && pred(r));
  }

  /** Step 1: `POST C/eviction` (the worker starts its drain bookkeeping). */
  async #postEviction(): Promise<void> {
    const worker = this.#deps.worker;
    if (worker === null) return;
    const body: ContainerEviction = { container_instance_id: this.#deps.containerInstanceId };
    await worker.container('POST', '/eviction', body, { timeoutMs: this.#deps.timings.workerCallTimeoutMs });
    this.#deps.log.info('drain.eviction_posted', {});
  }

  /** Step 3: polls until no rig agent is live, or the wait is over. */
  async #waitForRigAgents(): Promise<void> {
    const { timings, log } = this.#deps;
    const deadline = performance.now() + timings.drainWaitMs;
    let waiting = this.#live((r) => r.role !== 'mayor');
    if (waiting.length > 0) log.info('drain.waiting', { agents: waiting.map((r) => r.agentId) });
    while (waiting.length > 0) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      await sleep(Math.min(timings.drainPollMs, left));
      waiting = this.#live((r) => r.role !== 'mayor');
    }
    log.info('drain.wait_ended', { remaining: waiting.map((r) => r.agentId) });
  }

  /** Step 4: freezes every live agent, mayor included. */
  async #freezeAll(): Promise<AgentRecord[]> {
    const { manager, log } = this.#deps;
    const ids = this.#live(() => true).map((r) => r.agentId);
    const frozen = await Promise.all(
      ids.map((id) =>
        manager.freeze(id, EVICTION_REASON).catch((err: unknown) => {
          log.warn('drain.freeze_failed', { agent_id: id, error: errorText(err) });
          return null;
        }),
      ),
    );
    return frozen.filter((r): r is AgentRecord => r !== null);
  }

  /** Step 5 for every frozen agent (in parallel), and the tails of agents that exited by themselves. */
  async #saveAll(frozen: readonly AgentRecord[] | undefined): Promise<void> {
    await Promise.all([...(frozen ?? []).map((r) => this.#saveOne(r)), this.#deps.manager.exitTailsSettled()]);
  }

  /** Step 5 for one agent: WIP → eviction context, snapshot, completion (rig agents). Never throws. */
  async #saveOne(record: AgentRecord): Promise<void> {
    const { worker, workspaces, dbSnapshots, reports, timings, log } = this.#deps;
    const agentId = record.agentId;
    const workdir = record.workdir;
    if (record.request.rig !== undefined && workdir !== null) {
      try {
        const wip = await workspaces.saveWip(record.request, workdir, AbortSignal.timeout(timings.wipSaveTimeoutMs));
        if (wip !== null) {
          log.info('drain.wip_saved', { agent_id: agentId, branch: wip.branch, commit_sha: wip.commit_sha });
          const body: EvictionContext = { branch: wip.branch, commit_sha: wip.commit_sha };
          if (worker !== null) await worker.agent(record.creds, 'POST', '/eviction-context', body);
        }
      } catch (err) {
        log.warn('drain.wip_failed', { agent_id: agentId, error: errorText(err) });
      }
    }
    const home = record.built?.home;
    if (home !== undefined) await dbSnapshots.snapshot({ creds: record.creds, home });
    if (record.role !== 'mayor') await reports.completed(record.creds, { status: 'completed', reason: EVICTION_REASON });
  }

  /** Step 6a: the empty registry, so no later boot resumes these agents; then no more PUTs. */
  async #emptyRegistry(): Promise<void> {
    const { registrySync } = this.#deps;
    try {
      await registrySync.flush({ config: this.#deps.liveConfig(), agents: [] });
    } finally {
      registrySync.stop();
    }
  }

  /** Step 6c: flushes queued events for at most `drainFlushMs`, then stops the forwarder. */
  async #flushEvents(): Promise<void> {
    const forwarder = this.#deps.forwarder;
    if (forwarder === null) return;
    const bound = new AbortController();
    try {
      const flushed = forwarder.flushAll().then(() => true);
      const timedOut = sleep(this.#deps.timings.drainFlushMs, false, { signal: bound.signal }).catch(() => false);
      if (!(await Promise.race([flushed, timedOut]))) this.#deps.log.warn('drain.events_flush_timeout', {});
    } finally {
      bound.abort();
      forwarder.stop();
    }
  }
}
