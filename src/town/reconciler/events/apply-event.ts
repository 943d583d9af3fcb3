/**
 * `applyEvent(view, event, now, t)` (`reconciler.md` §3): validates the payload, skips events
 * whose agent or bead is gone (`missing`) and agent reports from an older dispatch (`stale`),
 * then hands the event to its handler. Pure; called by the tick's drain and the debug dry run.
 * An unknown type or an invalid payload throws: the drain counts a failed attempt.
 */
import { TownEventBody, TownEventType } from '../../../protocol/events.ts';
import type { Thresholds } from '../constants.ts';
import type { TownEvent } from '../types.ts';
import type { AgentState, BeadState, TownView } from '../view.ts';
import { agentDone } from './agent-done.ts';
import { agentCompleted, containerStatus } from './agent-exit.ts';
import { dispatchResult, evictionContext, heartbeatResumed, mayorWaiting } from './agent-signals.ts';
import { containerEviction, mailDelivered, nudgeSent } from './delivery-outcomes.ts';
import type { EventInput, EventResult } from './event-result.ts';
import { mergeResult, parseMergeRequestId, prMergeAttempted } from './merge-outcomes.ts';
import { prPolled } from './pr-polled.ts';

export type { EventResult } from './event-result.ts';

/** Events that are about an agent: without one they are `missing`. */
const NEEDS_AGENT: ReadonlySet<TownEventType> = new Set<TownEventType>([
  'agent_done',
  'agent_completed',
  'container_status',
  'heartbeat_resumed',
  'mayor_waiting',
  'eviction_context',
  'dispatch_result',
]);

/** Events that are about a merge request: without one they are `missing`. */
const NEEDS_BEAD: ReadonlySet<TownEventType> = new Set<TownEventType>(['pr_polled', 'pr_merge_attempted', 'merge_result']);

type Subjects = { agent: AgentState | null; bead: BeadState | null } | { missing: string };

function missing(warning: string): EventResult {
  return { actions: [], skip: 'missing', warning };
}

function resolveSubjects(view: TownView, event: TownEvent, body: TownEventBody): Subjects {
  const type = body.event_type;
  let agent: AgentState | null = null;
  if (event.agent_id !== null) {
    agent = view.agent(event.agent_id);
    if (agent === null || agent.status === 'dead') return { missing: `${type}: agent ${event.agent_id} ${agent === null ? 'not found' : 'is dead'}` };
  } else if (NEEDS_AGENT.has(type)) {
    return { missing: `${type}: the event names no agent` };
  }
  const requestBead = body.event_type === 'merge_result' ? (parseMergeRequestId(body.payload.request_id)?.bead_id ?? null) : null;
  const beadId = event.bead_id ?? requestBead;
  let bead: BeadState | null = null;
  if (beadId !== null) {
    bead = view.bead(beadId);
    if (bead === null) return { missing: `${type}: bead ${beadId} not found` };
  } else if (NEEDS_BEAD.has(type)) {
    return { missing: `${type}: the event names no bead` };
  }
  return { agent, bead };
}

/**
 * An agent report (its payload carries the token's `dispatch_id`) from another dispatch than the
 * agent's current one. The mayor is never checked; `dispatch_result` is an effect outcome, not an
 * agent report, and records history for whichever dispatch it describes.
 */
function staleReport(body: TownEventBody, agent: AgentState | null): string | null {
  if (agent === null || agent.role === 'mayor' || body.event_type === 'dispatch_result') return null;
  if (!('dispatch_id' in body.payload)) return null;
  const reported = body.payload.dispatch_id;
  const current = agent.current_dispatch_id === null ? null : agent.current_dispatch_id.toLowerCase();
  if (reported === current) return null;
  return `${body.event_type}: dispatch ${reported ?? 'null'} is not agent ${agent.id}'s current dispatch ${current ?? 'null'}`;
}

/** Applies one town event; see the file header for skips and throws. */
export function applyEvent(view: TownView, event: TownEvent, now: number, t: Thresholds): EventResult {
  const type = TownEventType.safeParse(event.event_type);
  if (!type.success) throw new Error(`unknown town event type: ${event.event_type}`);
  const body = TownEventBody.parse({ event_type: type.data, payload: event.payload });
  const subjects = resolveSubjects(view, event, body);
  if ('missing' in subjects) return missing(subjects.missing);
  const stale = staleReport(body, subjects.agent);
  if (stale !== null) return { actions: [], skip: 'stale', warning: stale };
  const base = { view, event, now, t, agent: subjects.agent, bead: subjects.bead };
  const input = <P>(payload: P): EventInput<P> => ({ ...base, payload });
  switch (body.event_type) {
    case 'agent_done':
      return agentDone(input(body.payload));
    case 'agent_completed':
      return agentCompleted(input(body.payload));
    case 'container_status':
      return containerStatus(input(body.payload));
    case 'heartbeat_resumed':
      return heartbeatResumed(input(body.payload));
    case 'mayor_waiting':
      return mayorWaiting(input(body.payload));
    case 'eviction_context':
      return evictionContext(input(body.payload));
    case 'dispatch_result':
      return dispatchResult(input(body.payload));
    case 'pr_polled':
      return prPolled(input(body.payload));
    case 'pr_merge_attempted':
      return prMergeAttempted(input(body.payload));
    case 'mail_delivered':
      return mailDelivered(input(body.payload));
    case 'nudge_sent':
      return nudgeSent(input(body.payload));
    case 'merge_result':
      return mergeResult(input(body.payload));
    case 'container_eviction':
      return containerEviction(input(body.payload));
  }
}
