/**
 * `nextPollCounterState` (`scm.md` §4 table, §9 acceptance): every outcome kind and counter
 * transition, the failure thresholds (10 transient, 3 invalid responses) and immediate failures.
 */
import { describe, expect, it } from 'vitest';
import type { PrStatusOutcome } from '../../../../src/protocol/scm.ts';
import { nextPollCounterState, POLL_LIMITS, type PollCounters } from '../../../../src/town/scm/poll-counters.ts';

const OK: PrStatusOutcome = { ok: true, state: 'open', mergeable: 'clean', head_sha: 'abc123', base_ref: 'main', is_draft: false };
const E502: PrStatusOutcome = { ok: false, kind: 'http_error', status: 502, transient: true };
const E429: PrStatusOutcome = { ok: false, kind: 'http_error', status: 429, transient: true };
const NETWORK: PrStatusOutcome = { ok: false, kind: 'http_error', status: 0, transient: true };
const INVALID: PrStatusOutcome = { ok: false, kind: 'invalid_response', reason: 'schema_mismatch' };
const E401: PrStatusOutcome = { ok: false, kind: 'http_error', status: 401, transient: false };
const E403: PrStatusOutcome = { ok: false, kind: 'http_error', status: 403, transient: false };
const E404: PrStatusOutcome = { ok: false, kind: 'http_error', status: 404, transient: false };
const E422: PrStatusOutcome = { ok: false, kind: 'http_error', status: 422, transient: false };
const NO_TOKEN: PrStatusOutcome = { ok: false, kind: 'no_token', trace: [{ source: 'github_cli_pat', outcome: 'absent' }, { source: 'integration', outcome: 'unbound' }, { source: 'stored', outcome: 'absent' }] };
const UNRECOGNIZED: PrStatusOutcome = { ok: false, kind: 'unrecognized_url' };
const MISMATCH: PrStatusOutcome = { ok: false, kind: 'host_mismatch', pr_host: 'evil.example', rig_host: 'github.com' };

/** Applies `outcomes` in order from {0, 0}; returns every intermediate state. */
function run(outcomes: PrStatusOutcome[], start: PollCounters = { transient: 0, non_transient: 0 }) {
  const states = [];
  let prev = start;
  for (const o of outcomes) {
    const next = nextPollCounterState(prev, o, { provider: 'github', pr_url: 'https://github.com/acme/app/pull/7' });
    states.push(next);
    prev = next;
  }
  return states;
}

describe('nextPollCounterState: one step', () => {
  const cases: { name: string; prev: PollCounters; outcome: PrStatusOutcome; want: PollCounters; fails: boolean }[] = [
    { name: 'ok zeroes both', prev: { transient: 4, non_transient: 2 }, outcome: OK, want: { transient: 0, non_transient: 0 }, fails: false },
    { name: '5xx bumps transient, zeroes the other', prev: { transient: 2, non_transient: 2 }, outcome: E502, want: { transient: 3, non_transient: 0 }, fails: false },
    { name: '429 is transient', prev: { transient: 0, non_transient: 0 }, outcome: E429, want: { transient: 1, non_transient: 0 }, fails: false },
    { name: 'network error (0) is transient', prev: { transient: 8, non_transient: 0 }, outcome: NETWORK, want: { transient: 9, non_transient: 0 }, fails: false },
    { name: 'invalid_response bumps non-transient, zeroes the other', prev: { transient: 9, non_transient: 0 }, outcome: INVALID, want: { transient: 0, non_transient: 1 }, fails: false },
    { name: '401 fails at once, counters unchanged', prev: { transient: 3, non_transient: 1 }, outcome: E401, want: { transient: 3, non_transient: 1 }, fails: true },
    { name: '403 fails at once', prev: { transient: 0, non_transient: 0 }, outcome: E403, want: { transient: 0, non_transient: 0 }, fails: true },
    { name: '404 fails at once', prev: { transient: 1, non_transient: 0 }, outcome: E404, want: { transient: 1, non_transient: 0 }, fails: true },
    { name: 'other 4xx fails at once', prev: { transient: 0, non_transient: 2 }, outcome: E422, want: { transient: 0, non_transient: 2 }, fails: true },
    { name: 'no_token fails at once', prev: { transient: 0, non_transient: 0 }, outcome: NO_TOKEN, want: { transient: 0, non_transient: 0 }, fails: true },
    { name: 'unrecognized_url fails at once', prev: { transient: 5, non_transient: 0 }, outcome: UNRECOGNIZED, want: { transient: 5, non_transient: 0 }, fails: true },
    { name: 'host_mismatch fails at once', prev: { transient: 0, non_transient: 0 }, outcome: MISMATCH, want: { transient: 0, non_transient: 0 }, fails: true },
    { name: 'the 10th transient fails', prev: { transient: 9, non_transient: 0 }, outcome: E502, want: { transient: 10, non_transient: 0 }, fails: true },
    { name: 'the 3rd invalid_response fails', prev: { transient: 0, non_transient: 2 }, outcome: INVALID, want: { transient: 0, non_transient: 3 }, fails: true },
  ];
  it.each(cases)('$name', ({ prev, outcome, want, fails }) => {
    const next = nextPollCounterState(prev, outcome, { provider: 'github' });
    expect({ transient: next.transient, non_transient: next.non_transient }).toEqual(want);
    expect(next.fail !== null).toBe(fails);
  });
});

describe('nextPollCounterState: sequences (scm.md §9)', () => {
  it('10 consecutive transient errors fail, the first 9 do not', () => {
    const states = run(Array.from({ length: 10 }, () => E502));
    expect(states.slice(0, 9).every((s) => s.fail === null)).toBe(true);
    expect(states[9]).toMatchObject({ transient: 10, non_transient: 0, fail: { failure_kind: 'http_error', status: 502 } });
    expect(states[9]?.fail?.message).toMatch(/GitHub's API failed 10 times in a row .*PR #7.*\(last: HTTP 502\)/);
  });

  it('9 transient errors then one invalid_response give {0, 1} and no failure', () => {
    const states = run([...Array.from({ length: 9 }, () => NETWORK), INVALID]);
    expect(states.at(-1)).toEqual({ transient: 0, non_transient: 1, fail: null });
  });

  it('3 invalid_response fail; an ok in between restarts the count', () => {
    expect(run([INVALID, INVALID, INVALID]).at(-1)).toMatchObject({ non_transient: 3, fail: { failure_kind: 'invalid_response' } });
    expect(run([INVALID, INVALID, OK, INVALID, INVALID]).at(-1)).toEqual({ transient: 0, non_transient: 2, fail: null });
  });

  it('a transient error between invalid responses resets the non-transient count', () => {
    expect(run([INVALID, INVALID, E429, INVALID]).at(-1)).toEqual({ transient: 0, non_transient: 1, fail: null });
  });

  it('403 and no_token fail on the first poll', () => {
    expect(run([E403])[0]?.fail).toMatchObject({ failure_kind: 'http_error', status: 403 });
    const noToken = run([NO_TOKEN])[0]?.fail;
    expect(noToken).toEqual({ failure_kind: 'no_token', message: expect.stringContaining('tried: github_cli_pat: absent; integration: unbound; stored: absent') });
    expect(noToken).not.toHaveProperty('status');
  });

  it('honours custom limits', () => {
    const next = nextPollCounterState({ transient: 1, non_transient: 0 }, E502, { limits: { ...POLL_LIMITS, transient: 2 } });
    expect(next.fail).not.toBeNull();
  });
});
