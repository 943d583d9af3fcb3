/**
 * Every timer and timeout of the local launcher (`container.md` §11): one `LauncherTimings`
 * object built at its boot by `launcherTimingsFor(env)` and passed down. Kept apart from the
 * control server's `Timings` (a different process); `GASTOWN_TIMING=test` scales it the same way.
 */

/** Delays in milliseconds; `healthRetryMs` is a schedule (its length is the retry count). */
export interface LauncherTimings {
  /** Spawn → `control.listening` → healthy `/health`; beyond it the start fails and the group is killed. */
  startTimeoutMs: number;
  /** SIGTERM (or SIGINT) → SIGKILL of a control server's group (§11: 6 min, room for the §8 drain). */
  stopGraceMs: number;
  /** One `/health` call. */
  healthTimeoutMs: number;
  /** Delays before re-asking `/health` after a failed answer. */
  healthRetryMs: readonly number[];
  /** Upper bound of one proxied call (the worker's own deadlines are shorter). */
  proxyTimeoutMs: number;
  /** One `ps` listing of the process tree before a SIGKILL. */
  psTimeoutMs: number;
}

/** The production values. */
export const DEFAULT_LAUNCHER_TIMINGS: Readonly<LauncherTimings> = Object.freeze({
  startTimeoutMs: 60_000,
  stopGraceMs: 360_000,
  healthTimeoutMs: 5_000,
  healthRetryMs: Object.freeze([100, 250, 500, 1_000]),
  proxyTimeoutMs: 120_000,
  psTimeoutMs: 5_000,
});

const TEST_DIVISOR = 60;
const TEST_FLOOR_MS = 100;

/** Floors for waits that bound real work (a control server boot, a proxied kilo start). */
const WORK_FLOORS_MS = { startTimeoutMs: 30_000, healthTimeoutMs: 2_000, proxyTimeoutMs: 60_000, psTimeoutMs: 2_000 } as const;

function scale(ms: number, floor: number = TEST_FLOOR_MS): number {
  return Math.max(floor, Math.round(ms / TEST_DIVISOR));
}

/** The launcher's timings: `GASTOWN_TIMING=test` divides every delay by 60 (with floors). */
export function launcherTimingsFor(env: Readonly<Record<string, string | undefined>>): LauncherTimings {
  const base = DEFAULT_LAUNCHER_TIMINGS;
  if (env.GASTOWN_TIMING !== 'test') return { ...base };
  return {
    startTimeoutMs: scale(base.startTimeoutMs, WORK_FLOORS_MS.startTimeoutMs),
    stopGraceMs: scale(base.stopGraceMs),
    healthTimeoutMs: scale(base.healthTimeoutMs, WORK_FLOORS_MS.healthTimeoutMs),
    healthRetryMs: base.healthRetryMs.map((ms) => scale(ms)),
    proxyTimeoutMs: scale(base.proxyTimeoutMs, WORK_FLOORS_MS.proxyTimeoutMs),
    psTimeoutMs: scale(base.psTimeoutMs, WORK_FLOORS_MS.psTimeoutMs),
  };
}
