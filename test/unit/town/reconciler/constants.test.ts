/**
 * The reconciler's thresholds (`reconciler.md` §1): the production table, the development
 * timing profile (`thresholdsFor('test')`: every duration ÷ 60 with the 1 s floor, counts and
 * caps unchanged — every key enumerated), the dispatch backoff table and the landing cooldown.
 */
import { describe, expect, it } from 'vitest';
import { dispatchBackoffMs, landingCooldownMs, TEST_PROFILE_FLOOR_MS, TEST_PROFILE_WORK_FLOORS_MS, THRESHOLDS, thresholdsFor, type Thresholds } from '../../../../src/town/reconciler/constants.ts';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

/** Every duration key: its production value and its test-profile value (÷ 60, floor 1 s). */
const DURATIONS: Record<string, { production: number; test: number }> = {
  HEARTBEAT_STALE_MS: { production: 90 * S, test: 1500 },
  COLD_START_GRACE_MS: { production: 180 * S, test: 60 * S }, // outlasts a real start (the start timeout's floor)
  CONTAINER_STATUS_TIMEOUT_MS: { production: 10 * S, test: 1000 }, // 167 ms → floor
  AGENT_START_TIMEOUT_MS: { production: 60 * S, test: 60 * S }, // real work (hydration gate, kilo boot): production floor
  BREAKER_WINDOW_MS: { production: 30 * MIN, test: 30 * S },
  STALE_IN_PROGRESS_MS: { production: 5 * MIN, test: 5 * S },
  IN_REVIEW_SAFETY_NET_MS: { production: 5 * MIN, test: 5 * S },
  MR_ABANDONED_MS: { production: 2 * MIN, test: 2 * S },
  MR_REVIEW_ORPHAN_MS: { production: 30 * MIN, test: 30 * S },
  PR_POLL_INTERVAL_MS: { production: 60 * S, test: 1000 },
  PR_POLL_AWAITING_APPROVAL_MS: { production: 5 * MIN, test: 5 * S },
  PR_APPROVAL_NAG_MS: { production: 24 * H, test: 24 * MIN },
  LANDING_COOLDOWN_BASE_MS: { production: 30 * S, test: 1000 }, // 500 ms → floor
  LANDING_COOLDOWN_MAX_MS: { production: 30 * MIN, test: 30 * S },
  CONVOY_DECISION_MS: { production: 24 * H, test: 24 * MIN },
  GUPP_WARN_MS: { production: 15 * MIN, test: 15 * S },
  GUPP_ESCALATE_MS: { production: 1 * H, test: 1 * MIN },
  GUPP_FORCE_STOP_MS: { production: 2 * H, test: 2 * MIN },
  GUPP_REPEAT_MS: { production: 60 * MIN, test: 1 * MIN },
  STALLED_RELEASE_MS: { production: 2.5 * H, test: 2.5 * MIN },
  AGENT_GC_MS: { production: 24 * H, test: 24 * MIN },
  RE_ESCALATE_MS: { production: 4 * H, test: 4 * MIN },
  EVENT_STUCK_MS: { production: 10 * MIN, test: 10 * S },
  EVENT_RETENTION_MS: { production: 7 * D, test: 7 * D / 60 },
  DEAD_LETTER_RETENTION_MS: { production: 30 * D, test: 30 * D / 60 },
  DEAD_AGENT_RETENTION_MS: { production: 7 * D, test: 7 * D / 60 },
  DRAIN_MAX_MS: { production: 7 * MIN, test: 7 * S },
  VIOLATION_REPORT_MS: { production: 1 * H, test: 1 * MIN },
};

/**
 * Counts and caps, never scaled. `MIN_TICK_GAP_MS` is a duration but already below the floor:
 * scaling it would raise it (250 ms → 1 s), so it is kept.
 */
const UNSCALED: Record<string, number> = {
  BREAKER_BEADS: 20,
  BREAKER_MIN_ATTEMPTS: 2,
  PR_POLL_NON_TRANSIENT_LIMIT: 3,
  PR_POLL_TRANSIENT_LIMIT: 10,
  MAX_FOLLOWUPS_PER_MR: 5,
  LANDING_MR_MAX_ATTEMPTS: 5,
  MAX_RE_ESCALATIONS: 2,
  MAIL_BATCH: 20,
  EVENT_MAX_ATTEMPTS: 3,
  EVENT_DRAIN_BATCH: 200,
  KICK_BURST_MAX: 20,
  MIN_TICK_GAP_MS: 250,
};

const BACKOFF_PRODUCTION = [30 * S, 1 * MIN, 2 * MIN, 5 * MIN, 10 * MIN];
const BACKOFF_TEST = [1000, 1000, 2 * S, 5 * S, 10 * S]; // 500 ms → floor

describe('THRESHOLDS / thresholdsFor', () => {
  it('every key is enumerated here as a duration, a count/cap, the backoff table or the interval divisor', () => {
    const known = new Set([...Object.keys(DURATIONS), ...Object.keys(UNSCALED), 'DISPATCH_BACKOFF_MS', 'INTERVAL_DIVISOR']);
    expect(Object.keys(THRESHOLDS).sort()).toEqual([...known].sort());
    expect(Object.keys(thresholdsFor('test')).sort()).toEqual([...known].sort());
  });

  for (const [key, v] of Object.entries(DURATIONS)) {
    it(`${key}: ${v.production} ms in production, ${v.test} ms in the test profile`, () => {
      const production: Record<string, unknown> = thresholdsFor('production');
      const test: Record<string, unknown> = thresholdsFor('test');
      expect(production[key]).toBe(v.production);
      expect(test[key]).toBe(v.test);
      expect(test[key]).toBe(Math.max(TEST_PROFILE_WORK_FLOORS_MS[key as keyof Thresholds] ?? TEST_PROFILE_FLOOR_MS, Math.round(v.production / 60)));
    });
  }

  for (const [key, value] of Object.entries(UNSCALED)) {
    it(`${key} = ${value} in both profiles`, () => {
      const production: Record<string, unknown> = thresholdsFor('production');
      const test: Record<string, unknown> = thresholdsFor('test');
      expect(production[key]).toBe(value);
      expect(test[key]).toBe(value);
    });
  }

  it('the dispatch backoff table is scaled entry by entry, with the floor', () => {
    expect(thresholdsFor('production').DISPATCH_BACKOFF_MS).toEqual(BACKOFF_PRODUCTION);
    expect(thresholdsFor('test').DISPATCH_BACKOFF_MS).toEqual(BACKOFF_TEST);
  });

  it('the town alarm intervals are divided by 60 only in the test profile', () => {
    expect(thresholdsFor('production').INTERVAL_DIVISOR).toBe(1);
    expect(thresholdsFor('test').INTERVAL_DIVISOR).toBe(60);
  });

  it('returns a fresh copy: changing one profile value leaves THRESHOLDS and later calls alone', () => {
    const t: Thresholds = thresholdsFor('production');
    t.HEARTBEAT_STALE_MS = 1;
    expect(THRESHOLDS.HEARTBEAT_STALE_MS).toBe(90 * S);
    expect(thresholdsFor('production').HEARTBEAT_STALE_MS).toBe(90 * S);
    expect(thresholdsFor('test').HEARTBEAT_STALE_MS).toBe(1500);
  });
});

describe('dispatchBackoffMs', () => {
  const cases: Array<{ attempts: number; production: number; test: number }> = [
    { attempts: -1, production: 0, test: 0 },
    { attempts: 0, production: 0, test: 0 },
    { attempts: 1, production: 30 * S, test: 1000 },
    { attempts: 2, production: 1 * MIN, test: 1000 },
    { attempts: 3, production: 2 * MIN, test: 2 * S },
    { attempts: 4, production: 5 * MIN, test: 5 * S },
    { attempts: 5, production: 10 * MIN, test: 10 * S },
    { attempts: 6, production: 10 * MIN, test: 10 * S },
    { attempts: 100, production: 10 * MIN, test: 10 * S },
  ];
  for (const c of cases) {
    it(`after ${c.attempts} attempts: ${c.production} ms (test profile ${c.test} ms)`, () => {
      expect(dispatchBackoffMs(thresholdsFor('production'), c.attempts)).toBe(c.production);
      expect(dispatchBackoffMs(thresholdsFor('test'), c.attempts)).toBe(c.test);
    });
  }
});

describe('landingCooldownMs = min(2^attempts × 30 s, 30 min)', () => {
  const cases: Array<{ attempts: number; production: number; test: number }> = [
    { attempts: 0, production: 30 * S, test: 1 * S },
    { attempts: 1, production: 1 * MIN, test: 2 * S },
    { attempts: 2, production: 2 * MIN, test: 4 * S },
    { attempts: 5, production: 16 * MIN, test: 30 * S }, // 32 s → the 30 s cap
    { attempts: 6, production: 30 * MIN, test: 30 * S }, // 32 min → capped
    { attempts: 10, production: 30 * MIN, test: 30 * S },
  ];
  for (const c of cases) {
    it(`after ${c.attempts} landing attempts: ${c.production} ms (test profile ${c.test} ms)`, () => {
      expect(landingCooldownMs(thresholdsFor('production'), c.attempts)).toBe(c.production);
      expect(landingCooldownMs(thresholdsFor('test'), c.attempts)).toBe(c.test);
    });
  }
});
