/**
 * A session ended (`reconciler.md` §3): `agent_completed` (the process exit report) and
 * `container_status` (the observe phase found a `working` agent exited or unknown, after the
 * cold-start grace). A polecat's `in_progress` issue reopens (or fails at the cap), a refinery
 * keeps its hook for R6/R7, the mayor goes idle; a `stalled` agent stays stalled. Called by `applyEvent`.
 */
import type { AgentCompletedPayload, ContainerStatusPayload } from '../../../protocol/events.ts';
import type { Action } from '../actions.ts';
import { reason } from '../mr-facts.ts';
import { releaseBead } from '../rules/release.ts';
import { livenessAgeMs } from '../rules/liveness.ts';
import type { AgentState, TownView } from '../view.ts';
import { releaseAgent, toIdle } from './agent-release.ts';
import { apply, warn, type EventInput, type EventResult } from './event-result.ts';

/** The exit as the handlers see it. */
interface Exit {
  status: 'completed' | 'failed';
  reason: string | null;
}

/** `agent_completed`. */
export function agentCompleted(input: EventInput<AgentCompletedPayload>): EventResult {
  if (input.agent === null) return warn('agent_completed without an agent');
  return exited(input.view, input.agent, { status: input.payload.status, reason: input.payload.reason ?? null });
}

/** `container_status`: only for `working` agents; `not_found` within the cold-start grace is ignored. */
export function containerStatus(input: EventInput<ContainerStatusPayload>): EventResult {
  const { agent, payload, now, t } = input;
  if (agent === null) return warn('container_status without an agent');
  if (agent.status !== 'working') return warn(`agent ${agent.id} is ${agent.status}, not working: container_status ignored`);
  if (payload.status === 'not_found' && livenessAgeMs(agent, now) < t.COLD_START_GRACE_MS) {
    return warn(`agent ${agent.id} not found within the cold-start grace: ignored`);
  }
  return exited(input.view, agent, { status: 'completed', reason: payload.exit_reason ?? `container reports the agent ${payload.status}` });
}

function exitCode(view: TownView, exit: Exit): string {
  if (exit.status === 'failed') return 'agent_failed';
  if ((exit.reason !== null && /evict/i.test(exit.reason)) || view.drain().draining) return 'container_eviction';
  return 'exited_without_done';
}

function exited(view: TownView, agent: AgentState, exit: Exit): EventResult {
  if (agent.status === 'stalled') return warn(`agent ${agent.id} is stalled: its exit was the force stop, A3 releases it`);
  const code = exitCode(view, exit);
  const message = exit.reason === null ? `session ended (${exit.status})` : `session ended (${exit.status}): ${exit.reason}`;
  if (agent.role === 'mayor') return apply(toIdle(agent, code, message));
  const bead = agent.hooked_bead_id === null ? null : view.bead(agent.hooked_bead_id);
  const exitedEvent: Action[] = bead === null ? [] : [{ type: 'bead_event', bead_id: bead.id, event_type: 'agent_exited', agent_id: agent.id, data: { status: exit.status, reason: exit.reason } }];
  // A refinery keeps its hook: R6 re-dispatches it, R7 cleans up after a terminal MR.
  if (agent.role === 'refinery') return apply([...exitedEvent, ...toIdle(agent, code, message)]);
  const reopen = bead !== null && bead.type === 'issue' && bead.status === 'in_progress' ? releaseBead(view, bead, reason(code, message)) : [];
  return apply([...exitedEvent, ...reopen, ...releaseAgent(agent, code, message)]);
}
