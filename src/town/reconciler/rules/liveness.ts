/**
 * The agent clocks the rules measure (`reconciler.md` §5.1, §5.5): liveness (last heartbeat or
 * dispatch), the cold-start variant of the staleness threshold, and GUPP's progress clock.
 * Pure helpers read by the agent (A1, A4, A5), bead (B3) and GUPP rule groups.
 */
import type { Thresholds } from '../constants.ts';
import type { AgentState } from '../view.ts';

/** The latest non-null time, or null when all are null. */
function latest(...times: ReadonlyArray<number | null>): number | null {
  let best: number | null = null;
  for (const at of times) if (at !== null && (best === null || at > best)) best = at;
  return best;
}

/**
 * The agent's last sign of life: `max(last_heartbeat_at, last_dispatch_at)`. An agent with
 * neither (never dispatched) falls back to `working_since`, then `created_at`, so missing data
 * never makes an agent look older than it is.
 */
export function lastSignOfLife(agent: AgentState): number {
  return latest(agent.last_heartbeat_at, agent.last_dispatch_at) ?? agent.working_since ?? agent.created_at;
}

/** `now − max(last_heartbeat_at, last_dispatch_at)`. */
export function livenessAgeMs(agent: AgentState, now: number): number {
  return now - lastSignOfLife(agent);
}

/** Whether a heartbeat arrived since the last dispatch (false when none ever arrived). */
export function heartbeatSinceDispatch(agent: AgentState): boolean {
  if (agent.last_heartbeat_at === null) return false;
  return agent.last_dispatch_at === null || agent.last_heartbeat_at >= agent.last_dispatch_at;
}

/** The staleness limit of a live-looking agent: the cold-start grace until its first heartbeat. */
export function staleLimitMs(agent: AgentState, t: Thresholds): number {
  return heartbeatSinceDispatch(agent) ? t.HEARTBEAT_STALE_MS : t.COLD_START_GRACE_MS;
}

/** A1/A5: liveness strictly older than the (cold-start aware) limit. */
export function isHeartbeatStale(agent: AgentState, now: number, t: Thresholds): boolean {
  return livenessAgeMs(agent, now) > staleLimitMs(agent, t);
}

/** B3: a heartbeat less than `HEARTBEAT_STALE_MS` ago (the heartbeat column alone). */
export function heartbeatedRecently(agent: AgentState, now: number, t: Thresholds): boolean {
  return agent.last_heartbeat_at !== null && now - agent.last_heartbeat_at < t.HEARTBEAT_STALE_MS;
}

/** GUPP's progress clock: `now − max(last_event_at, last_dispatch_at)` (fallbacks as above). */
export function progressAgeMs(agent: AgentState, now: number): number {
  return now - (latest(agent.last_event_at, agent.last_dispatch_at) ?? agent.working_since ?? agent.created_at);
}
