/**
 * The TownDO's machine-facing RPC methods: agent-token (P) and container-token (C) reports, the
 * mayor routes, and the agent and mayor tools (`http-api.md` §4.3–4.5). Each is a call into a
 * plain module under `src/town/`; `TownDO` extends this class with the user-facing methods.
 */
import { capture, captureAsync } from './rpc-result.ts';
import { raiseAgentEscalation } from './escalations/escalations.ts';
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
import { mayorContext } from './dispatch/mayor.ts';
import { mayorStatus } from './reports/mayor-status.ts';
import { ensureMayor, messageMayor, type MayorMessageInput } from './reports/mayor-session.ts';
import { refreshGitToken } from './reports/git-token.ts';
import { TownDOCore, type Page } from './town-do-core.ts';

export abstract class TownDOReports extends TownDOCore {
  // ------------------------------------------------------------------ agent and container reports
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

  async mayorStatus() {
    return this.read((sql) => mayorStatus(sql));
  }
  async ensureMayor(actor: string) {
    return captureAsync(() => ensureMayor(this.mayorPorts(actor)));
  }
  async messageMayor(actor: string, body: MayorMessageInput) {
    return captureAsync(() => messageMayor(this.mayorPorts(actor), body));
  }

  // ------------------------------------------------------------------ agent and mayor tools
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
}
