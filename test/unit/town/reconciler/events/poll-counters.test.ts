/**
 * `nextPollCounterState` (`scm.md` §4 table, §9 acceptance): success zeroes both counters;
 * transient errors fail at 10, `invalid_response` at 3, each resetting the other counter;
 * non-transient HTTP, `no_token`, `unrecognized_url` and `host_mismatch` fail at once.
 */
import { describe, expect, it } from 'vitest';
import { nextPollCounterState, type PollCounters } from '../../../../../src/town/reconciler/events/poll-counters.ts';
import type { PrStatusOutcome } from '../../../../../src/town/reconciler/events/pr-outcome.ts';
import { T } from './event-ctx.ts';

const OK: PrStatusOutcome = { ok: true, state: 'open', mergeable: 'clean', is_draft: false };
const TRANSIENT: PrStatusOutcome = { ok: false, kind: 'http_error', status: 503, transient: true };
const INVALID: PrStatusOutcome = { ok: false, kind: 'invalid_response', reason: 'schema_mismatch' };

function fold(outcomes: PrStatusOutcome[], start: PollCounters = { transient: 0, non_transient: 0 }) {
  let state = { ...start, fail: null as ReturnType<typeof nextPollCounterState>['fail'] };
  const fails: boolean[] = [];
  for (const o of outcomes) {
    state = nextPollCounterState(state, o, T, 'github');
    fails.push(state.fail !== null);
  }
  return { state, fails };
}

describe('nextPollCounterState', () => {
  it('10 consecutive transient errors fail (the 9th does not)', () => {
    const { state, fails } = fold(Array<PrStatusOutcome>(10).fill(TRANSIENT));
    expect(fails).toEqual([...Array<boolean>(9).fill(false), true]);
    expect(state).toMatchObject({ transient: 10, non_transient: 0, fail: { failure_kind: 'http_error', status: 503 } });
    expect(state.fail?.message).toMatch(/failed 10 times in a row \(last: HTTP 503\)/);
  });

  it('9 transient then one invalid_response → {0, 1}, no failure', () => {
    const { state, fails } = fold([...Array<PrStatusOutcome>(9).fill(TRANSIENT), INVALID]);
    expect(fails.every((f) => !f)).toBe(true);
    expect(state).toEqual({ transient: 0, non_transient: 1, fail: null });
  });

  it('3 invalid_response fail (2 do not)', () => {
    expect(fold([INVALID, INVALID]).state).toEqual({ transient: 0, non_transient: 2, fail: null });
    const { state } = fold([INVALID, INVALID, INVALID]);
    expect(state).toMatchObject({ transient: 0, non_transient: 3, fail: { failure_kind: 'invalid_response' } });
    expect(state.fail?.message).toContain('schema_mismatch');
  });

  it('a success zeroes both counters', () => {
    expect(nextPollCounterState({ transient: 7, non_transient: 2 }, OK, T)).toEqual({ transient: 0, non_transient: 0, fail: null });
  });

  const immediate: Array<{ name: string; outcome: PrStatusOutcome; kind: string; message: RegExp }> = [
    { name: '403', outcome: { ok: false, kind: 'http_error', status: 403, transient: false }, kind: 'http_error', message: /Pull requests/ },
    { name: '401', outcome: { ok: false, kind: 'http_error', status: 401 }, kind: 'http_error', message: /expired or been revoked/ },
    { name: '404', outcome: { ok: false, kind: 'http_error', status: 404 }, kind: 'http_error', message: /does not exist/ },
    { name: 'no_token', outcome: { ok: false, kind: 'no_token', trace: 'github_cli_pat: absent; integration: unbound; stored: absent' }, kind: 'no_token', message: /tried: github_cli_pat: absent; integration: unbound/ },
    { name: 'unrecognized_url', outcome: { ok: false, kind: 'unrecognized_url' }, kind: 'unrecognized_url', message: /no token was sent/ },
    { name: 'host_mismatch', outcome: { ok: false, kind: 'host_mismatch', pr_host: 'evil.com', rig_host: 'github.com' }, kind: 'host_mismatch', message: /evil\.com/ },
  ];
  for (const c of immediate) {
    it(`${c.name} fails at once, counters unchanged`, () => {
      const next = nextPollCounterState({ transient: 4, non_transient: 1 }, c.outcome, T, 'github');
      expect(next).toMatchObject({ transient: 4, non_transient: 1, fail: { failure_kind: c.kind } });
      expect(next.fail?.message).toMatch(c.message);
    });
  }

  it('transience is derived from the status when the flag is absent (5xx, 429, 0)', () => {
    for (const status of [500, 429, 0]) {
      expect(nextPollCounterState({ transient: 0, non_transient: 2 }, { ok: false, kind: 'http_error', status }, T)).toEqual({ transient: 1, non_transient: 0, fail: null });
    }
  });

  it('a GitLab 403 names read_api; a network error says so', () => {
    expect(nextPollCounterState({ transient: 0, non_transient: 0 }, { ok: false, kind: 'http_error', status: 403 }, T, 'gitlab').fail?.message).toMatch(/read_api/);
    expect(nextPollCounterState({ transient: 9, non_transient: 0 }, { ok: false, kind: 'http_error', status: 0 }, T, 'gitlab').fail?.message).toMatch(/GitLab.*network error/);
  });
});
