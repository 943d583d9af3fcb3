/**
 * A form submission's busy and error state (`runSubmission`): busy while the action runs and
 * never left busy, the previous error cleared before a run, a failure kept, a success clearing it.
 */
import { describe, expect, it } from 'vitest';
import { runSubmission, type SubmissionState } from '../../../src/dashboard/client/form-submission.ts';

function recorder(): { state: SubmissionState; log: string[]; busy: () => boolean; error: () => unknown } {
  const log: string[] = [];
  let busy = false;
  let error: unknown = 'stale failure';
  return {
    log,
    busy: () => busy,
    error: () => error,
    state: {
      setBusy(next) {
        busy = next;
        log.push(`busy=${String(next)}`);
      },
      setError(next) {
        error = next;
        log.push(next === null ? 'error cleared' : 'error kept');
      },
    },
  };
}

describe('runSubmission', () => {
  it('is busy while the action runs, with the previous error cleared, and idle after a success', async () => {
    const r = recorder();
    let busyDuring = false;
    let errorDuring: unknown = 'unset';
    await runSubmission(async () => {
      busyDuring = r.busy();
      errorDuring = r.error();
      r.log.push('action');
    }, r.state);
    expect(busyDuring).toBe(true);
    expect(errorDuring).toBeNull();
    expect(r.busy()).toBe(false);
    expect(r.error()).toBeNull();
    expect(r.log).toEqual(['busy=true', 'error cleared', 'action', 'busy=false']);
  });

  it('keeps a failure for the form and still ends not busy, without rejecting', async () => {
    const r = recorder();
    const failure = new Error('conflict');
    await expect(
      runSubmission(async () => {
        throw failure;
      }, r.state),
    ).resolves.toBeUndefined();
    expect(r.error()).toBe(failure);
    expect(r.busy()).toBe(false);
    expect(r.log).toEqual(['busy=true', 'error cleared', 'error kept', 'busy=false']);
  });
});
