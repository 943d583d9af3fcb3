/**
 * Reports the process manager sends to the worker (`container.md` §5.2, §5.4, §7):
 * `agent.startup_phase` telemetry on C/events, `P/completed` retried per `completionRetryMs`,
 * `P/waiting` for the mayor. None of them throws: a lost report is logged, never fatal.
 * Telemetry keeps one C/events POST in flight; points arriving meanwhile ride in the next one, so
 * concurrent starts (boot hydration resumes 4 at a time) cost one request per burst, not per phase.
 */
import type { Completed, Waiting } from '../../../src/protocol/agent.ts';
import type { ContainerTelemetryEvent, ContainerTelemetryEvents } from '../../../src/protocol/container.ts';
import type { StartAgentRequest } from '../../../src/protocol/control.ts';
import type { Logger } from '../redact.ts';
import type { Timings } from '../timings.ts';
import type { AgentCredentials, WorkerClient } from '../worker-client.ts';

/** Most points in one C/events POST (the route accepts 1–100). */
export const TELEMETRY_BATCH_MAX = 100;

/** The worker-facing reports; `worker` is null when the process runs without an API URL. */
export class WorkerReports {
  readonly #worker: WorkerClient | null;
  readonly #timings: Timings;
  readonly #log: Logger;
  /** Pending retry timers, cleared by `stop()`. */
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Telemetry points not sent yet. */
  readonly #telemetry: ContainerTelemetryEvent[] = [];
  /** True while a C/events POST is in flight. */
  #telemetrySending = false;

  constructor(worker: WorkerClient | null, timings: Timings, log: Logger) {
    this.#worker = worker;
    this.#timings = timings;
    this.#log = log;
  }

  /** Posts `agent.startup_phase {agent_id, role, label, duration_ms}` (fire and forget, batched). */
  startupPhase(agentId: string, role: StartAgentRequest['role'], label: string, durationMs: number): void {
    this.#log.info('agent.startup_phase', { agent_id: agentId, role, label, duration_ms: durationMs });
    if (this.#worker === null) return;
    this.#telemetry.push({ event: 'agent.startup_phase', agent_id: agentId, role, label, duration_ms: Math.max(0, durationMs), at: new Date().toISOString() });
    this.#sendTelemetry();
  }

  /** Sends the pending points (≤ `TELEMETRY_BATCH_MAX`) unless a POST is in flight; its end sends the rest. */
  #sendTelemetry(): void {
    const worker = this.#worker;
    if (worker === null || this.#telemetrySending || this.#telemetry.length === 0) return;
    const body: ContainerTelemetryEvents = { events: this.#telemetry.splice(0, TELEMETRY_BATCH_MAX) };
    this.#telemetrySending = true;
    worker
      .container('POST', '/events', body)
      .catch((err: unknown) => {
        const agents = [...new Set(body.events.map((e) => e.agent_id))];
        this.#log.warn('telemetry.post_failed', { events: body.events.length, agent_ids: agents, labels: body.events.map((e) => e.label), error: errorText(err) });
      })
      .finally(() => {
        this.#telemetrySending = false;
        this.#sendTelemetry();
      });
  }

  /**
   * `POST P/completed`, retried after each delay of `completionRetryMs`, then left to the
   * worker's stale-heartbeat rule. Resolves once delivered or given up.
   */
  async completed(who: AgentCredentials, body: Completed): Promise<boolean> {
    const worker = this.#worker;
    if (worker === null) return false;
    const delays = [0, ...this.#timings.completionRetryMs];
    for (const [attempt, delay] of delays.entries()) {
      if (delay > 0) await this.#sleep(delay);
      try {
        await worker.agent(who, 'POST', '/completed', body);
        this.#log.info('agent.completion_reported', { agent_id: who.agentId, status: body.status, attempt });
        return true;
      } catch (err) {
        this.#log.warn('agent.completion_failed', { agent_id: who.agentId, attempt, error: errorText(err) });
      }
    }
    return false;
  }

  /** `POST P/waiting {fired_at}` (the mayor's turn ended). */
  async waiting(who: AgentCredentials): Promise<void> {
    if (this.#worker === null) return;
    const body: Waiting = { fired_at: new Date().toISOString() };
    try {
      await this.#worker.agent(who, 'POST', '/waiting', body);
    } catch (err) {
      this.#log.warn('agent.waiting_failed', { agent_id: who.agentId, error: errorText(err) });
    }
  }

  /** Cancels pending retries and drops unsent telemetry (shutdown). */
  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#telemetry.length = 0;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        resolve();
      }, ms);
      this.#timers.add(t);
    });
  }
}

/** The message of any thrown value. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
