/**
 * `nextPollCounterState` (`scm.md` §4): the PR poll failure counters after one outcome, and
 * whether the MR fails now, with an actionable message naming the host. Pure and table-tested;
 * called by the `pr_polled` handler.
 */
import type { Thresholds } from '../constants.ts';
import type { PrStatusError, PrStatusOutcome } from './pr-outcome.ts';

/** The two consecutive-failure counters of `review_metadata`. */
export interface PollCounters {
  transient: number;
  non_transient: number;
}

/** Why polling gave up on an MR. */
export interface PollFailure {
  failure_kind: PrStatusError['kind'];
  status?: number;
  message: string;
}

/** Counters after an outcome, plus the failure when the MR must fail now. */
export interface PollCounterState extends PollCounters {
  fail: PollFailure | null;
}

/** The git host as the message names it. */
export type PollProvider = 'github' | 'gitlab' | 'none';

/** HTTP ≥ 500, 429 and 0 (network error, timeout) are transient; the outcome's flag wins when set. */
export function isTransientError(outcome: PrStatusError): boolean {
  if (outcome.kind !== 'http_error') return false;
  if (outcome.transient !== undefined) return outcome.transient;
  const status = outcome.status ?? 0;
  return status === 0 || status === 429 || status >= 500;
}

/**
 * ok → {0, 0}; transient HTTP → transient + 1 (other counter 0), failing at
 * `PR_POLL_TRANSIENT_LIMIT`; `invalid_response` → non-transient + 1 (other 0), failing at
 * `PR_POLL_NON_TRANSIENT_LIMIT`; non-transient HTTP, `no_token`, `unrecognized_url`,
 * `host_mismatch` → counters unchanged, failing at once.
 */
export function nextPollCounterState(prev: PollCounters, outcome: PrStatusOutcome, t: Thresholds, provider: PollProvider = 'none'): PollCounterState {
  if (outcome.ok) return { transient: 0, non_transient: 0, fail: null };
  if (isTransientError(outcome)) {
    const transient = prev.transient + 1;
    return { transient, non_transient: 0, fail: transient >= t.PR_POLL_TRANSIENT_LIMIT ? failure(outcome, provider, transient) : null };
  }
  if (outcome.kind === 'invalid_response') {
    const nonTransient = prev.non_transient + 1;
    return { transient: 0, non_transient: nonTransient, fail: nonTransient >= t.PR_POLL_NON_TRANSIENT_LIMIT ? failure(outcome, provider, nonTransient) : null };
  }
  return { transient: prev.transient, non_transient: prev.non_transient, fail: failure(outcome, provider, 1) };
}

function failure(outcome: PrStatusError, provider: PollProvider, times: number): PollFailure {
  const base = { failure_kind: outcome.kind, message: failureMessage(outcome, provider, times) };
  return outcome.status === undefined ? base : { ...base, status: outcome.status };
}

function hostName(provider: PollProvider): string {
  return provider === 'github' ? 'GitHub' : provider === 'gitlab' ? 'GitLab' : 'The git host';
}

function traceText(trace: PrStatusError['trace']): string {
  if (trace === undefined) return 'no sources';
  if (typeof trace === 'string') return trace;
  return trace.map((e) => `${String(e.source ?? '?')}: ${String(e.outcome ?? '?')}`).join('; ');
}

/** The actionable message of `scm.md` §4's table. */
export function failureMessage(outcome: PrStatusError, provider: PollProvider, times: number): string {
  const host = hostName(provider);
  switch (outcome.kind) {
    case 'no_token':
      return `${host}: no token found (tried: ${traceText(outcome.trace)}); connect the integration or set a personal access token`;
    case 'unrecognized_url':
      return 'The PR URL is not a GitHub/GitLab PR URL; no token was sent';
    case 'host_mismatch':
      return `The PR host (${outcome.pr_host ?? '?'}) differs from the rig's (${outcome.rig_host ?? '?'}); no token was sent`;
    case 'invalid_response':
      return `${host}'s API returned an unexpected response ${times} times in a row (${outcome.reason ?? 'unknown reason'})`;
    case 'http_error':
      return httpMessage(outcome, provider, host, times);
  }
}

function httpMessage(outcome: PrStatusError, provider: PollProvider, host: string, times: number): string {
  const status = outcome.status ?? 0;
  if (isTransientError(outcome)) return `${host}'s API failed ${times} times in a row (last: ${status === 0 ? 'network error' : `HTTP ${status}`})`;
  if (status === 401) return `${host} rejected the token (401); it may have expired or been revoked`;
  if (status === 403 && provider === 'gitlab') return 'GitLab refused the request (403): the token needs read_api and at least Reporter access';
  if (status === 403) return `${host} refused the request (403): the token needs Pull requests: read and Contents: read (or repo), or a rate limit was hit`;
  if (status === 404) return `${host} answered 404: the PR does not exist or the token cannot see the repository`;
  return `${host} answered HTTP ${status}`;
}
