/**
 * The named rate limits of `http-api.md` §6 and the counter key format. Read by the route
 * handlers and the TownDO when they call `enforceRateLimit`.
 */
import type { RateRule } from './rate-limiter.ts';

/** Every rate rule by name; windows in milliseconds. */
export const RATE_RULES = {
  /** P`/heartbeat`: 1 per 5 s per agent. */
  heartbeat: { limit: 1, window_ms: 5_000 },
  /** P`/events`: 20 calls per 10 s per agent. */
  agent_events: { limit: 20, window_ms: 10_000 },
  /** C`/events`: 10 calls per s per town. */
  container_events: { limit: 10, window_ms: 1_000 },
  /** T`/mayor/message`: 10 per min per town. */
  mayor_message: { limit: 10, window_ms: 60_000 },
  /** Mayor-tool writes (M, non-GET): 120 per min per town. */
  mayor_tool_writes: { limit: 120, window_ms: 60_000 },
  /** T`/live/ticket`: 10 per min per user. */
  live_ticket: { limit: 10, window_ms: 60_000 },
} as const satisfies Record<string, RateRule>;

/** A rule's name in `RATE_RULES`. */
export type RateRuleName = keyof typeof RATE_RULES;

/** Whose counter a key names: an agent id, a town id or a user's `sub`. */
export type RateScope = 'agent' | 'town' | 'user';

/** The counter key, e.g. `agent:<id>:heartbeat`, `town:<id>:mayor-message`, `user:<sub>:live-ticket`. */
export function rateKey(scope: RateScope, id: string, rule: RateRuleName): string {
  return `${scope}:${id}:${rule.replaceAll('_', '-')}`;
}

/**
 * `rule` under a timing profile: the window ÷ `divisor`, the limit unchanged. The test profile
 * (`GASTOWN_TIMING=test`, divisor 60) speeds up every client timer too — a container heartbeats
 * every 0.5 s — so an unscaled window would refuse most heartbeats and the agent would look stale.
 */
export function ruleForProfile(rule: RateRule, divisor: number): RateRule {
  if (divisor <= 1) return rule;
  return { limit: rule.limit, window_ms: Math.max(1, Math.round(rule.window_ms / divisor)) };
}
