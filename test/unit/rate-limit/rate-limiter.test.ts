/**
 * Tests for the sliding-window-log `RateLimiter` (`http-api.md` §6), driven by an injected clock.
 */
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/rate-limit/rate-limiter.ts';
import type { RateRule } from '../../../src/rate-limit/rate-limiter.ts';

/** A manual clock: `advance` moves time, the limiter reads `now`. */
function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

const THREE_PER_10S: RateRule = { limit: 3, window_ms: 10_000 };

describe('RateLimiter', () => {
  it('allows up to the limit, then refuses with retry_after computed from the oldest call', () => {
    const c = clock();
    const rl = new RateLimiter(c.now);
    expect(rl.check('k', THREE_PER_10S)).toEqual({ allowed: true });
    c.advance(2_000);
    expect(rl.check('k', THREE_PER_10S)).toEqual({ allowed: true });
    c.advance(2_000);
    expect(rl.check('k', THREE_PER_10S)).toEqual({ allowed: true });
    c.advance(1_500);
    // Oldest call at t0, now t0+5.5 s: a slot frees at t0+10 s, 4.5 s away → 5.
    expect(rl.check('k', THREE_PER_10S)).toEqual({ allowed: false, retry_after_seconds: 5 });
  });

  it.each([
    { elapsed: 0, want: 5 },
    { elapsed: 1, want: 5 },
    { elapsed: 1_000, want: 4 },
    { elapsed: 4_001, want: 1 },
    { elapsed: 4_999, want: 1 },
  ])('heartbeat-style 1 per 5 s: $elapsed ms after → retry_after $want', ({ elapsed, want }) => {
    const c = clock();
    const rl = new RateLimiter(c.now);
    const rule: RateRule = { limit: 1, window_ms: 5_000 };
    expect(rl.check('agent:a:heartbeat', rule).allowed).toBe(true);
    c.advance(elapsed);
    expect(rl.check('agent:a:heartbeat', rule)).toEqual({ allowed: false, retry_after_seconds: want });
  });

  it('never reports less than 1 second for a sub-second window', () => {
    const c = clock();
    const rl = new RateLimiter(c.now);
    const rule: RateRule = { limit: 1, window_ms: 100 };
    rl.check('k', rule);
    c.advance(50);
    expect(rl.check('k', rule)).toEqual({ allowed: false, retry_after_seconds: 1 });
  });

  it('slides: a slot frees exactly when the oldest call leaves the window', () => {
    const c = clock();
    const rl = new RateLimiter(c.now);
    rl.check('k', THREE_PER_10S); // t0
    c.advance(3_000);
    rl.check('k', THREE_PER_10S); // t0+3
    rl.check('k', THREE_PER_10S); // t0+3
    c.advance(6_999); // t0+9.999: still full
    expect(rl.check('k', THREE_PER_10S).allowed).toBe(false);
    c.advance(1); // t0+10: the t0 call has left
    expect(rl.check('k', THREE_PER_10S)).toEqual({ allowed: true });
    // Full again (t0+3, t0+3, t0+10); next slot at t0+13, 3 s away.
    expect(rl.check('k', THREE_PER_10S)).toEqual({ allowed: false, retry_after_seconds: 3 });
  });

  it('does not count refused calls', () => {
    const c = clock();
    const rl = new RateLimiter(c.now);
    const rule: RateRule = { limit: 1, window_ms: 1_000 };
    rl.check('k', rule);
    for (let i = 0; i < 5; i += 1) {
      c.advance(100);
      expect(rl.check('k', rule).allowed).toBe(false);
    }
    c.advance(500); // 1 000 ms after the only accepted call
    expect(rl.check('k', rule).allowed).toBe(true);
  });

  it('keeps keys independent', () => {
    const c = clock();
    const rl = new RateLimiter(c.now);
    const rule: RateRule = { limit: 1, window_ms: 5_000 };
    expect(rl.check('agent:a:heartbeat', rule).allowed).toBe(true);
    expect(rl.check('agent:a:heartbeat', rule).allowed).toBe(false);
    expect(rl.check('agent:b:heartbeat', rule).allowed).toBe(true);
    expect(rl.check('town:a:heartbeat', rule).allowed).toBe(true);
  });

  it('prunes keys whose window has passed, keeping live ones', () => {
    const c = clock();
    const rl = new RateLimiter(c.now, { pruneEvery: 1_000_000 });
    const short: RateRule = { limit: 2, window_ms: 1_000 };
    const long: RateRule = { limit: 2, window_ms: 60_000 };
    for (let i = 0; i < 50; i += 1) rl.check(`short:${i}`, short);
    rl.check('long', long);
    expect(rl.size).toBe(51);
    c.advance(1_000);
    rl.prune();
    expect(rl.size).toBe(1);
    // The surviving key still remembers its call.
    expect(rl.check('long', { limit: 1, window_ms: 60_000 }).allowed).toBe(false);
  });

  it('prunes opportunistically every pruneEvery checks', () => {
    const c = clock();
    const rl = new RateLimiter(c.now, { pruneEvery: 10 });
    const rule: RateRule = { limit: 1, window_ms: 1_000 };
    for (let i = 0; i < 9; i += 1) rl.check(`user:${i}:live-ticket`, rule);
    expect(rl.size).toBe(9);
    c.advance(1_000);
    rl.check('user:new:live-ticket', rule); // the 10th check prunes the 9 stale keys first
    expect(rl.size).toBe(1);
  });

  it('holds at most `limit` timestamps per key even under a burst', () => {
    const c = clock();
    const rl = new RateLimiter(c.now);
    const rule: RateRule = { limit: 3, window_ms: 10_000 };
    let allowed = 0;
    for (let i = 0; i < 1_000; i += 1) {
      if (rl.check('k', rule).allowed) allowed += 1;
    }
    expect(allowed).toBe(3);
    // A later check under a smaller limit trims to that limit.
    expect(rl.check('k', { limit: 1, window_ms: 10_000 })).toEqual({ allowed: false, retry_after_seconds: 10 });
  });
});
