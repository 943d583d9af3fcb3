/**
 * `enforceRateLimit`: checks a limiter and throws the named `RateLimited` error (429 with
 * `Retry-After`, `http-api.md` §6) when the caller is over the limit. Called by the TownDO
 * functions behind rate-limited routes.
 */
import { RateLimited } from '../errors.ts';
import type { RateLimiter, RateRule } from './rate-limiter.ts';

/** Records one call under `key`; throws `RateLimited` (retryAfterSeconds ≥ 1) when over `rule`. */
export function enforceRateLimit(limiter: RateLimiter, key: string, rule: RateRule): void {
  const decision = limiter.check(key, rule);
  if (!decision.allowed) {
    const seconds = decision.retry_after_seconds;
    throw new RateLimited(seconds, `Too many requests; retry in ${seconds} s.`);
  }
}
