/**
 * Best-effort in-memory rate limiter (`http-api.md` §6): one instance per Durable Object, so the
 * counters reset when the object restarts. A sliding-window log per key, holding at most `limit`
 * timestamps; idle keys are pruned every few hundred checks. Used through `enforce.ts`.
 */

/** At most `limit` accepted calls in any `window_ms` span. */
export interface RateRule {
  readonly limit: number;
  readonly window_ms: number;
}

/** Outcome of `RateLimiter.check`; `retry_after_seconds` is an integer ≥ 1. */
export type RateDecision = { allowed: true } | { allowed: false; retry_after_seconds: number };

/** Options for tests and tuning. */
export interface RateLimiterOptions {
  /** Prune idle keys once every this many checks (default 256). */
  readonly pruneEvery?: number;
}

interface KeyLog {
  /** Accepted call times, oldest first; never longer than the rule's limit. */
  stamps: number[];
  /** Window of the rule last applied to this key, used when pruning. */
  window_ms: number;
}

const DEFAULT_PRUNE_EVERY = 256;

/** Sliding-window-log limiter keyed by strings such as `agent:<id>:heartbeat`. */
export class RateLimiter {
  private readonly logs = new Map<string, KeyLog>();
  private readonly pruneEvery: number;
  private checksSincePrune = 0;

  constructor(
    private readonly now: () => number,
    options: RateLimiterOptions = {},
  ) {
    this.pruneEvery = Math.max(1, Math.floor(options.pruneEvery ?? DEFAULT_PRUNE_EVERY));
  }

  /** Records the call and allows it, or refuses it (recording nothing) with the wait until a slot frees. */
  check(key: string, rule: RateRule): RateDecision {
    const t = this.now();
    this.maybePrune(t);
    const log = this.logs.get(key) ?? { stamps: [], window_ms: rule.window_ms };
    log.window_ms = rule.window_ms;
    // A stamp leaves the window once `window_ms` has fully passed since it.
    const live = log.stamps.filter((s) => t - s < rule.window_ms);
    // Keep only the newest `limit` stamps, should a key ever be checked under a smaller limit.
    log.stamps = live.slice(Math.max(0, live.length - rule.limit));
    this.logs.set(key, log);
    if (log.stamps.length < rule.limit) {
      log.stamps.push(t);
      return { allowed: true };
    }
    const oldest = log.stamps[0] ?? t;
    const waitMs = oldest + rule.window_ms - t;
    return { allowed: false, retry_after_seconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Number of keys currently held (for tests and diagnostics). */
  get size(): number {
    return this.logs.size;
  }

  /** Drops every key whose newest stamp has left its window; `now` defaults to the clock. */
  prune(now: number = this.now()): void {
    this.checksSincePrune = 0;
    for (const [key, log] of this.logs) {
      const newest = log.stamps[log.stamps.length - 1];
      if (newest === undefined || now - newest >= log.window_ms) this.logs.delete(key);
    }
  }

  private maybePrune(t: number): void {
    this.checksSincePrune += 1;
    if (this.checksSincePrune >= this.pruneEvery) this.prune(t);
  }
}
