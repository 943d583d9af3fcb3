/**
 * Every threshold of the reconciler (`reconciler.md` §1) in one table, plus the development
 * timing profile (`GASTOWN_TIMING=test`): every duration ÷ 60 with a floor, counts and caps
 * unchanged. Rules read a `Thresholds` value passed in, never module state.
 */

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

/** The production values. Durations in ms. */
export const THRESHOLDS = {
  HEARTBEAT_STALE_MS: 90 * S,
  COLD_START_GRACE_MS: 180 * S,
  CONTAINER_STATUS_TIMEOUT_MS: 10 * S,
  AGENT_START_TIMEOUT_MS: 60 * S,
  /** Backoff after attempt n (index n-1); the last value repeats. */
  DISPATCH_BACKOFF_MS: [30 * S, 1 * MIN, 2 * MIN, 5 * MIN, 10 * MIN] as readonly number[],
  BREAKER_BEADS: 20,
  BREAKER_MIN_ATTEMPTS: 2,
  BREAKER_WINDOW_MS: 30 * MIN,
  STALE_IN_PROGRESS_MS: 5 * MIN,
  IN_REVIEW_SAFETY_NET_MS: 5 * MIN,
  MR_ABANDONED_MS: 2 * MIN,
  MR_REVIEW_ORPHAN_MS: 30 * MIN,
  PR_POLL_INTERVAL_MS: 60 * S,
  PR_POLL_AWAITING_APPROVAL_MS: 5 * MIN,
  PR_APPROVAL_NAG_MS: 24 * H,
  PR_POLL_NON_TRANSIENT_LIMIT: 3,
  PR_POLL_TRANSIENT_LIMIT: 10,
  MAX_FOLLOWUPS_PER_MR: 5,
  LANDING_MR_MAX_ATTEMPTS: 5,
  LANDING_COOLDOWN_BASE_MS: 30 * S,
  LANDING_COOLDOWN_MAX_MS: 30 * MIN,
  CONVOY_DECISION_MS: 24 * H,
  GUPP_WARN_MS: 15 * MIN,
  GUPP_ESCALATE_MS: 1 * H,
  GUPP_FORCE_STOP_MS: 2 * H,
  GUPP_REPEAT_MS: 60 * MIN,
  STALLED_RELEASE_MS: 2.5 * H,
  AGENT_GC_MS: 24 * H,
  RE_ESCALATE_MS: 4 * H,
  MAX_RE_ESCALATIONS: 2,
  MAIL_BATCH: 20,
  EVENT_MAX_ATTEMPTS: 3,
  EVENT_DRAIN_BATCH: 200,
  EVENT_STUCK_MS: 10 * MIN,
  EVENT_RETENTION_MS: 7 * D,
  DEAD_LETTER_RETENTION_MS: 30 * D,
  DEAD_AGENT_RETENTION_MS: 7 * D,
  MIN_TICK_GAP_MS: 250,
  KICK_BURST_MAX: 20,
  DRAIN_MAX_MS: 7 * MIN,
  /** A repeat of the same invariant violation goes to Sentry at most this often. */
  VIOLATION_REPORT_MS: 1 * H,
  /** The town's alarm intervals (config `alarm.*_seconds`) are divided by this. */
  INTERVAL_DIVISOR: 1,
} as const;

export type Thresholds = {
  -readonly [K in keyof typeof THRESHOLDS]: (typeof THRESHOLDS)[K] extends readonly number[] ? readonly number[] : number;
};

/** Keys that are counts or caps: never scaled. */
const UNSCALED = new Set<keyof Thresholds>([
  'BREAKER_BEADS',
  'BREAKER_MIN_ATTEMPTS',
  'PR_POLL_NON_TRANSIENT_LIMIT',
  'PR_POLL_TRANSIENT_LIMIT',
  'MAX_FOLLOWUPS_PER_MR',
  'LANDING_MR_MAX_ATTEMPTS',
  'MAX_RE_ESCALATIONS',
  'MAIL_BATCH',
  'EVENT_MAX_ATTEMPTS',
  'EVENT_DRAIN_BATCH',
  'KICK_BURST_MAX',
  'MIN_TICK_GAP_MS',
  'INTERVAL_DIVISOR',
]);

/** Floor of a scaled duration: nothing in the test profile waits less than this. */
export const TEST_PROFILE_FLOOR_MS = 1000;
export const TEST_PROFILE_DIVISOR = 60;
/**
 * Higher floors for durations that bound real work, which does not get 60 times faster under
 * test: an `/agents/start` waits for the container's boot, its hydration gate (a mayor prewarm
 * is a `kilo serve` boot) and a `kilo serve` boot — seconds to tens of seconds — and the control
 * server drops a start whose caller hung up before it read the body. The cold-start grace (no
 * heartbeat yet since a dispatch) must outlast such a start, as it does in production (180 s
 * against 60 s): else a mayor whose start is still running is reaped as stale (A5) and its
 * container stopped as idle under it.
 */
export const TEST_PROFILE_WORK_FLOORS_MS: Readonly<Partial<Record<keyof Thresholds, number>>> = {
  AGENT_START_TIMEOUT_MS: THRESHOLDS.AGENT_START_TIMEOUT_MS,
  COLD_START_GRACE_MS: THRESHOLDS.AGENT_START_TIMEOUT_MS,
};

/** The thresholds for a timing profile (`test` is honoured only in development). */
export function thresholdsFor(profile: 'production' | 'test'): Thresholds {
  if (profile === 'production') return { ...THRESHOLDS };
  const scaled: Record<string, number | readonly number[]> = { INTERVAL_DIVISOR: TEST_PROFILE_DIVISOR };
  for (const [key, value] of Object.entries(THRESHOLDS)) {
    if (key === 'INTERVAL_DIVISOR') continue;
    if (UNSCALED.has(key as keyof Thresholds)) scaled[key] = value;
    else if (Array.isArray(value)) scaled[key] = value.map((ms: number) => scale(ms));
    else scaled[key] = scale(value as number, TEST_PROFILE_WORK_FLOORS_MS[key as keyof Thresholds]);
  }
  return scaled as Thresholds;
}

function scale(ms: number, floor: number = TEST_PROFILE_FLOOR_MS): number {
  return Math.max(floor, Math.round(ms / TEST_PROFILE_DIVISOR));
}

/** The backoff before the next dispatch of a bead that has had `attempts` dispatches. */
export function dispatchBackoffMs(t: Thresholds, attempts: number): number {
  if (attempts <= 0) return 0;
  const table = t.DISPATCH_BACKOFF_MS;
  return table[Math.min(attempts, table.length) - 1] ?? table[table.length - 1] ?? 0;
}

/** Landing MR cooldown: min(2^attempts × base, max). */
export function landingCooldownMs(t: Thresholds, attempts: number): number {
  return Math.min(2 ** attempts * t.LANDING_COOLDOWN_BASE_MS, t.LANDING_COOLDOWN_MAX_MS);
}
