/**
 * The common tail of agent reports (`reconciler.md` §3): unhook the agent and set it `idle`, each
 * only when needed, with a compare-and-set on its current status. Used by the `agent_done`,
 * `agent_completed` and `container_status` handlers.
 */
import type { Action } from '../actions.ts';
import { reason } from '../mr-facts.ts';
import type { AgentState } from '../view.ts';

/** The agent → `idle` from `working`/`waiting`/`stalled`; nothing when already idle. */
export function toIdle(agent: AgentState, code: string, message: string): Action[] {
  if (agent.status === 'idle' || agent.status === 'dead') return [];
  return [{ type: 'transition_agent', agent_id: agent.id, from: agent.status, to: 'idle', reason: reason(code, message) }];
}

/** Unhook (when hooked), then idle. */
export function releaseAgent(agent: AgentState, code: string, message: string): Action[] {
  const unhook: Action[] = agent.hooked_bead_id === null ? [] : [{ type: 'unhook', agent_id: agent.id, reason: code }];
  return [...unhook, ...toIdle(agent, code, message)];
}
