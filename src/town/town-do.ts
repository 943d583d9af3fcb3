/**
 * TownDO: the one writer of a town's state. A thin RPC facade: each method waits for schema
 * initialisation, then runs a plain function from `src/town/…` — writes in one synchronous
 * transaction with effects after commit, reads directly — and returns an `RpcResult`.
 */
import { DurableObject } from 'cloudflare:workers';
import type {
  ActivityQuery,
  AgentListQuery,
  BeadCreate,
  BeadListQuery,
  BeadPatch,
  RigCreate,
  RigPatch,
  Sling,
  SlingBatch,
} from '../protocol/api.ts';
import type { TownConfigPatch } from '../protocol/config.ts';
import type { SeamsArm } from '../protocol/debug.ts';
import { NotFound } from '../errors.ts';
import type { Env } from '../env.ts';
import type { RateRule } from '../rate-limit/rate-limiter.ts';
import { RateLimiter } from '../rate-limit/rate-limiter.ts';
import { enforceRateLimit } from '../rate-limit/enforce.ts';
import { ruleForProfile } from '../rate-limit/rules.ts';
import { logLine } from '../observability/log.ts';
import { SettableClock, iso } from './db/clock.ts';
import { durableObjectSql, type SqlHandle } from './db/sql.ts';
import { migrate } from './migrations/index.ts';
import type { TownCtx } from './context.ts';
import { capture, type RpcResult } from './rpc-result.ts';
import { checkOwner, createTownRow, findTown, requireTown, townDetail, toTown, type OwnerCheck } from './records/town-record.ts';
import { createRig, deleteRig, listRigs, patchRig, rigDetail, requireRig } from './records/rigs.ts';
import { maskTownConfig } from './config/index.ts';
import { createIssue } from './beads/create-bead.ts';
import { patchBead } from './beads/patch-bead.ts';
import { bulkDeleteBeads, deleteBead } from './beads/delete-bead.ts';
import { beadWithRelations, listBeads } from './beads/list-beads.ts';
import { reassignBead } from './beads/reassign.ts';
import { convoyDetail } from './convoys/convoy-rows.ts';
import { listConvoys } from './convoys/list-convoys.ts';
import { addConvoyBead, closeConvoy, patchConvoy, removeConvoyBead, startConvoy } from './convoys/convoy-commands.ts';
import { agentDetail, deleteAgent, listAgents, resetAgent } from './agents/agent-commands.ts';
import { listMail } from './mail/mail-rows.ts';
import { acknowledgeEscalation, listEscalations, raiseAgentEscalation } from './escalations/escalations.ts';
import { listActivity } from './activity/activity.ts';
import { mergeQueue } from './review/merge-queue.ts';
import { patchTownConfig, requireBead, sling, slingBatchView, withConvoyDetail } from './commands.ts';
import { healthCheck } from './alarm/cadence.ts';
import { TickAlerts } from './alarm/alerts.ts';
import { CommandRunner } from './command-runner.ts';
import { debugStatus, injectEvent, requeueEvent } from './debug/debug-rpc.ts';
import { TestSeams } from './debug/seams.ts';
import { LiveHub } from './live/live-hub.ts';
import { SqlTownView } from './reconciler/view-sql.ts';
import { computeCadence } from './reconciler/cadence.ts';
import { dryRun, replayEvents, type ReplayRequest } from './debug/dry-run.ts';
import { debugBead, listInbox } from './debug/debug-views.ts';
import { TickScheduler } from './alarm/scheduler.ts';
import { thresholdsFor, type Thresholds } from './reconciler/constants.ts';
import type { EffectExecutor } from './reconciler/effects.ts';
import type { TickDeps } from './reconciler/tick.ts';
import { analyticsSink } from './reconciler/analytics-events.ts';
import type { NewTownEvent } from './events/town-events.ts';
import { ContainerExecutor, type ContainerExecutorDeps } from './dispatch/container-executor.ts';
import type { ContainerHandle } from '../container/control-client.ts';
import type { RestartMode } from '../container/container-rpc.ts';
import { noteContainerHealth, watchHealth } from './dispatch/container-health.ts';
import { pushConfig, runContainerUpkeep } from './dispatch/container-upkeep.ts';
import { restartContainer, teardownContainer } from './dispatch/container-admin.ts';
import type { AgentEventInput, EscalationCreate, Heartbeat, MailSend, NudgeCreate, RequestChanges, UiAction } from '../protocol/agent.ts';
import type { ContainerEviction, ContainerReady, MergeResultReport } from '../protocol/container.ts';
import type { JsonObject } from '../protocol/common.ts';
import { requireCurrentMayor, requireLiveAgent } from './reports/agent-access.ts';
import { primeAgent } from './agents/prime.ts';
import { saveCheckpoint, setStatusMessage } from './agents/self-reports.ts';
import { sendMail, takeUndeliveredMail } from './mail/mail-commands.ts';
import { markNudgeDelivered, pendingNudgesFor, sendNudge } from './nudges/nudges.ts';
import { requestChanges, reworkOrRefusal } from './review/request-changes.ts';
import { recordHeartbeat } from './reports/heartbeat.ts';
import { listAgentEvents, recordAgentEvents } from './reports/agent-events.ts';
import { recordAgentFact, type AgentFact } from './reports/agent-facts.ts';
import { getRegistry, putRegistry } from './reports/registry.ts';
import { containerReady, drainStatus, startDrain } from './reports/drain.ts';
import { recordMergeResult } from './reports/merge-result.ts';
import { captureAsync, unwrap } from './rpc-result.ts';
import { controlClientFor } from '../container/control-client.ts';
import { mayorContext } from './dispatch/mayor.ts';
import { mayorStatus } from './reports/mayor-status.ts';
import { ensureMayor, messageMayor, type MayorMessageInput } from './reports/mayor-session.ts';
import { patchConfigSwappingMayor } from './reports/mayor-model-swap.ts';
import { patchConfigPushingMayorPrompt } from './reports/mayor-prompt-push.ts';
import type { MayorPorts } from './reports/mayor-ports.ts';
import { refreshGitToken } from './reports/git-token.ts';

type Page = { limit: number; cursor?: string | undefined };

export class TownDO extends DurableObject<Env> {
  /** The one clock of this town; tests pin it through `runInDurableObject`. */
  readonly clock = new SettableClock();
  /** Performs effects after commit; tests replace it with a fake through `runInDurableObject`. */
  executor: EffectExecutor = new ContainerExecutor(this.executorDeps());
  readonly sql: SqlHandle;
  readonly scheduler: TickScheduler;
  readonly live: LiveHub;
  private readonly limiter = new RateLimiter(() => this.clock.now());
  private readonly alerts: TickAlerts;
  private readonly runner: CommandRunner;
  /** Development-only fault seams (`D/seams`); in memory, so an abort disarms them. */
  private readonly seams = new TestSeams();

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

  private townCtx(actor: string): TownCtx {
    return this.runner.townCtx(actor);
  }
  private write<T>(actor: string, fn: (ctx: TownCtx) => T, opts: { kick?: boolean | ((value: T) => boolean) } = {}): Promise<RpcResult<T>> {
    return this.runner.write(actor, fn, opts);
  }
  private read<T>(fn: (sql: SqlHandle) => T): RpcResult<T> {
    return this.runner.read(fn);
  }
  /** Inserts town events (the only inbox) and kicks the alarm. */
  async insertEvents(events: NewTownEvent[]): Promise<void> {
    await this.runner.insertEvents(events);
  }

  // ------------------------------------------------------------------ town

  async createTown(input: { id: string; name: string; ownerId: string }) {
    return capture(() => this.sql.transaction(() => createTownRow(this.sql, { ...input, now: this.clock.now() })));
  }
  async authorize(sub: string): Promise<OwnerCheck> {
    return checkOwner(this.sql, sub);
  }
  async getTown() {
    return this.read((sql) => toTown(requireTown(sql)));
  }
  async getTownDetail() {
    return this.read((sql) => townDetail(sql, false));
  }
  async destroyTown(): Promise<RpcResult<{ deleted: true }>> {
    const exists = this.read(() => true);
    if (!exists.ok) return exists;
    this.live.closeAll(4404, 'town deleted');
    await this.destroyContainer();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    migrate(this.sql, iso(this.clock.now()));
    return { ok: true, value: { deleted: true } };
  }
  async getConfig() {
    return this.read((sql) => maskTownConfig(requireTown(sql).config));
  }
  async patchConfig(actor: string, patch: TownConfigPatch) {
    const result = await this.write(actor, (ctx) => patchTownConfig(ctx, patch), { kick: true });
    if (result.ok) await this.pushContainerConfig();
    return result;
  }

  // ------------------------------------------------------------------ rigs

  async createRig(actor: string, input: RigCreate) {
    return this.write(actor, (ctx) => createRig(ctx, input));
  }
  async listRigs(page: Page) {
    return this.read((sql) => listRigs(sql, requireTown(sql).id, page));
  }
  async getRig(rigId: string) {
    return this.read((sql) => rigDetail(sql, requireTown(sql).id, rigId));
  }
  async requireRig(rigId: string) {
    return this.read((sql) => requireRig(sql, requireTown(sql).id, rigId));
  }
  async patchRig(actor: string, rigId: string, patch: RigPatch) {
    return this.write(actor, (ctx) => patchRig(ctx, rigId, patch), { kick: true });
  }
  async deleteRig(actor: string, rigId: string) {
    return this.write(actor, (ctx) => deleteRig(ctx, rigId));
  }

  // ------------------------------------------------------------------ beads

  async createBead(actor: string, input: BeadCreate) {
    return this.write(actor, (ctx) => requireBead(ctx.sql, createIssue(ctx, input)), { kick: (bead) => !bead.held });
  }
  async listBeads(query: BeadListQuery) {
    return this.read((sql) => listBeads(sql, query));
  }
  async getBead(beadId: string) {
    return this.read((sql) => beadWithRelations(sql, beadId));
  }
  async requireBead(beadId: string) {
    return this.read((sql) => requireBead(sql, beadId));
  }
  async patchBead(actor: string, beadId: string, patch: BeadPatch) {
    let readyWorkChanged = false;
    return this.write(
      actor,
      (ctx) => {
        readyWorkChanged = patchBead(ctx, beadId, patch).readyWorkChanged;
        return requireBead(ctx.sql, beadId);
      },
      { kick: () => readyWorkChanged },
    );
  }
  async reassignBead(actor: string, beadId: string, agentId: string) {
    return this.write(actor, (ctx) => reassignBead(ctx, beadId, agentId), { kick: true });
  }
  async deleteBead(actor: string, beadId: string) {
    return this.write(actor, (ctx) => deleteBead(ctx, beadId), { kick: true });
  }
  async bulkDeleteBeads(actor: string, ids: string[]) {
    return this.write(actor, (ctx) => bulkDeleteBeads(ctx, ids), { kick: true });
  }
  async sling(actor: string, input: Sling) {
    return this.write(actor, (ctx) => sling(ctx, input), { kick: true });
  }
  async slingBatch(actor: string, input: SlingBatch) {
    let staged = false;
    return this.write(
      actor,
      (ctx) => {
        const view = slingBatchView(ctx, input);
        staged = view.staged;
        return { convoy: view.convoy, beads: view.beads };
      },
      { kick: () => !staged },
    );
  }

  // ------------------------------------------------------------------ convoys

  async listConvoys(query: Page & { status?: string[] | undefined }) {
    return this.read((sql) => listConvoys(sql, query));
  }
  async getConvoy(convoyId: string) {
    return this.read((sql) => convoyDetail(sql, convoyId));
  }
  async patchConvoy(actor: string, convoyId: string, patch: { title?: string | undefined; merge_mode?: 'review-then-land' | 'review-and-merge' | undefined }) {
    return this.write(actor, (ctx) => withConvoyDetail(ctx, convoyId, (c, id) => patchConvoy(c, id, patch)));
  }
  async startConvoy(actor: string, convoyId: string) {
    return this.write(actor, (ctx) => withConvoyDetail(ctx, convoyId, startConvoy), { kick: true });
  }
  async closeConvoy(actor: string, convoyId: string) {
    return this.write(actor, (ctx) => withConvoyDetail(ctx, convoyId, closeConvoy));
  }
  async addConvoyBead(actor: string, convoyId: string, beadId: string, dependsOn: string[]) {
    return this.write(actor, (ctx) => withConvoyDetail(ctx, convoyId, (c, id) => addConvoyBead(c, id, beadId, dependsOn)), { kick: true });
  }
  async removeConvoyBead(actor: string, convoyId: string, beadId: string) {
    return this.write(actor, (ctx) => withConvoyDetail(ctx, convoyId, (c, id) => removeConvoyBead(c, id, beadId)), { kick: true });
  }

  // ------------------------------------------------------------------ agents, mail, escalations, activity

  async listAgents(query: AgentListQuery) {
    return this.read((sql) => listAgents(sql, query));
  }
  async getAgent(agentId: string) {
    return this.read((sql) => agentDetail(sql, agentId));
  }
  async resetAgent(actor: string, agentId: string) {
    return this.write(actor, (ctx) => resetAgent(ctx, agentId), { kick: true });
  }
  async deleteAgent(actor: string, agentId: string) {
    return this.write(actor, (ctx) => deleteAgent(ctx, agentId), { kick: true });
  }
  async listMail(query: Page & { agent_id?: string | undefined }) {
    return this.read((sql) => listMail(sql, query));
  }
  async listEscalations(query: Page & { acknowledged?: boolean | undefined; severity?: string[] | undefined }) {
    return this.read((sql) => listEscalations(sql, query));
  }
  async acknowledgeEscalation(actor: string, escalationId: string) {
    return this.write(actor, (ctx) => acknowledgeEscalation(ctx, escalationId));
  }
  async listActivity(query: ActivityQuery) {
    return this.read((sql) => listActivity(sql, query));
  }
  async mergeQueue(rigId: string | undefined) {
    return this.read((sql) => mergeQueue(sql, this.clock.now(), rigId));
  }

  // ------------------------------------------------------------------ limits, alarm, watchdog

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

  // ------------------------------------------------------------------ debug (reconciler.md §9)

  private reconcileConfig() {
    return { thresholds: this.thresholds };
  }
  async debugStatus() {
    const [alarmAt, container] = await Promise.all([this.ctx.storage.getAlarm(), findTown(this.sql) === null ? null : this.townContainer().state()]);
    const containerState = container === null ? 'none' : container.running ? 'running' : 'stopped';
    return this.read((sql) => debugStatus(sql, { alarmAt, lastTick: this.scheduler.lastTick, now: this.clock.now(), thresholds: this.thresholds, development: this.env.ENVIRONMENT === 'development', containerState }));
  }
  async dryRun() {
    return capture(() => dryRun(this.townCtx('system'), this.reconcileConfig()));
  }
  async replayEvents(req: ReplayRequest) {
    return capture(() => replayEvents(this.townCtx('system'), this.reconcileConfig(), req));
  }
  async listInboxEvents(query: Page & { state?: 'pending' | 'dead_lettered' | undefined }) {
    return this.read((sql) => listInbox(sql, query));
  }
  async requeueEvent(eventId: string) {
    const result = this.read((sql) => requeueEvent(sql, eventId));
    if (result.ok) await this.kick();
    return result;
  }
  async injectEvent(e: NewTownEvent) {
    const result = this.read((sql) => injectEvent(sql, e, this.clock.now()));
    if (result.ok) await this.kick();
    return result;
  }
  async tickNow() {
    const exists = this.read(() => true);
    if (!exists.ok) return exists;
    const outcome = await this.scheduler.tick();
    return { ok: true as const, value: outcome?.record ?? null };
  }
  /** The armed seam: the commit made durable first (a crash after it, not before it), then the reset. */
  private async abortAfterCommit(intents: number): Promise<void> {
    await this.ctx.storage.sync();
    logLine('warn', 'seam.abort_after_commit', { town_id: findTown(this.sql)?.id ?? '', intents });
    this.ctx.abort('test seam: abort_after_commit');
  }
  /** D`/seams` (development only; the route refuses elsewhere, and so does this). */
  async armSeams(input: SeamsArm) {
    return this.read(() => {
      if (this.env.ENVIRONMENT !== 'development') throw new NotFound('route');
      return this.seams.arm(input);
    });
  }
  async debugBead(beadId: string) {
    return this.read((sql) => debugBead(sql, beadId));
  }
  async slingConvoyAsAdmin(actor: string, input: SlingBatch) {
    return this.slingBatch(actor, input);
  }

  // ------------------------------------------------------------------ live updates

  async issueLiveTicket(sub: string) {
    return this.read(() => this.live.issueTicket(sub, Date.now()));
  }
  override async fetch(request: Request): Promise<Response> {
    return this.live.upgrade(request, Date.now());
  }
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.live.onMessage(ws, message);
  }
  override async webSocketClose(ws: WebSocket): Promise<void> {
    this.live.onClose(ws);
  }

  // ---- agent and container reports (begin)
  // Agent-token (P) and container-token (C) routes, the mayor routes (`http-api.md` §4.3–4.5).

  async requireLiveAgent(agentId: string, rigId: string) {
    return this.read((sql) => requireLiveAgent(sql, agentId, rigId));
  }
  async heartbeat(agentId: string, dispatchId: string | null, body: Heartbeat) {
    return this.write(`agent:${agentId}`, (ctx) => recordHeartbeat(ctx, agentId, dispatchId, body, this.thresholds.DRAIN_MAX_MS), { kick: (o) => o.kicked });
  }
  async appendAgentEvents(agentId: string, events: AgentEventInput[]) {
    return capture(() => recordAgentEvents(this.sql, this.live, agentId, events));
  }
  async listAgentEvents(agentId: string, page: Page) {
    return this.read((sql) => listAgentEvents(sql, agentId, page));
  }
  async reportAgentFact(agentId: string, dispatchId: string | null, fact: AgentFact) {
    return this.write(`agent:${agentId}`, (ctx) => recordAgentFact(ctx, agentId, dispatchId, fact), { kick: true });
  }
  async getRegistry() {
    return this.read((sql) => getRegistry(sql));
  }
  async putRegistry(registry: JsonObject) {
    return this.write('system', (ctx) => putRegistry(ctx.sql, registry, ctx.now));
  }
  async containerEviction(body: ContainerEviction) {
    return this.write('system', (ctx) => startDrain(ctx, body), { kick: true });
  }
  async containerReady(body: ContainerReady) {
    return this.write('system', (ctx) => containerReady(ctx, body), { kick: true });
  }
  async drainStatus() {
    return this.read((sql) => drainStatus(sql, this.clock.now(), this.thresholds.DRAIN_MAX_MS));
  }
  async mergeResult(report: MergeResultReport) {
    return this.write('system', (ctx) => recordMergeResult(ctx, report), { kick: (r) => r.inserted });
  }
  async refreshGitToken(rigId: string) {
    return captureAsync(() => refreshGitToken(this.env, this.sql, rigId, this.env.ENVIRONMENT === 'development'));
  }
  async mayorId() {
    return captureAsync(async () => mayorContext(this.env, this.sql, this.clock.now()));
  }

  private mayorPorts(actor: string): MayorPorts {
    return {
      env: this.env,
      write: async (fn) => unwrap(await this.write(actor, fn)),
      read: (fn) => fn(this.sql),
      now: () => this.clock.now(),
      control: () => this.townContainer(),
      drainMaxMs: this.thresholds.DRAIN_MAX_MS,
    };
  }
  async mayorStatus() {
    return this.read((sql) => mayorStatus(sql));
  }
  async ensureMayor(actor: string) {
    return captureAsync(() => ensureMayor(this.mayorPorts(actor)));
  }
  async messageMayor(actor: string, body: MayorMessageInput) {
    return captureAsync(() => messageMayor(this.mayorPorts(actor), body));
  }
  async patchConfigAndSwapMayor(actor: string, patch: TownConfigPatch) {
    return patchConfigSwappingMayor(this.mayorPorts(actor), () => patchConfigPushingMayorPrompt(this.mayorPorts(actor), () => this.patchConfig(actor, patch)));
  }
  // ---- agent and container reports (end)

  // ---- agent and mayor tools (begin)
  // The rig tools' commands on P (`http-api.md` §4.3) and the mayor tools' own checks on M (§4.4).

  async primeAgent(agentId: string) {
    return this.write(`agent:${agentId}`, (ctx) => primeAgent(ctx, agentId));
  }
  async sendMail(agentId: string, input: MailSend) {
    return this.write(`agent:${agentId}`, (ctx) => sendMail(ctx, agentId, input), { kick: true });
  }
  async checkMail(agentId: string) {
    return this.write(`agent:${agentId}`, (ctx) => takeUndeliveredMail(ctx, agentId));
  }
  async sendNudge(agentId: string, input: NudgeCreate) {
    return this.write(`agent:${agentId}`, (ctx) => sendNudge(ctx, agentId, input), { kick: (nudge) => nudge.mode === 'immediate' });
  }
  async pendingNudges(agentId: string) {
    return this.read((sql) => pendingNudgesFor(sql, agentId, this.clock.now()));
  }
  async nudgeDelivered(agentId: string, nudgeId: string) {
    return this.write(`agent:${agentId}`, (ctx) => markNudgeDelivered(ctx, agentId, nudgeId));
  }
  async raiseAgentEscalation(agentId: string, input: EscalationCreate) {
    return this.write(`agent:${agentId}`, (ctx) => raiseAgentEscalation(ctx, agentId, input), { kick: true });
  }
  async requestChanges(agentId: string, input: RequestChanges) {
    return reworkOrRefusal(await this.write(`agent:${agentId}`, (ctx) => requestChanges(ctx, agentId, input, this.thresholds.MAX_FOLLOWUPS_PER_MR), { kick: true }));
  }
  async saveCheckpoint(agentId: string, data: JsonObject) {
    return this.write(`agent:${agentId}`, (ctx) => saveCheckpoint(ctx, agentId, data));
  }
  async setStatusMessage(agentId: string, message: string) {
    return this.write(`agent:${agentId}`, (ctx) => setStatusMessage(ctx, agentId, message));
  }
  async requireCurrentMayor(agentId: string) {
    return this.read((sql) => requireCurrentMayor(sql, agentId));
  }
  /** M`/ui-action`: the action to every open live socket; `delivered` counts those it reached. */
  async uiAction(action: UiAction) {
    return this.read(() => ({ delivered: this.live.broadcastUiAction(action) }));
  }
  // ---- agent and mayor tools (end)

  // ---- container and dispatch (begin)
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
  // ---- container and dispatch (end)
}
