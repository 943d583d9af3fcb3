/**
 * `ContainerExecutor`: the TownDO's effect executor (`reconciler.md` §4, §6): dispatch →
 * `/agents/start` (validated `StartAgentRequest`, per-dispatch agent token, 60 s) →
 * `dispatch_result`; stop, mail, nudge and merge through the control protocol; observe → parallel
 * status reads. Reads SQL, never writes it; PR effects go to the git host (`pr-effects.ts`).
 */
import { mintAgentToken } from '../../auth/mint.ts';
import { GitMerge, StartAgentRequest } from '../../protocol/control.ts';
import type { ContainerHandle } from '../../container/control-client.ts';
import { CONTROL_TIMEOUTS } from '../../container/control-rules.ts';
import { logLine } from '../../observability/log.ts';
import type { EffectIntent } from '../context.ts';
import { first, strOrNull, type SqlHandle } from '../db/sql.ts';
import type { NewTownEvent } from '../events/town-events.ts';
import type { Thresholds } from '../reconciler/constants.ts';
import type { EffectContext, EffectExecutor, ObservedStatus } from '../reconciler/effects.ts';
import type { ScmFetch } from '../scm/http-json.ts';
import { findTown } from '../records/town-record.ts';
import { SqlTownView } from '../reconciler/view-sql.ts';
import { serializeContainerConfig, type DispatchEnv } from './container-config.ts';
import { mayorStartFacts, rigStartFacts } from './dispatch-facts.ts';
import { mailPrompt, nudgePrompt } from './deliveries.ts';
import { observationOf } from './observe.ts';
import { dispatchOutcome, failedDispatch, isSuccess, messageOf } from './outcomes.ts';
import { mayorStartRequest, rigStartRequest } from './start-request.ts';
import { PrEffectExecutor } from './pr-effects.ts';

export interface ContainerExecutorDeps {
  env: DispatchEnv;
  sql(): SqlHandle;
  /** This town's container. */
  container(): ContainerHandle;
  thresholds(): Thresholds;
  development: boolean;
  /** How `poll_pr` / `merge_pr` reach the git host; default the global `fetch`. */
  fetch?: ScmFetch;
}

type DispatchIntent = Extract<EffectIntent, { kind: 'dispatch' }>;

export class ContainerExecutor implements EffectExecutor {
  /** Effects the container does not perform (`poll_pr`, `merge_pr`). */
  private readonly gitHost: Pick<EffectExecutor, 'run'>;

  constructor(private readonly d: ContainerExecutorDeps) {
    this.gitHost = new PrEffectExecutor({ sql: d.sql, env: d.env, development: d.development, fetch: d.fetch ?? ((url, init) => fetch(url, init)) });
  }

  async run(intent: EffectIntent, ctx: EffectContext): Promise<NewTownEvent[]> {
    switch (intent.kind) {
      case 'dispatch':
        return [await this.dispatch(intent, ctx)];
      case 'stop_agent':
        await this.stopAgent(intent.agent_id, intent.reason);
        return [];
      case 'deliver_mail':
        return this.deliverMail(intent.agent_id, intent.message_ids);
      case 'deliver_nudge':
        return this.deliverNudge(intent.agent_id, intent.nudge_id);
      case 'git_merge':
        return this.gitMerge(intent.bead_id, intent.request_id, ctx);
      case 'poll_pr':
      case 'merge_pr':
        return this.gitHost.run(intent, ctx);
    }
  }

  /** Builds, validates and sends the start; "already running" counts as success. */
  private async dispatch(intent: DispatchIntent, ctx: EffectContext): Promise<NewTownEvent> {
    let body: unknown;
    try {
      body = await this.startBody(intent, ctx);
    } catch (e) {
      return failedDispatch(intent, { phase: 'request', message: messageOf(e) });
    }
    const parsed = StartAgentRequest.safeParse(body);
    if (!parsed.success) {
      const paths = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
      return failedDispatch(intent, { phase: 'request', message: `the start request is invalid at ${paths}` });
    }
    const res = await this.d.container().request('POST', '/agents/start', parsed.data, { timeoutMs: this.d.thresholds().AGENT_START_TIMEOUT_MS, startOnDemand: true });
    const outcome = dispatchOutcome(intent, res);
    if (outcome.payload.ok !== true) logLine('warn', 'dispatch.failed', { town_id: ctx.townId, agent_id: intent.agent_id, dispatch_id: intent.dispatch_id, status: res.status });
    return outcome;
  }

  private async startBody(intent: DispatchIntent, ctx: EffectContext): Promise<StartAgentRequest> {
    const sql = this.d.sql();
    const secret = this.d.env.GASTOWN_JWT_SECRET;
    if (intent.role === 'mayor') {
      const facts = mayorStartFacts(sql, intent.agent_id, this.d.development);
      if (!facts.ok) throw new Error(facts.message);
      const f = facts.facts;
      const token = await mintAgentToken(secret, { townId: f.town.id, rigId: f.town.id, agentId: f.agent.id, role: 'mayor', dispatchId: intent.dispatch_id }, ctx.now);
      const config = await serializeContainerConfig(this.d.env, f.town, ctx.now);
      return mayorStartRequest(f, intent.dispatch_id, token.token, config, { prompt: intent.prompt, dashboard_context: intent.dashboard_context });
    }
    if (intent.bead_id === null) throw new Error(`a ${intent.role} start needs a bead`);
    const facts = rigStartFacts(sql, intent.agent_id, intent.bead_id, this.d.development);
    if (!facts.ok) throw new Error(facts.message);
    const f = facts.facts;
    const token = await mintAgentToken(secret, { townId: f.town.id, rigId: f.rig.id, agentId: f.agent.id, role: f.agent.role, dispatchId: intent.dispatch_id }, ctx.now);
    const config = await serializeContainerConfig(this.d.env, f.town, ctx.now);
    return rigStartRequest(f, intent.dispatch_id, token.token, config, this.d.development);
  }

  /** Best effort, no event: a survivor is caught by staleness. */
  private async stopAgent(agentId: string, reason: string): Promise<void> {
    const res = await this.d.container().request('POST', `/agents/${agentId}/stop`, { reason: reason.slice(0, 1024) || 'stopped' }, { timeoutMs: CONTROL_TIMEOUTS.stop, startOnDemand: false });
    if (!isSuccess(res.status)) logLine('info', 'stop_agent.not_confirmed', { agent_id: agentId, status: res.status });
  }

  private async deliverMail(agentId: string, messageIds: string[]): Promise<NewTownEvent[]> {
    const text = mailPrompt(this.d.sql(), messageIds);
    if (text === null) return [{ event_type: 'mail_delivered', agent_id: agentId, payload: { message_ids: messageIds, ok: false } }];
    const res = await this.d.container().request('POST', `/agents/${agentId}/message`, { text }, { timeoutMs: CONTROL_TIMEOUTS.default, startOnDemand: false });
    return [{ event_type: 'mail_delivered', agent_id: agentId, payload: { message_ids: messageIds, ok: isSuccess(res.status) } }];
  }

  private async deliverNudge(agentId: string, nudgeId: string): Promise<NewTownEvent[]> {
    const text = nudgePrompt(this.d.sql(), nudgeId);
    if (text === null) return [{ event_type: 'nudge_sent', agent_id: agentId, payload: { nudge_id: nudgeId, ok: false } }];
    const res = await this.d.container().request('POST', `/agents/${agentId}/message`, { text }, { timeoutMs: CONTROL_TIMEOUTS.default, startOnDemand: false });
    return [{ event_type: 'nudge_sent', agent_id: agentId, payload: { nudge_id: nudgeId, ok: isSuccess(res.status) } }];
  }

  /** `/git/merge` (202); a refusal comes back at once as a failed `merge_result` (R2 retries). */
  private async gitMerge(beadId: string, requestId: string, ctx: EffectContext): Promise<NewTownEvent[]> {
    const failed = (error: string): NewTownEvent[] => [{ event_type: 'merge_result', bead_id: beadId, payload: { request_id: requestId, ok: false, error: error.slice(0, 1024) } }];
    const sql = this.d.sql();
    const town = findTown(sql);
    const view = new SqlTownView(sql, this.d.development);
    const mr = view.bead(beadId);
    const review = view.review(beadId);
    const rig = mr?.rig_id === null || mr === null ? null : view.rig(mr.rig_id);
    if (town === null || review === null || rig === null || review.branch === null) return failed('the merge request, its branch or its rig no longer exists');
    let body: unknown;
    try {
      body = {
        request_id: requestId,
        rig_id: rig.id,
        git_url: rig.git_url,
        default_branch: rig.default_branch,
        branch: review.branch,
        target_branch: review.target_branch ?? rig.default_branch,
        config: await serializeContainerConfig(this.d.env, town, ctx.now),
      };
    } catch (e) {
      return failed(messageOf(e));
    }
    const parsed = GitMerge.safeParse(body);
    if (!parsed.success) return failed('the merge request is invalid');
    const res = await this.d.container().request('POST', '/git/merge', parsed.data, { timeoutMs: CONTROL_TIMEOUTS.default, startOnDemand: true });
    return isSuccess(res.status) ? [] : failed(`the container refused the merge (${res.status})`);
  }

  /** Parallel status reads (10 s each); anything unclear is `unknown`. */
  async observe(agentIds: readonly string[], _ctx: EffectContext): Promise<Map<string, { status: ObservedStatus; exit_reason?: string }>> {
    const sql = this.d.sql();
    const container = this.d.container();
    const timeoutMs = this.d.thresholds().CONTAINER_STATUS_TIMEOUT_MS;
    const entries = await Promise.all(
      agentIds.map(async (id) => {
        const row = first(sql, `SELECT current_dispatch_id FROM agent_metadata WHERE bead_id = ?`, id);
        const dispatchId = row === null ? null : strOrNull(row, 'current_dispatch_id');
        const res = await container.request('GET', `/agents/${id}/status`, undefined, { timeoutMs, startOnDemand: false });
        return [id, observationOf(res, dispatchId)] as const;
      }),
    );
    return new Map(entries);
  }
}
