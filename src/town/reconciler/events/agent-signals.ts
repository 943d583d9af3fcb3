/**
 * Small agent reports (`reconciler.md` §3): `heartbeat_resumed` (an idle, hooked agent is alive
 * → working), `mayor_waiting` (the mayor's turn ended), `eviction_context` (WIP saved during a
 * drain) and `dispatch_result` (bead events only: a failed start leaves the agent `working`,
 * seed 000 §6a). Called by `applyEvent`.
 */
import type { DispatchResultPayload, EvictionContextPayload, HeartbeatResumedPayload, MayorWaitingPayload } from '../../../protocol/events.ts';
import { isTerminalStatus, reason } from '../mr-facts.ts';
import { apply, warn, type EventInput, type EventResult } from './event-result.ts';

/** Still idle and hooked to a live bead → `working`. */
export function heartbeatResumed(input: EventInput<HeartbeatResumedPayload>): EventResult {
  const { agent, view } = input;
  if (agent === null || agent.status !== 'idle' || agent.hooked_bead_id === null) return warn('heartbeat_resumed: agent no longer idle and hooked');
  const bead = view.bead(agent.hooked_bead_id);
  if (bead === null || isTerminalStatus(bead.status)) return warn(`heartbeat_resumed: agent ${agent.id} holds a finished bead`);
  return apply([{ type: 'transition_agent', agent_id: agent.id, from: 'idle', to: 'working', reason: reason('heartbeat_resumed', 'a heartbeat arrived from the live session') }]);
}

/** The mayor `working` and `fired_at ≥ working_since` → `waiting`. */
export function mayorWaiting(input: EventInput<MayorWaitingPayload>): EventResult {
  const { agent, payload } = input;
  if (agent === null || agent.role !== 'mayor') return warn('mayor_waiting from an agent that is not the mayor');
  if (agent.status !== 'working') return warn(`mayor_waiting: the mayor is ${agent.status}`);
  const firedAt = Date.parse(payload.fired_at);
  if (agent.working_since !== null && firedAt < agent.working_since) return warn('mayor_waiting: the turn ended before the current one started');
  return apply([{ type: 'transition_agent', agent_id: agent.id, from: 'working', to: 'waiting', reason: reason('turn_ended', 'the mayor finished its turn') }]);
}

/** The agent's hooked bead (taken at insert) gets the event and `followup_context.eviction`. */
export function evictionContext(input: EventInput<EvictionContextPayload>): EventResult {
  const { agent, payload, view } = input;
  const bead = input.bead ?? (agent === null || agent.hooked_bead_id === null ? null : view.bead(agent.hooked_bead_id));
  if (bead === null) return warn('eviction_context: the agent holds no bead');
  const eviction = {
    branch: payload.branch,
    ...(payload.commit_sha === undefined ? {} : { commit_sha: payload.commit_sha }),
    ...(payload.note === undefined ? {} : { note: payload.note }),
  };
  return apply([
    { type: 'bead_event', bead_id: bead.id, event_type: 'eviction_context', agent_id: agent?.id ?? null, data: eviction },
    { type: 'set_followup_context', bead_id: bead.id, patch: { eviction } },
  ]);
}

/** `dispatched` or `dispatch_failed` on the bead; the agent's status is never touched. */
export function dispatchResult(input: EventInput<DispatchResultPayload>): EventResult {
  const { agent, payload, view } = input;
  const bead = input.bead ?? (agent === null || agent.hooked_bead_id === null ? null : view.bead(agent.hooked_bead_id));
  if (bead === null) return warn('dispatch_result: no bead to record it on');
  const data = { dispatch_id: payload.dispatch_id, attempt: bead.dispatch_attempts, ...(payload.error === undefined ? {} : { error: payload.error }) };
  return apply([{ type: 'bead_event', bead_id: bead.id, event_type: payload.ok ? 'dispatched' : 'dispatch_failed', agent_id: agent?.id ?? null, data }]);
}
