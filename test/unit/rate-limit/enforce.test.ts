/**
 * Tests for `enforceRateLimit`: passes under the limit, throws a `RateLimited` over it.
 */
import { describe, expect, it } from 'vitest';
import { enforceRateLimit } from '../../../src/rate-limit/enforce.ts';
import { RateLimiter } from '../../../src/rate-limit/rate-limiter.ts';
import { RATE_RULES, rateKey } from '../../../src/rate-limit/rules.ts';
import { errorStatus, isGastownError } from '../../../src/errors.ts';

describe('enforceRateLimit', () => {
  it('passes under the limit and throws RateLimited over it', () => {
    let t = 0;
    const limiter = new RateLimiter(() => t);
    const key = rateKey('town', 't1', 'mayor_message');
    for (let i = 0; i < RATE_RULES.mayor_message.limit; i += 1) {
      expect(() => enforceRateLimit(limiter, key, RATE_RULES.mayor_message)).not.toThrow();
    }
    t = 15_000;
    let caught: unknown;
    try {
      enforceRateLimit(limiter, key, RATE_RULES.mayor_message);
    } catch (e) {
      caught = e;
    }
    expect(isGastownError(caught)).toBe(true);
    if (!isGastownError(caught)) return;
    expect(caught.name).toBe('RateLimited');
    expect(caught.code).toBe('rate_limited');
    expect(errorStatus(caught.name)).toBe(429);
    expect(caught.details).toEqual({ retry_after_seconds: 45 });
    expect('retryAfterSeconds' in caught && caught.retryAfterSeconds).toBe(45);
    expect(caught.message).toMatch(/retry in 45 s/);
  });

  it('reports retryAfterSeconds ≥ 1 even when the slot frees within the second', () => {
    let t = 0;
    const limiter = new RateLimiter(() => t);
    const key = rateKey('town', 't1', 'container_events');
    for (let i = 0; i < RATE_RULES.container_events.limit; i += 1) enforceRateLimit(limiter, key, RATE_RULES.container_events);
    t = 999;
    expect(() => enforceRateLimit(limiter, key, RATE_RULES.container_events)).toThrow(
      expect.objectContaining({ name: 'RateLimited', code: 'rate_limited', retryAfterSeconds: 1 }),
    );
  });
});
