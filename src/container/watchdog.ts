/**
 * The container health watchdog (`container.md` §11), as a pure state machine: 3 consecutive
 * failed calls, after a 60 s cold-start grace, ask for a destroy-and-restart, at most once per
 * 60 s and 3 times per 30 min; past that budget it gives up (`unhealthy`) until a call succeeds.
 */

export const WATCHDOG = Object.freeze({
  COLD_START_GRACE_MS: 60_000,
  FAILURES_BEFORE_RESTART: 3,
  MIN_RESTART_GAP_MS: 60_000,
  MAX_RESTARTS: 3,
  RESTART_WINDOW_MS: 30 * 60_000,
});

/** Persisted by the container object between calls. */
export interface WatchdogState {
  /** When this object last started the container (epoch ms), for the cold-start grace. */
  started_at: number | null;
  /** Consecutive failed calls. */
  failures: number;
  /** Restart times within the window. */
  restarts: number[];
  /** Gave up: the restart budget is spent and calls still fail. */
  unhealthy: boolean;
}

export const INITIAL_WATCHDOG: WatchdogState = Object.freeze({ started_at: null, failures: 0, restarts: [], unhealthy: false });

export type WatchdogAction = 'none' | 'restart' | 'give_up';

/** A call succeeded: the streak and the unhealthy flag clear. */
export function watchdogSuccess(s: WatchdogState): WatchdogState {
  return s.failures === 0 && !s.unhealthy ? s : { ...s, failures: 0, unhealthy: false };
}

/** The container was (re)started at `now`. */
export function watchdogStarted(s: WatchdogState, now: number): WatchdogState {
  return { ...s, started_at: now, failures: 0 };
}

/**
 * A call failed at `now`. Within the cold-start grace nothing counts. The third failure in a row
 * asks for a restart if the last one is ≥ 60 s old and fewer than 3 happened in 30 min; with
 * the budget spent it gives up (`give_up` only on the transition; `unhealthy` stays set).
 */
export function watchdogFailure(s: WatchdogState, now: number): { state: WatchdogState; action: WatchdogAction } {
  if (s.started_at !== null && now - s.started_at < WATCHDOG.COLD_START_GRACE_MS) return { state: s, action: 'none' };
  const failures = s.failures + 1;
  const restarts = s.restarts.filter((t) => now - t < WATCHDOG.RESTART_WINDOW_MS);
  if (failures < WATCHDOG.FAILURES_BEFORE_RESTART) return { state: { ...s, failures, restarts }, action: 'none' };
  const last = restarts.length === 0 ? null : Math.max(...restarts);
  if (last !== null && now - last < WATCHDOG.MIN_RESTART_GAP_MS) return { state: { ...s, failures, restarts }, action: 'none' };
  if (restarts.length >= WATCHDOG.MAX_RESTARTS) {
    return { state: { ...s, failures, restarts, unhealthy: true }, action: s.unhealthy ? 'none' : 'give_up' };
  }
  return { state: { started_at: now, failures: 0, restarts: [...restarts, now], unhealthy: false }, action: 'restart' };
}

/** Restarts within the window ending at `now`. */
export function restartsInWindow(s: WatchdogState, now: number): number {
  return s.restarts.filter((t) => now - t < WATCHDOG.RESTART_WINDOW_MS).length;
}
