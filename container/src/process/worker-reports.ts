/**
 * Reports the process manager sends to the worker (`container.md` §5.2, §5.4, §7):
 * `agent.startup_phase` telemetry on C/events, `P/completed` retried per `completionRetryMs`,
 * `P/waiting` for the mayor. None of them throws: a lost report is logged, never fatal.
 */
import type { Completed, Waiting } from '../../../src/protocol/agent.ts';
import type { ContainerTelemetryEvents } from '../../../src/protocol/container.ts';
import type { StartAgentRequest } from '../../../src/protocol/control.ts';
import type { Logger } from '../redact.ts';
import type { Timings } from '../timings.ts';
import type { AgentCredentials, WorkerClient } from '../worker-client.ts';

/** The worker-facing reports; `worker` is null when the process runs without an API URL. */
export class WorkerReports {
  readonly #worker: WorkerClient | null;
  readonly #timings: Timings;
  readonly #log: Logger;
  /** Pending retry timers, cleared by `stop()`. */
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(worker: WorkerClient | null, timings: Timings, log: Logger) {
    this.#worker = worker;
    this.#timings = timings;
    this.#log = log;
  }

  /** Posts `agent.startup_phase {agent_id, role, label, duration_ms}` (fire and forget). */
  startupPhase(agentId: string, role: StartAgentRequest['role'], label: string, durationMs: number): void {
    this.#log.info('agent.startup_phase', { agent_id: agentId, role, label, duration_ms: durationMs });
    if (this.#worker === null) return;
    const body: ContainerTelemetryEvents = {
      events: [{ event: 'agent.startup_phase', agent_id: agentId, role, label, duration_ms: Math.max(0, durationMs), at: new Date().toISOString() }],
    };
    this.#worker.container('POST', '/events', body).catch((err: unknown) => {
      this.#log.warn('telemetry.post_failed', { agent_id: agentId, label, error: errorText(err) });
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

  /** Cancels pending retries (shutdown). */
  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
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
