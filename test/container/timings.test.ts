/**
 * Tests of `timingsFor` (`container.md` §1): production values, the test profile (÷ 60 with
 * floors, retry counts unchanged) and the idle overrides.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMINGS, timingsFor } from '../../container/src/timings.ts';

describe('timingsFor', () => {
  it('gives the production values by default', () => {
    const t = timingsFor({});
    expect(t).toEqual(DEFAULT_TIMINGS);
    expect(t).toMatchObject({ heartbeatMs: 30_000, idleMs: 120_000, refineryIdleMs: 600_000, drainIdleMs: 10_000, drainWaitMs: 300_000, eventFlushMs: 1_000, tokenRefreshBeforeExpiryMs: 1_800_000 });
    expect(t.eventRetryMs).toEqual([1_000, 2_000, 4_000]);
  });

  it('test profile: every delay ÷ 60 with a 100 ms floor, counts unchanged', () => {
    const t = timingsFor({ GASTOWN_TIMING: 'test' });
    expect(t.heartbeatMs).toBe(500);
    expect(t.idleMs).toBe(2_000);
    expect(t.refineryIdleMs).toBe(10_000);
    expect(t.drainWaitMs).toBe(5_000);
    expect(t.eventFlushMs).toBe(100); // 1000 / 60 ≈ 17 → floor
    expect(t.registryPutDebounceMs).toBe(100);
    expect(t.eventRetryMs).toEqual([100, 100, 100]);
    expect(t.completionRetryMs).toHaveLength(3);
    expect(t.tokenRefreshBeforeExpiryMs).toBe(30_000);
  });

  it('test profile keeps higher floors on timeouts that bound real work', () => {
    const t = timingsFor({ GASTOWN_TIMING: 'test' });
    expect(t.serverListenTimeoutMs).toBe(30_000);
    expect(t.gitTimeoutMs).toBe(30_000);
    expect(t.workerCallTimeoutMs).toBe(10_000);
    for (const [key, value] of Object.entries(t)) {
      if (typeof value === 'number') expect(value, key).toBeGreaterThanOrEqual(100);
    }
  });

  it('GASTOWN_IDLE_MS and GASTOWN_REFINERY_IDLE_MS override as given, in either profile', () => {
    expect(timingsFor({ GASTOWN_IDLE_MS: '2500', GASTOWN_REFINERY_IDLE_MS: '7000' })).toMatchObject({ idleMs: 2_500, refineryIdleMs: 7_000 });
    expect(timingsFor({ GASTOWN_TIMING: 'test', GASTOWN_IDLE_MS: '50' })).toMatchObject({ idleMs: 50, refineryIdleMs: 10_000 });
    expect(timingsFor({ GASTOWN_IDLE_MS: 'soon', GASTOWN_REFINERY_IDLE_MS: '0' })).toMatchObject({ idleMs: 120_000, refineryIdleMs: 600_000 });
  });

  it('never hands out the shared defaults for mutation', () => {
    const t = timingsFor({ GASTOWN_IDLE_MS: '1' });
    expect(DEFAULT_TIMINGS.idleMs).toBe(120_000);
    expect(t).not.toBe(DEFAULT_TIMINGS);
  });
});
