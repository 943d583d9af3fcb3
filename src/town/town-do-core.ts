/**
 * The TownDO's machinery, below its RPC surface: the clock, the SQL handle, the command runner
 * (write/read), the tick scheduler and its dependencies, the live hub, rate limits, the alarm,
 * the test seam, and the town container (handle, executor dependencies, upkeep, config pushes,
 * restarts, teardown). `TownDOReports` and `TownDO` extend it with the RPC methods; they live on
 * one class chain because RPC exposes methods of the class and its prototypes.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';
import { RateLimiter, type RateRule } from '../rate-limit/rate-limiter.ts';
import { enforceRateLimit } from '../rate-limit/enforce.ts';
import { ruleForProfile } from '../rate-limit/rules.ts';
import { logLine } from '../observability/log.ts';
import { SettableClock, iso } from './db/clock.ts';
import { durableObjectSql, type SqlHandle } from './db/sql.ts';
import { migrate } from './migrations/index.ts';
import type { TownCtx } from './context.ts';
import { capture, captureAsync, unwrap, type RpcResult } from './rpc-result.ts';
import { findTown, requireTown } from './records/town-record.ts';
import { healthCheck } from './alarm/cadence.ts';
import { TickAlerts } from './alarm/alerts.ts';
import { CommandRunner } from './command-runner.ts';
import { TestSeams } from './debug/seams.ts';
import { LiveHub } from './live/live-hub.ts';
import { SqlTownView } from './reconciler/view-sql.ts';
import { computeCadence } from './reconciler/cadence.ts';
import { TickScheduler } from './alarm/scheduler.ts';
import { thresholdsFor, type Thresholds } from './reconciler/constants.ts';
import type { EffectExecutor } from './reconciler/effects.ts';
import type { TickDeps } from './reconciler/tick.ts';
import { analyticsSink } from './reconciler/analytics-events.ts';
import type { NewTownEvent } from './events/town-events.ts';
import { ContainerExecutor, type ContainerExecutorDeps } from './dispatch/container-executor.ts';
import { controlClientFor, type ContainerHandle } from '../container/control-client.ts';
import type { RestartMode } from '../container/container-rpc.ts';
import { noteContainerHealth, watchHealth } from './dispatch/container-health.ts';
import { pushConfig, runContainerUpkeep } from './dispatch/container-upkeep.ts';
import { restartContainer, teardownContainer } from './dispatch/container-admin.ts';
import type { MayorPorts } from './reports/mayor-ports.ts';

/** A page request of a list RPC. */
export type Page = { limit: number; cursor?: string | undefined };

export abstract class TownDOCore extends DurableObject<Env> {
  /** The one clock of this town; tests pin it through `runInDurableObject`. */
  readonly clock = new SettableClock();
  /** Performs effects after commit; tests replace it with a fake through `runInDurableObject`. */
  executor: EffectExecutor = new ContainerExecutor(this.executorDeps());
  readonly sql: SqlHandle;
  readonly scheduler: TickScheduler;
  readonly live: LiveHub;
  protected readonly limiter = new RateLimiter(() => this.clock.now());
  protected readonly alerts: TickAlerts;
  protected readonly runner: CommandRunner;
  /** Development-only fault seams (`D/seams`); in memory, so an abort disarms them. */
  protected readonly seams = new TestSeams();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = durableObjectSql(ctx.storage);
    this.alerts = new TickAlerts(env);
    this.runner = new CommandRunner({
      sql: this.sql,
      now: () => this.clock.now(),
      development: () => env.ENVIRONMENT === 'development',
      executor: () => this.executor,
      broadcast: () => this.live.broadcastChanges(),
      kick: () => this.kick(),
    });
    this.scheduler = new TickScheduler(ctx.storage, () => this.tickDeps());
    this.live = new LiveHub(ctx, this.sql, env.ENVIRONMENT === 'development');
    this.scheduler.onTick = (outcome) => {
      this.live.broadcastChanges();
      this.alerts.violations(outcome.violations, findTown(this.sql)?.id ?? '', this.thresholds.VIOLATION_REPORT_MS);
    };
    void ctx.blockConcurrencyWhile(async () => {
      migrate(this.sql, iso(this.clock.now()));
    });
  }

  /** Thresholds of this environment: `GASTOWN_TIMING=test` is honoured only in development. */
  get thresholds(): Thresholds {
    return thresholdsFor(this.env.ENVIRONMENT === 'development' && this.env.GASTOWN_TIMING === 'test' ? 'test' : 'production');
  }

  private tickDeps(): TickDeps {
    return {
      sql: this.sql,
      now: () => this.clock.now(),
      executor: this.executor,
      thresholds: this.thresholds,
      development: this.env.ENVIRONMENT === 'development',
      alert: (kind, message, tags) => this.alerts.alert(kind, message, tags),
      analytics: analyticsSink(this.env.ANALYTICS),
      afterCommit: (intents) => (this.env.ENVIRONMENT === 'development' && this.seams.abortNow(intents) ? this.abortAfterCommit(intents) : undefined),
    };
  }

  private activeIntervalMs(): number {
    const town = findTown(this.sql);
    const seconds = town === null ? 5 : town.config.alarm.active_interval_seconds;
    return Math.max(250, Math.round((seconds * 1000) / this.thresholds.INTERVAL_DIVISOR));
  }

  /** Pulls the alarm to now (new events, new ready work). */
  async kick(): Promise<void> {
    await this.scheduler.kick(this.activeIntervalMs());
  }

  // ------------------------------------------------------------------ plumbing (command-runner.ts)

  protected townCtx(actor: string): TownCtx {
    return this.runner.townCtx(actor);
  }
  protected write<T>(actor: string, fn: (ctx: TownCtx) => T, opts: { kick?: boolean | ((value: T) => boolean) } = {}): Promise<RpcResult<T>> {
    return this.runner.write(actor, fn, opts);
  }
  protected read<T>(fn: (sql: SqlHandle) => T): RpcResult<T> {
    return this.runner.read(fn);
  }
  /** Inserts town events (the only inbox) and kicks the alarm. */
  async insertEvents(events: NewTownEvent[]): Promise<void> {
    await this.runner.insertEvents(events);
  }

  // ------------------------------------------------------------------ limits, alarm, watchdog, seam

  /** Best-effort rate limit counters (`http-api.md` §6); reset when the object restarts. */
  async checkRateLimit(key: string, rule: RateRule) {
    return capture(() => enforceRateLimit(this.limiter, key, ruleForProfile(rule, this.thresholds.INTERVAL_DIVISOR)));
  }

  /** Called by the UserDO watchdog: re-arms a missing alarm (`reconciler.md` §2). */
  async healthCheck(): Promise<{ alarm_rearmed: boolean }> {
    // "At the right cadence": the delay a tick would choose now (active, PR watch or idle).
    return healthCheck(this.sql, this.ctx.storage, () => computeCadence(new SqlTownView(this.sql, this.env.ENVIRONMENT === 'development'), this.clock.now(), this.thresholds).next_alarm_ms);
  }

  override async alarm(): Promise<void> {
    await this.scheduler.tick();
    await this.containerUpkeep();
  }

  /** The armed seam: the commit made durable first (a crash after it, not before it), then the reset. */
  private async abortAfterCommit(intents: number): Promise<void> {
    await this.ctx.storage.sync();
    logLine('warn', 'seam.abort_after_commit', { town_id: findTown(this.sql)?.id ?? '', intents });
    this.ctx.abort('test seam: abort_after_commit');
  }

  /** What the mayor modules (`src/town/reports/mayor-*.ts`) may touch, acting as `actor`. */
  protected mayorPorts(actor: string): MayorPorts {
    return {
      env: this.env,
      write: async (fn) => unwrap(await this.write(actor, fn)),
      read: (fn) => fn(this.sql),
      now: () => this.clock.now(),
      control: () => this.townContainer(),
      drainMaxMs: this.thresholds.DRAIN_MAX_MS,
    };
  }

  // ------------------------------------------------------------------ container and dispatch
  // The town container (`container.md` §11): its handle, the default executor's dependencies,
  // the after-tick upkeep, config pushes, restarts and teardown (`src/town/dispatch/`).

  /** The container of a town; tests set a `FakeContainer` here through `runInDurableObject`. */
  containerFor: (townId: string) => ContainerHandle = (townId) => controlClientFor(this.env, townId);
  /** This town's container; its answers feed the `container_unhealthy` escalation. */
  townContainer(): ContainerHandle {
    return watchHealth(this.containerFor(requireTown(this.sql).id), (unhealthy) => this.recordContainerHealth(unhealthy));
  }
  private recordContainerHealth(unhealthy: boolean): void {
    if (findTown(this.sql) !== null && noteContainerHealth(this.townCtx('system'), unhealthy)) this.live.broadcastChanges();
  }
  /** What the default `ContainerExecutor` reads (lazily: the field is built before the constructor body). */
  executorDeps(): ContainerExecutorDeps {
    return { env: this.env, sql: () => this.sql, container: () => this.townContainer(), thresholds: () => this.thresholds, development: this.env.ENVIRONMENT === 'development' };
  }
  /** After each alarm tick: drain timeout, idle stop, token pushes; never fails the alarm. */
  async containerUpkeep(): Promise<void> {
    if (findTown(this.sql) === null) return;
    await runContainerUpkeep({ ctx: this.townCtx('system'), env: this.env, container: this.townContainer(), thresholds: this.thresholds }).catch((e: unknown) => logLine('warn', 'container.upkeep_failed', { error: e instanceof Error ? e.message : 'unknown' }));
  }
  /** `/sync-config` after a config change (a stopped container is not started); best effort. */
  async pushContainerConfig(): Promise<void> {
    await pushConfig(this.env, this.sql, this.townContainer(), this.clock.now()).catch((e: unknown) => logLine('warn', 'container.sync_config_failed', { error: e instanceof Error ? e.message : 'unknown' }));
  }
  async restartContainer(mode: RestartMode) {
    return captureAsync(() => restartContainer(this.townContainer(), mode));
  }
  /** Town deletion: SIGKILL the container and forget its state (best effort). */
  async destroyContainer(): Promise<void> {
    if (findTown(this.sql) !== null) await teardownContainer(this.townContainer());
  }
}
