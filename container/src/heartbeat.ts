/**
 * Heartbeats (`container.md` §7): every `heartbeatMs`, one `POST P/heartbeat` per tracked
 * (`starting`/`running`) agent, each with the `workerCallTimeoutMs` timeout and never two in
 * flight for one agent. A 404 means the worker considers the agent gone: `onGone` listeners
 * stop its session. Created in main.ts; the process manager tracks and untracks agents.
 */
import type { Heartbeat } from '../../src/protocol/agent.ts';
import { HeartbeatResult } from '../../src/protocol/agent.ts';
import type { Logger } from './redact.ts';
import type { Timings } from './timings.ts';
import type { AgentCredentials, WorkerClient } from './worker-client.ts';
import { WorkerCallError } from './worker-client.ts';

/** What a heartbeat reports about one agent, read at send time. */
export interface HeartbeatSource extends AgentCredentials {
  lastEventType(): string | null;
  lastEventAt(): string | null;
  activeTools(): string[];
}

/** The heartbeat loop of the process. */
export class Heartbeats {
  readonly #worker: WorkerClient;
  readonly #timings: Timings;
  readonly #log: Logger;
  readonly #instanceId: string;
  readonly #agents = new Map<string, HeartbeatSource>();
  readonly #inFlight = new Set<string>();
  readonly #goneListeners: ((agentId: string) => void)[] = [];
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(worker: WorkerClient, timings: Timings, log: Logger, containerInstanceId: string) {
    this.#worker = worker;
    this.#timings = timings;
    this.#log = log;
    this.#instanceId = containerInstanceId;
  }

  /** Starts (or replaces) heartbeats for `agent`; its first one goes out at the next tick. */
  track(agent: HeartbeatSource): void {
    if (this.#stopped) return;
    this.#agents.set(agent.agentId, agent);
    this.#ensureTimer();
  }

  /** Stops heartbeats for `agentId` (an in-flight one still completes). */
  untrack(agentId: string): void {
    this.#agents.delete(agentId);
    if (this.#agents.size === 0) this.#clearTimer();
  }

  /** Registers a listener told when the worker answers 404 for an agent (it is gone; stop it). */
  onGone(cb: (agentId: string) => void): void {
    this.#goneListeners.push(cb);
  }

  /** The ids currently tracked. */
  tracked(): string[] {
    return [...this.#agents.keys()];
  }

  /** Sends one heartbeat per tracked agent now (those without one in flight); resolves when all are answered. */
  async tick(): Promise<void> {
    await Promise.all([...this.#agents.values()].map((a) => this.#beat(a)));
  }

  /** Ends the loop for good (drain step 6). */
  stop(): void {
    this.#stopped = true;
    this.#agents.clear();
    this.#clearTimer();
  }

  #ensureTimer(): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => void this.tick(), this.#timings.heartbeatMs);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
  }

  async #beat(agent: HeartbeatSource): Promise<void> {
    if (this.#inFlight.has(agent.agentId)) return;
    this.#inFlight.add(agent.agentId);
    const body: Heartbeat = {
      last_event_type: truncate(agent.lastEventType(), 64),
      last_event_at: agent.lastEventAt(),
      active_tools: agent.activeTools().slice(0, 50),
      container_instance_id: this.#instanceId,
    };
    try {
      const data = await this.#worker.agent<unknown>(agent, 'POST', '/heartbeat', body, {
        timeoutMs: this.#timings.workerCallTimeoutMs,
      });
      const parsed = HeartbeatResult.safeParse(data);
      if (!parsed.success) this.#log.warn('heartbeat.bad_reply', { agent_id: agent.agentId });
    } catch (err) {
      if (err instanceof WorkerCallError && err.status === 404) {
        this.#gone(agent);
      } else {
        this.#log.warn('heartbeat.failed', {
          agent_id: agent.agentId,
          status: err instanceof WorkerCallError ? err.status : 0,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    } finally {
      this.#inFlight.delete(agent.agentId);
    }
  }

  #gone(agent: HeartbeatSource): void {
    const agentId = agent.agentId;
    // Only the record still tracked is reported: a 404 after untrack (or for a record since
    // replaced by a new start of the same agent) is old news.
    if (this.#agents.get(agentId) !== agent) return;
    this.untrack(agentId);
    this.#log.warn('heartbeat.agent_gone', { agent_id: agentId });
    for (const cb of this.#goneListeners) {
      try {
        cb(agentId);
      } catch (err) {
        this.#log.error('heartbeat.gone_listener_failed', { agent_id: agentId, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}

function truncate(s: string | null, max: number): string | null {
  return s === null || s.length <= max ? s : s.slice(0, max);
}
