/**
 * Every timer and timeout of the control server (`container.md` §1): one `Timings` object built
 * at boot by `timingsFor(env)` and passed down, so no module holds a literal delay. The `test`
 * profile (`GASTOWN_TIMING=test`) divides every delay by 60 with a 100 ms floor.
 */

/** Delays in milliseconds; retry schedules are lists of delays (their length is a count). */
export interface Timings {
  heartbeatMs: number;
  idleMs: number;
  refineryIdleMs: number;
  drainIdleMs: number;
  drainWaitMs: number;
  serverListenTimeoutMs: number;
  serverCloseGraceMs: number;
  registryFetchTimeoutMs: number;
  registryPutDebounceMs: number;
  workerCallTimeoutMs: number;
  eventFlushMs: number;
  eventRetryMs: readonly number[];
  completionRetryMs: readonly number[];
  memoryLogMs: number;
  snapshotTimeoutMs: number;
  /** How long the checkpoint child waits on a kilo connection holding the db (SQLite busy timeout). */
  snapshotBusyTimeoutMs: number;
  /** Drain step 3: the poll interval while waiting for rig agents to exit. */
  drainPollMs: number;
  /** Drain step 5: the bound of one agent's WIP save (commit, push with one auth retry). */
  wipSaveTimeoutMs: number;
  /** Drain step 6: the bound of the final event flush. */
  drainFlushMs: number;
  tokenRefreshBeforeExpiryMs: number;
  /** Upper bound of one git child process (clone, fetch, commit, worktree). */
  gitTimeoutMs: number;
}

const MINUTE = 60_000;

/** The production values (`container.md` §4–§8). */
export const DEFAULT_TIMINGS: Readonly<Timings> = Object.freeze({
  heartbeatMs: 30_000,
  idleMs: 120_000,
  refineryIdleMs: 600_000,
  drainIdleMs: 10_000,
  drainWaitMs: 300_000,
  serverListenTimeoutMs: 30_000,
  serverCloseGraceMs: 5_000,
  registryFetchTimeoutMs: 10_000,
  registryPutDebounceMs: 500,
  workerCallTimeoutMs: 10_000,
  eventFlushMs: 1_000,
  eventRetryMs: Object.freeze([1_000, 2_000, 4_000]),
  completionRetryMs: Object.freeze([1_000, 2_000, 4_000]),
  memoryLogMs: 30_000,
  snapshotTimeoutMs: 10_000,
  snapshotBusyTimeoutMs: 1_000,
  drainPollMs: 1_000,
  wipSaveTimeoutMs: 30_000,
  drainFlushMs: 5_000,
  tokenRefreshBeforeExpiryMs: 30 * MINUTE,
  gitTimeoutMs: 120_000,
});

/** Divisor of the `test` profile (`reconciler.md` §1: "every container timer ÷ 60, with floors"). */
const TEST_DIVISOR = 60;
/** The floor of every scaled delay. */
const TEST_FLOOR_MS = 100;
/**
 * Higher floors for timeouts that bound real work (a `kilo serve` boot, a git child, a loopback
 * HTTP call, a sqlite checkpoint): that work does not get 60 times faster under test, so these
 * keep enough room not to turn a slow CI machine into a failure.
 */
const WORK_FLOORS_MS: Partial<Record<DelayKey, number>> = {
  // A real `kilo serve` takes 2–18 s to listen on a loaded machine: never less than production.
  serverListenTimeoutMs: 30_000,
  gitTimeoutMs: 30_000,
  snapshotTimeoutMs: 5_000,
  wipSaveTimeoutMs: 30_000,
  drainFlushMs: 1_000,
  // Also bounds the SDK calls to kilo (its first `tool.ids` takes 1.5–3 s).
  workerCallTimeoutMs: 10_000,
  registryFetchTimeoutMs: 2_000,
};

function scale(ms: number, floor: number = TEST_FLOOR_MS): number {
  return Math.max(floor, Math.round(ms / TEST_DIVISOR));
}

/** A positive integer from an env value, else null (unset, empty, garbage, zero). */
function positiveInt(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value.trim())) return null;
  const n = Number(value.trim());
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** The keys holding one delay (not a retry schedule). */
type DelayKey = { [K in keyof Timings]: Timings[K] extends number ? K : never }[keyof Timings];

/** `base` under the test profile: every delay ÷ 60 with its floor; schedule lengths unchanged. */
function scaled(base: Timings): Timings {
  const one = (key: DelayKey): number => scale(base[key], WORK_FLOORS_MS[key]);
  return {
    heartbeatMs: one('heartbeatMs'),
    idleMs: one('idleMs'),
    refineryIdleMs: one('refineryIdleMs'),
    drainIdleMs: one('drainIdleMs'),
    drainWaitMs: one('drainWaitMs'),
    serverListenTimeoutMs: one('serverListenTimeoutMs'),
    serverCloseGraceMs: one('serverCloseGraceMs'),
    registryFetchTimeoutMs: one('registryFetchTimeoutMs'),
    registryPutDebounceMs: one('registryPutDebounceMs'),
    workerCallTimeoutMs: one('workerCallTimeoutMs'),
    eventFlushMs: one('eventFlushMs'),
    eventRetryMs: base.eventRetryMs.map((ms) => scale(ms)),
    completionRetryMs: base.completionRetryMs.map((ms) => scale(ms)),
    memoryLogMs: one('memoryLogMs'),
    snapshotTimeoutMs: one('snapshotTimeoutMs'),
    snapshotBusyTimeoutMs: one('snapshotBusyTimeoutMs'),
    drainPollMs: one('drainPollMs'),
    wipSaveTimeoutMs: one('wipSaveTimeoutMs'),
    drainFlushMs: one('drainFlushMs'),
    tokenRefreshBeforeExpiryMs: one('tokenRefreshBeforeExpiryMs'),
    gitTimeoutMs: one('gitTimeoutMs'),
  };
}

/**
 * The timings for this process. `GASTOWN_TIMING=test` scales every delay (retry counts stay);
 * `GASTOWN_IDLE_MS` / `GASTOWN_REFINERY_IDLE_MS` then override the idle timers as given
 * (never scaled: an explicit value means exactly that).
 */
export function timingsFor(env: Readonly<Record<string, string | undefined>>): Timings {
  const base: Timings = { ...DEFAULT_TIMINGS };
  const t: Timings = env.GASTOWN_TIMING === 'test' ? scaled(base) : base;
  const idle = positiveInt(env.GASTOWN_IDLE_MS);
  const refineryIdle = positiveInt(env.GASTOWN_REFINERY_IDLE_MS);
  if (idle !== null) t.idleMs = idle;
  if (refineryIdle !== null) t.refineryIdleMs = refineryIdle;
  return t;
}
