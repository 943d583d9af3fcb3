/**
 * `nextPollCounterState` (`scm.md` §4 table): the two consecutive-failure counters of a PR poll
 * after one outcome, and the failure when the MR must fail now. Each kind resets the other
 * counter; non-transient HTTP errors, `no_token`, `unrecognized_url` and `host_mismatch` fail at
 * once with the counters unchanged. Pure; the `pr_polled` handling stores the counters in
 * `review_metadata.poll_transient_count` / `poll_non_transient_count`.
 */
import type { PrStatusFailureKind, PrStatusOutcome } from '../../protocol/scm.ts';
import { failureMessageFor } from './failure-message.ts';
import type { Provider } from './repo-ref.ts';

/** `PR_POLL_TRANSIENT_LIMIT` / `PR_POLL_NON_TRANSIENT_LIMIT` (`reconciler.md` §1). */
export const POLL_LIMITS: PollLimits = { transient: 10, non_transient: 3 };

export interface PollLimits {
  transient: number;
  non_transient: number;
}

export interface PollCounters {
  transient: number;
  non_transient: number;
}

/** Why polling gave up; becomes the `pr_poll_failed` event data and the MR's failure reason. */
export interface PollFailure {
  failure_kind: PrStatusFailureKind;
  status?: number;
  message: string;
}

export interface PollCounterState extends PollCounters {
  fail: PollFailure | null;
}

export interface PollCounterOptions {
  provider?: Provider;
  pr_url?: string;
  limits?: PollLimits;
}

export function nextPollCounterState(prev: PollCounters, outcome: PrStatusOutcome, opts: PollCounterOptions = {}): PollCounterState {
  if (outcome.ok) return { transient: 0, non_transient: 0, fail: null };
  const limits = opts.limits ?? POLL_LIMITS;
  const provider = opts.provider ?? 'none';
  const fail = (count: number): PollFailure => {
    const message = failureMessageFor(outcome, provider, opts.pr_url === undefined ? { count } : { pr_url: opts.pr_url, count });
    return outcome.kind === 'http_error' ? { failure_kind: outcome.kind, status: outcome.status, message } : { failure_kind: outcome.kind, message };
  };
  if (outcome.kind === 'http_error' && outcome.transient) {
    const transient = prev.transient + 1;
    return { transient, non_transient: 0, fail: transient >= limits.transient ? fail(transient) : null };
  }
  if (outcome.kind === 'invalid_response') {
    const nonTransient = prev.non_transient + 1;
    return { transient: 0, non_transient: nonTransient, fail: nonTransient >= limits.non_transient ? fail(nonTransient) : null };
  }
  return { transient: prev.transient, non_transient: prev.non_transient, fail: fail(1) };
}
