/**
 * The process manager (`container.md` §5): agent records, the start sequence under the per-agent
 * mutex (duplicates, superseding, startup abort with nothing leaked), stop, messages, event
 * routing by session id, idle handling, model hot-swap and `/sync-config` restarts. Its state
 * lives in this object, created once in main.ts; the routes and boot hydration call it.
 */
import type {
  AgentView,
  ContainerConfig,
  ModelPatch,
  ModelPatchResult,
  Registry,
  StartAgentRequest,
  StopAgentResult,
  SyncConfigResult,
} from '../../../src/protocol/control.ts';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs-atomic.ts';
import type { KiloEvent } from '../kilo/backend.ts';
import { eventSessionId } from '../kilo/backend.ts';
import { MESSAGE_QUEUE_MAX, isLive, toView } from './agent-record.ts';
import type { AgentRecord } from './agent-record.ts';
import { exitTailsSettled, finishRecord } from './agent-exit.ts';
import { AbortReason, AgentNotFound, NotMayor, NotRunning, QueueFull, StartupAborted } from './errors.ts';
import { syncLiveConfig } from './config-sync.ts';
import { EventRings } from './event-ring.ts';
import type { RingEvent } from './event-ring.ts';
import { armIdleTimer, handleIdle, idleDelay, promptNow } from './idle.ts';
import { learnConfigSecrets } from './live-config.ts';
import { AgentLocks } from './locks.ts';
import type { ManagerDeps, ManagerState } from './manager-context.ts';
import { clearIdleTimer } from './manager-context.ts';
import { buildSwapEnv, swapServer } from './model-swap.ts';
import type { PooledServer, ServerListener } from './server-pool.ts';
import { applyEvent } from './session-events.ts';
import { startLocked } from './start-agent.ts';
import type { StartOutcome } from './start-agent.ts';
import { errorText } from './worker-reports.ts';

export type { StartOutcome } from './start-agent.ts';

/** Counts for `/health` and the memory log. */
export interface ManagerStats {
  agents: number;
  activeAgents: number;
  servers: number;
}

/** The process manager. */
export class ProcessManager implements ManagerState, ServerListener {
  readonly deps: ManagerDeps;
  readonly agents = new Map<string, AgentRecord>();
  readonly sessions = new Map<string, string>();
  readonly rings = new EventRings();
  readonly locks = new AgentLocks();
  #draining = false;
  #tickets = 0;
  /** The newest start asked for per agent: a start that waited behind a newer one gives way. */
  readonly #latestStart = new Map<string, { ticket: number; dispatchId: string }>();
  #mayorReadyAt: string | null = null;
  #onRegistryChange: () => void = () => undefined;

  constructor(deps: ManagerDeps) {
    this.deps = deps;
    deps.pool.setListener(this);
  }

  /** True while the container drains (starts are refused). */
  get draining(): boolean {
    return this.#draining;
  }

  /** `/health.mayor_ready_at`: when a mayor server (prewarmed or started) was last ready. */
  get mayorReadyAt(): string | null {
    return this.#mayorReadyAt;
  }

  /** Notes that a mayor server is ready now (prewarm complete or mayor started). */
  markMayorReady(): void {
    this.#mayorReadyAt = new Date().toISOString();
  }

  /** Wires the registry PUT scheduler (main.ts / tests). */
  onRegistryChange(cb: () => void): void {
    this.#onRegistryChange = cb;
  }

  /** The set of live agents may have changed: schedules the registry PUT. */
  registryChanged(): void {
    this.#onRegistryChange();
  }

  /** Enters or leaves draining: starts are refused and pending non-mayor idle timers re-armed at `drainIdleMs`. */
  setDraining(draining: boolean): void {
    this.#draining = draining;
    if (!draining) return;
    for (const r of this.agents.values()) {
      if (r.role !== 'mayor' && r.idleTimer !== null) armIdleTimer(this, r, this.deps.timings.drainIdleMs);
    }
  }

  /** Record, live-agent and server counts. */
  stats(): ManagerStats {
    const records = [...this.agents.values()];
    return { agents: records.length, activeAgents: records.filter(isLive).length, servers: this.deps.pool.size };
  }

  /** The registry to store: the live config and every live agent with a known workdir. */
  registrySnapshot(): Registry {
    const agents = [...this.agents.values()]
      .filter((r) => isLive(r) && r.workdir !== null)
      .map((r) => ({ agent_id: r.agentId, role: r.role, workdir: r.workdir ?? '', request: { ...r.request, agent_token: r.token } }));
    return { config: this.deps.liveConfig.current, agents };
  }

  /** The agent's view, or null when unknown (never waits). */
  status(agentId: string): AgentView | null {
    const r = this.agents.get(agentId);
    return r === undefined ? null : toView(r);
  }

  /** The agent's ring-buffer events above `after`. */
  events(agentId: string, after?: number): RingEvent[] {
    return this.rings.after(agentId, after);
  }

  // ------------------------------------------------------------------ start

  /** §5.2–5.3. Throws `StartupAborted` (superseded) or `StartFailed`. */
  async start(request: StartAgentRequest): Promise<StartOutcome> {
    const id = request.agent_id;
    this.#tickets += 1;
    const ticket = this.#tickets;
    this.#latestStart.set(id, { ticket, dispatchId: request.dispatch_id });
    const current = this.agents.get(id);
    if (current !== undefined && current.startInFlight && current.dispatchId !== request.dispatch_id) {
      current.startController.abort(new AbortReason('superseded', 'a newer start'));
    }
    try {
      return await this.locks.withAgentLock(id, () => {
        const latest = this.#latestStart.get(id);
        if (latest !== undefined && latest.ticket > ticket && latest.dispatchId !== request.dispatch_id) {
          throw new StartupAborted(id, 'a newer start is waiting');
        }
        return startLocked(this, request, () => this.markMayorReady());
      });
    } finally {
      if (this.#latestStart.get(id)?.ticket === ticket) this.#latestStart.delete(id);
    }
  }

  // ------------------------------------------------------------------ stop, message

  /** §5.4 stop; idempotent. Throws `AgentNotFound`. */
  async stop(agentId: string, reason?: string): Promise<StopAgentResult> {
    return (await this.#end(agentId, reason ?? 'stopped', true)).result;
  }

  /**
   * Drain step 4 (§8): ends a live agent as a stop does (startup aborted, session aborted, server
   * closed, `exited`) but leaves the snapshot to the drain, which takes it after the WIP save.
   * Returns the record it froze; null when the agent is unknown or was no longer live.
   */
  async freeze(agentId: string, reason: string): Promise<AgentRecord | null> {
    if (!this.agents.has(agentId)) return null;
    return (await this.#end(agentId, reason, false)).frozen;
  }

  /** Resolves once the snapshots and completion reports of the exits so far have ended (drain step 5). */
  exitTailsSettled(): Promise<void> {
    return exitTailsSettled(this);
  }

  /** Stop and freeze: abort any startup, then end the live record under the agent mutex. */
  async #end(agentId: string, why: string, snapshot: boolean): Promise<{ result: StopAgentResult; frozen: AgentRecord | null }> {
    const before = this.agents.get(agentId);
    if (before === undefined) throw new AgentNotFound(agentId);
    const abortingStart = before.startInFlight;
    if (abortingStart) before.startController.abort(new AbortReason('stopped', why));
    return this.locks.withAgentLock(agentId, async () => {
      const record = this.agents.get(agentId) ?? before;
      // An aborted start ended the record itself; a second stop is a no-op.
      if (!isLive(record)) return { result: { stopped: abortingStart && record === before, status: record.status }, frozen: null };
      await finishRecord(this, record, { status: 'exited', reason: why, abortSession: true, snapshot });
      return { result: { stopped: true, status: record.status }, frozen: record };
    });
  }

  /** §2 `/message`: prompt now when idle, else queue. Throws `AgentNotFound`, `NotRunning`, `QueueFull`. */
  message(agentId: string, text: string): Promise<{ sent: true; queued: boolean }> {
    if (!this.agents.has(agentId)) return Promise.reject(new AgentNotFound(agentId));
    return this.locks.withAgentLock(agentId, async () => {
      const record = this.agents.get(agentId);
      if (record === undefined) throw new AgentNotFound(agentId);
      if (record.status !== 'running') throw new NotRunning(agentId, record.status);
      if (!record.busy && (await promptNow(this, record, text))) {
        record.messageCount += 1;
        return { sent: true, queued: false };
      }
      if (record.queue.length >= MESSAGE_QUEUE_MAX) throw new QueueFull(agentId, MESSAGE_QUEUE_MAX);
      record.queue.push(text);
      record.messageCount += 1;
      return { sent: true, queued: true };
    });
  }

  /** `PUT /agents/:id/system-prompt` (mayor only): rewrites its `AGENTS.md`. */
  async setSystemPrompt(agentId: string, text: string): Promise<void> {
    const record = this.agents.get(agentId);
    if (record === undefined) throw new AgentNotFound(agentId);
    if (record.role !== 'mayor') throw new NotMayor(agentId);
    const dir = record.workdir ?? (await this.deps.workspaces.mayorWorkspace(new AbortController().signal));
    await writeFileAtomic(join(dir, 'AGENTS.md'), text);
    record.request = { ...record.request, system_prompt: text };
    this.registryChanged();
  }

  // ------------------------------------------------------------------ model, config

  /** §5.5 `PATCH /agents/:id/model`. Throws `AgentNotFound`, `NotRunning`, `ModelSwapFailed`. */
  async patchModel(agentId: string, patch: ModelPatch): Promise<ModelPatchResult> {
    if (patch.config !== undefined) this.applyLiveConfig(patch.config);
    if (!this.agents.has(agentId)) throw new AgentNotFound(agentId);
    return this.locks.withAgentLock(agentId, async () => {
      const record = this.agents.get(agentId);
      if (record === undefined) throw new AgentNotFound(agentId);
      if (record.status !== 'running') throw new NotRunning(agentId, record.status);
      const change = { model: patch.model, smallModel: patch.small_model ?? record.request.small_model };
      const built = await buildSwapEnv(this, record, change);
      if (record.built !== null && built.configContent === record.built.configContent) return { updated: false };
      if (record.busy) {
        record.pendingModel = change;
        return { deferred: true };
      }
      await swapServer(this, record, change, built);
      return { updated: true };
    });
  }

  /** §2 `/sync-config`. */
  async syncConfig(config: ContainerConfig): Promise<SyncConfigResult> {
    return syncLiveConfig(this, config, {
      apply: (c) => this.applyLiveConfig(c),
      restartNow: (record) => void this.#idleWork(record),
    });
  }

  /** Applies a config as the live config (if its version is ≥) and teaches the redactor its secrets. */
  applyLiveConfig(config: ContainerConfig): boolean {
    const { applied } = this.deps.liveConfig.apply(config);
    if (applied) learnConfigSecrets(this.deps.redactor, config);
    return applied;
  }

  /** Stores a dashboard context (`/dashboard-context`). */
  storeDashboardContext(context: string): Promise<void> {
    return this.deps.dashboard.store(context);
  }

  // ------------------------------------------------------------------ events

  /** Routes one server event to the agent whose session it names (pool listener). */
  onEvent(server: PooledServer, event: KiloEvent): void {
    const sessionId = eventSessionId(event) ?? server.liveSessionId;
    if (sessionId === null) return;
    const agentId = this.sessions.get(sessionId);
    const record = agentId === undefined ? undefined : this.agents.get(agentId);
    if (record === undefined || record.server !== server) return;
    const now = new Date().toISOString();
    const effect = applyEvent(record, event, now);
    if (effect === 'none') return;
    this.rings.push(record.agentId, event.type, event.properties, now);
    this.deps.forwarder?.push(record.creds, event.type, event.properties, now);
    if (effect === 'activity' && record.idleTimer !== null) {
      // Activity restarts the idle countdown; a busy session has none.
      if (record.busy) clearIdleTimer(record);
      else armIdleTimer(this, record, record.idleTimerMs ?? idleDelay(this, record));
    }
    if (event.type === 'session.idle') void this.#idleWork(record);
  }

  /** A server's stream ended unexpectedly: its running agent fails with `server exited` (reported). */
  onServerLost(server: PooledServer): void {
    for (const record of this.agents.values()) {
      if (record.server !== server || record.status !== 'running') continue;
      void this.locks.withAgentLock(record.agentId, async () => {
        if (record.server !== server || record.status !== 'running') return;
        record.lastError = 'server exited';
        await finishRecord(this, record, { status: 'failed', reason: 'server exited', abortSession: false, report: { status: 'failed', reason: 'server exited' } });
      });
    }
  }

  /** Idle handling under the agent mutex (also the immediate path of a config restart). */
  #idleWork(record: AgentRecord): Promise<void> {
    return this.locks
      .withAgentLock(record.agentId, () =>
        handleIdle(this, record, {
          swap: async (r) => swapServer(this, r, r.pendingModel, await buildSwapEnv(this, r, r.pendingModel)),
        }),
      )
      .catch((err: unknown) => this.deps.log.warn('agent.idle_handling_failed', { agent_id: record.agentId, error: errorText(err) }));
  }

  /** Closes every agent and server (shutdown). */
  async shutdown(): Promise<void> {
    for (const r of this.agents.values()) clearIdleTimer(r);
    await this.deps.pool.closeAll();
  }
}
