/**
 * The health watchdog's state machine (`container.md` §11): 3 consecutive failures after the
 * 60 s cold-start grace restart the container, at most once per 60 s and 3 times per 30 min;
 * past that it gives up once (`give_up`), and a success clears everything.
 */
import { describe, expect, it } from 'vitest';
import { INITIAL_WATCHDOG, WATCHDOG, restartsInWindow, watchdogFailure, watchdogStarted, watchdogSuccess, type WatchdogAction, type WatchdogState } from '../../../src/container/watchdog.ts';

const S = 1000;
const MIN = 60 * S;

/** Fails `n` times at `at`, one second apart; returns the last state and every action. */
function fail(s: WatchdogState, at: number, n: number): { state: WatchdogState; actions: WatchdogAction[] } {
  const actions: WatchdogAction[] = [];
  let state = s;
  for (let i = 0; i < n; i += 1) {
    const r = watchdogFailure(state, at + i * S);
    state = r.state;
    actions.push(r.action);
  }
  return { state, actions };
}

describe('watchdog', () => {
  it('ignores failures within the cold-start grace', () => {
    const started = watchdogStarted(INITIAL_WATCHDOG, 0);
    const r = fail(started, 10 * S, 5);
    expect(r.actions).toEqual(['none', 'none', 'none', 'none', 'none']);
    expect(r.state.failures).toBe(0);
  });

  it('restarts on the third consecutive failure after the grace', () => {
    const started = watchdogStarted(INITIAL_WATCHDOG, 0);
    const r = fail(started, WATCHDOG.COLD_START_GRACE_MS, 3);
    expect(r.actions).toEqual(['none', 'none', 'restart']);
    expect(r.state.failures).toBe(0);
    expect(r.state.restarts).toHaveLength(1);
  });

  it('a success in between resets the streak', () => {
    let s = fail(INITIAL_WATCHDOG, 0, 2).state;
    s = watchdogSuccess(s);
    expect(fail(s, 5 * S, 2).actions).toEqual(['none', 'none']);
  });

  it('at most 3 restarts per 30 min, then gives up once; the window frees up later', () => {
    let s: WatchdogState = INITIAL_WATCHDOG;
    const actions: WatchdogAction[] = [];
    // A dead container: a failing call every 10 s for 25 minutes.
    for (let t = 0; t < 25 * MIN; t += 10 * S) {
      const r = watchdogFailure(s, t);
      s = r.state;
      actions.push(r.action);
    }
    expect(actions.filter((a) => a === 'restart')).toHaveLength(3);
    expect(actions.filter((a) => a === 'give_up')).toHaveLength(1);
    expect(s.unhealthy).toBe(true);
    expect(restartsInWindow(s, 25 * MIN)).toBe(3);
    // Restarts are ≥ 60 s apart (the cold-start grace after each one also holds them back).
    const times = s.restarts;
    for (let i = 1; i < times.length; i += 1) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(WATCHDOG.MIN_RESTART_GAP_MS);
    // 30 minutes after the first restart the budget frees up again.
    const first = times[0] ?? 0;
    const later = fail(s, first + WATCHDOG.RESTART_WINDOW_MS + 1, 1);
    expect(later.actions).toEqual(['restart']);
    expect(later.state.unhealthy).toBe(false);
  });

  it('a success clears the unhealthy flag', () => {
    const gaveUp: WatchdogState = { started_at: null, failures: 3, restarts: [0, MIN, 2 * MIN], unhealthy: true };
    expect(watchdogSuccess(gaveUp)).toEqual({ ...gaveUp, failures: 0, unhealthy: false });
    expect(watchdogSuccess(INITIAL_WATCHDOG)).toBe(INITIAL_WATCHDOG);
  });
});
