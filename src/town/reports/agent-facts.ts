/**
 * Agent facts (`http-api.md` §1.1, `reconciler.md` §3): P`/done`, `/completed`, `/waiting` and
 * `/eviction-context` are stored as town events carrying the token's `dispatchId` as `dispatch_id`,
 * so the next tick applies them, or skips a report from an older dispatch as stale.
 */
import type { Completed, Done, EvictionContext, Waiting } from '../../protocol/agent.ts';
import { ValidationFailed } from '../../errors.ts';
import type { TownCtx } from '../context.ts';
import { insertTownEvent, type NewTownEvent } from '../events/town-events.ts';
import { isLoopbackHostname } from '../scm/validate-git-url.ts';
import { liveAgent } from './agent-access.ts';

/** One agent fact with its validated body. */
export type AgentFact =
  | { kind: 'done'; body: Done }
  | { kind: 'completed'; body: Completed }
  | { kind: 'waiting'; body: Waiting }
  | { kind: 'eviction-context'; body: EvictionContext };

/** `pr_url` must be https; `http://` only to a loopback host in development. */
function checkPrUrl(prUrl: string | undefined, development: boolean): void {
  if (prUrl === undefined) return;
  const url = new URL(prUrl);
  if (url.protocol === 'https:') return;
  if (development && isLoopbackHostname(url.hostname)) return;
  throw new ValidationFailed('Invalid body: pr_url: must be an https:// URL.', [{ path: ['pr_url'], code: 'invalid_url', message: 'must be https (http:// only to a loopback host in development)' }]);
}

/** The town event a fact becomes; `eviction_context` names the bead the agent holds now. */
export function factEvent(fact: AgentFact, agentId: string, hookedBeadId: string | null, dispatchId: string | null): NewTownEvent {
  switch (fact.kind) {
    case 'done':
      return { event_type: 'agent_done', agent_id: agentId, payload: { ...fact.body, dispatch_id: dispatchId } };
    case 'completed':
      return { event_type: 'agent_completed', agent_id: agentId, payload: { ...fact.body, dispatch_id: dispatchId } };
    case 'waiting':
      return { event_type: 'mayor_waiting', agent_id: agentId, payload: { ...fact.body, dispatch_id: dispatchId } };
    case 'eviction-context':
      return { event_type: 'eviction_context', agent_id: agentId, bead_id: hookedBeadId, payload: { ...fact.body, dispatch_id: dispatchId } };
  }
}

/** Stores the fact of a live agent as a town event; the caller kicks the alarm. */
export function recordAgentFact(ctx: TownCtx, agentId: string, dispatchId: string | null, fact: AgentFact): { accepted: true } {
  const agent = liveAgent(ctx.sql, agentId);
  if (fact.kind === 'done') checkPrUrl(fact.body.pr_url, ctx.development);
  insertTownEvent(ctx.sql, factEvent(fact, agentId, agent.hooked_bead_id, dispatchId), ctx.now);
  return { accepted: true };
}
