/**
 * `ruleForProfile`: under the test timing profile (divisor 60) a rate rule's window shrinks like
 * every other duration while its limit stays, so a container heartbeating every 0.5 s is not
 * refused; the production profile (divisor 1) leaves every rule as it is.
 */
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/rate-limit/rate-limiter.ts';
import { RATE_RULES, ruleForProfile } from '../../../src/rate-limit/rules.ts';

describe('ruleForProfile', () => {
  it('keeps every rule under the production profile', () => {
    for (const rule of Object.values(RATE_RULES)) expect(ruleForProfile(rule, 1)).toEqual(rule);
  });

  it('divides the window and keeps the limit under the test profile', () => {
    expect(ruleForProfile(RATE_RULES.heartbeat, 60)).toEqual({ limit: 1, window_ms: 83 });
    expect(ruleForProfile(RATE_RULES.mayor_message, 60)).toEqual({ limit: 10, window_ms: 1_000 });
    expect(ruleForProfile({ limit: 3, window_ms: 10 }, 60)).toEqual({ limit: 3, window_ms: 1 });
  });

  it('lets heartbeats every 500 ms through under the test profile, where the production rule refuses them', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const scaled = ruleForProfile(RATE_RULES.heartbeat, 60);
    const allowed: boolean[] = [];
    const refusedInProduction: boolean[] = [];
    const production = new RateLimiter(() => now);
    for (let i = 0; i < 6; i++) {
      now = i * 500;
      allowed.push(limiter.check('agent:a:heartbeat', scaled).allowed);
      refusedInProduction.push(!production.check('agent:a:heartbeat', RATE_RULES.heartbeat).allowed);
    }
    expect(allowed).toEqual([true, true, true, true, true, true]);
    expect(refusedInProduction).toEqual([false, true, true, true, true, true]);
  });
});
