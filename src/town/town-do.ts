/**
 * TownDO: the one writer of a town's state. A thin RPC facade: each method waits for schema
 * initialisation, then runs a plain function from `src/town/…` — writes in one synchronous
 * transaction with effects after commit, reads directly — and returns an `RpcResult`.
 * The user-facing methods are here; the agent, container and mayor methods are in
 * `town-do-reports.ts`, the machinery (runner, scheduler, container) in `town-do-core.ts`.
 */
import type { ActivityQuery, AgentListQuery, BeadCreate, BeadListQuery, BeadPatch, RigCreate, RigPatch, Sling, SlingBatch } from '../protocol/api.ts';
import type { TownConfigPatch } from '../protocol/config.ts';
import type { SeamsArm } from '../protocol/debug.ts';
import { NotFound } from '../errors.ts';
import { iso } from './db/clock.ts';
import { migrate } from './migrations/index.ts';
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
import { acknowledgeEscalation, listEscalations } from './escalations/escalations.ts';
import { listActivity } from './activity/activity.ts';
import { mergeQueue } from './review/merge-queue.ts';
import { patchTownConfig, requireBead, sling, slingBatchView, withConvoyDetail } from './commands.ts';
import { debugStatus, injectEvent, requeueEvent } from './debug/debug-rpc.ts';
import { dryRun, replayEvents, type ReplayRequest } from './debug/dry-run.ts';
import { debugBead, listInbox } from './debug/debug-views.ts';
import type { NewTownEvent } from './events/town-events.ts';
import { patchConfigSwappingMayor } from './reports/mayor-model-swap.ts';
import { patchConfigPushingMayorPrompt } from './reports/mayor-prompt-push.ts';
import type { Page } from './town-do-core.ts';
import { TownDOReports } from './town-do-reports.ts';

export class TownDO extends TownDOReports {
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
  /** A config patch that may swap the mayor's model or push its prompt (`reports/mayor-*.ts`). */  async patchConfigAndSwapMayor(actor: string, patch: TownConfigPatch) {
    return patchConfigSwappingMayor(this.mayorPorts(actor), () => patchConfigPushingMayorPrompt(this.mayorPorts(actor), () => this.patchConfig(actor, patch)));
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
}
