/**
 * The behaviour both container classes share (`container.md` §11), over any transport: the
 * control secret on every request, start-on-demand only for the four starting calls, a stopped
 * container's local answers, per-call deadlines, and the health watchdog (destroy + restart,
 * then `unhealthy`). One instance per container object; no module state.
 */
import { controlSecretFor } from '../auth/control-secret.ts';
import { CONTROL_SECRET_HEADER, ControlHealth } from '../protocol/control.ts';
import { logLine } from '../observability/log.ts';
import type { ContainerStateView, ControlMethod, ControlOptions, ControlResponse, RestartMode } from './container-rpc.ts';
import type { ControlState, ControlStore } from './control-store.ts';
import { CONTROL_TIMEOUTS, errorEnvelope, isTransportFailure, parseBody, startsOnDemand, stoppedAnswer } from './control-rules.ts';
import { withDeadline } from './deadline.ts';
import { ContainerNotRunning, type ContainerTransport } from './transport.ts';
import { restartsInWindow, watchdogFailure, watchdogStarted, watchdogSuccess } from './watchdog.ts';

export interface ControlDeps {
  transport: ContainerTransport;
  store: ControlStore;
  jwtSecret: string;
  /** §1's boot env for a start: a fresh container token and the control secret. */
  bootEnv(townId: string, now: number): Promise<Record<string, string>>;
  now(): number;
}

function unavailable(message: string): ControlResponse {
  return { status: 503, body: errorEnvelope('container_unavailable', message) };
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : 'unknown error';
}

export class ContainerControl {
  private starting: Promise<string | null> | null = null;

  constructor(private readonly d: ControlDeps) {}

  /** One control-protocol call (see `ContainerRpc.control`). Never throws. */
  async control(townId: string, method: ControlMethod, path: string, body: unknown, opts: ControlOptions): Promise<ControlResponse> {
    const state = await this.remember(townId);
    let running: boolean;
    try {
      running = await this.d.transport.isRunning(townId);
    } catch (e) {
      return this.flag(unavailable(`The container state is unknown: ${describe(e)}`), state);
    }
    const starts = opts.startOnDemand && startsOnDemand(method, path);
    if (!running) {
      if (!starts) return this.flag(stoppedAnswer(method, path), state);
      const failed = await this.startOnce(townId);
      if (failed !== null) return this.failed(townId, `The container did not start: ${failed}`);
    }
    const first = await this.send(townId, method, path, body, opts.timeoutMs);
    if (first !== 'not_running') return first;
    // It had exited behind our back: answer as stopped, or start it (once) and retry.
    if (!starts) return this.flag(stoppedAnswer(method, path), state);
    const failed = await this.startOnce(townId);
    if (failed !== null) return this.failed(townId, `The container did not start: ${failed}`);
    const second = await this.send(townId, method, path, body, opts.timeoutMs);
    return second === 'not_running' ? this.failed(townId, 'The container exited right after its start.') : second;
  }

  /** SIGTERM when running. */
  async stop(townId?: string): Promise<void> {
    const id = townId ?? (await this.d.store.load()).town_id;
    if (id === null || id === undefined) return;
    if (await this.d.transport.isRunning(id)) await this.d.transport.stop(id);
  }

  /** SIGKILL when running; forgets the watchdog state. */
  async destroy(townId?: string): Promise<void> {
    const id = townId ?? (await this.d.store.load()).town_id;
    if (id !== null && id !== undefined && (await this.d.transport.isRunning(id))) await this.d.transport.destroy(id);
    await this.d.store.clear();
  }

  /** `graceful`: SIGTERM; `hard`: SIGKILL, then a start with a fresh boot env. */
  async restart(townId: string, mode: RestartMode): Promise<void> {
    await this.remember(townId);
    if (mode === 'graceful') return this.stop(townId);
    if (await this.d.transport.isRunning(townId)) await this.d.transport.destroy(townId);
    const failed = await this.startOnce(townId);
    if (failed !== null) throw new Error(`The container did not start: ${failed}`);
  }

  /** Running or not, its `/health` (5 s) when running, and the watchdog counters. */
  async state(townId?: string): Promise<ContainerStateView> {
    const id = townId ?? (await this.d.store.load()).town_id;
    let running = id !== null && id !== undefined && (await this.d.transport.isRunning(id));
    let health: ControlHealth | null = null;
    if (running && id !== null && id !== undefined) {
      const r = await this.send(id, 'GET', '/health', undefined, CONTROL_TIMEOUTS.health);
      if (r === 'not_running') running = false;
      else {
        const data = typeof r.body === 'object' && r.body !== null && 'data' in r.body ? r.body.data : null;
        const parsed = ControlHealth.safeParse(data);
        health = r.status === 200 && parsed.success ? parsed.data : null;
      }
    }
    const w = (await this.d.store.load()).watchdog;
    return {
      running,
      health,
      started_at: w.started_at === null ? null : new Date(w.started_at).toISOString(),
      health_failures: w.failures,
      restarts_30m: restartsInWindow(w, this.d.now()),
      unhealthy: w.unhealthy,
    };
  }

  private async remember(townId: string): Promise<ControlState> {
    const state = await this.d.store.load();
    if (state.town_id === townId) return state;
    const next = { ...state, town_id: townId };
    await this.d.store.save(next);
    return next;
  }

  private flag(r: ControlResponse, state: ControlState): ControlResponse {
    return state.watchdog.unhealthy ? { ...r, unhealthy: true } : r;
  }

  /** Starts the container once even when several calls need it; the error text, or null. */
  private startOnce(townId: string): Promise<string | null> {
    if (this.starting !== null) return this.starting;
    const run = (async () => {
      try {
        const now = this.d.now();
        await this.d.transport.start(townId, await this.d.bootEnv(townId, now), CONTROL_TIMEOUTS.start);
        const state = await this.d.store.load();
        await this.d.store.save({ ...state, watchdog: watchdogStarted(state.watchdog, now) });
        logLine('info', 'container.started', { town_id: townId });
        return null;
      } catch (e) {
        logLine('warn', 'container.start_failed', { town_id: townId, error: describe(e) });
        return describe(e);
      } finally {
        this.starting = null;
      }
    })();
    this.starting = run;
    return run;
  }

  /** One request; `not_running` when the transport found no control server at all. */
  private async send(townId: string, method: ControlMethod, path: string, body: unknown, timeoutMs: number): Promise<ControlResponse | 'not_running'> {
    const secret = await controlSecretFor(this.d.jwtSecret, townId);
    const headers: Record<string, string> = { [CONTROL_SECRET_HEADER]: secret };
    const text = body === undefined || method === 'GET' ? undefined : JSON.stringify(body);
    if (text !== undefined) headers['Content-Type'] = 'application/json';
    let status: number;
    let parsed: unknown;
    try {
      const res = await withDeadline((signal) => this.d.transport.send(townId, { method, path, headers, ...(text === undefined ? {} : { body: text }), signal }), timeoutMs);
      status = res.status;
      parsed = parseBody(res.text);
    } catch (e) {
      if (e instanceof ContainerNotRunning) return 'not_running';
      return this.failed(townId, `The container did not answer ${method} ${path.split('?')[0] ?? path}: ${describe(e)}`);
    }
    if (isTransportFailure(status, parsed)) return this.failed(townId, `The container runtime answered ${status}.`);
    const state = await this.d.store.load();
    const next = watchdogSuccess(state.watchdog);
    if (next !== state.watchdog) await this.d.store.save({ ...state, watchdog: next });
    return { status, body: parsed };
  }

  /** A failed call: the watchdog counts it and may destroy and restart the container. */
  private async failed(townId: string, message: string): Promise<ControlResponse> {
    const state = await this.d.store.load();
    const { state: watchdog, action } = watchdogFailure(state.watchdog, this.d.now());
    await this.d.store.save({ ...state, watchdog });
    if (action === 'restart') {
      logLine('warn', 'container.watchdog_restart', { town_id: townId, restarts_30m: watchdog.restarts.length });
      try {
        if (await this.d.transport.isRunning(townId)) await this.d.transport.destroy(townId);
      } catch (e) {
        logLine('warn', 'container.destroy_failed', { town_id: townId, error: describe(e) });
      }
      await this.startOnce(townId);
    }
    if (action === 'give_up') logLine('error', 'container.watchdog_gave_up', { town_id: townId, restarts_30m: watchdog.restarts.length });
    return watchdog.unhealthy ? { ...unavailable(message), unhealthy: true } : unavailable(message);
  }
}
