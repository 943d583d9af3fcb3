/**
 * Running a form's submission with busy and error state: while the action runs the form is busy
 * (its submit button disabled), the previous error is cleared first, and a failure is kept for
 * the form's error banner. `runSubmission` is the plain sequence; `useSubmission` keeps the
 * state in a component.
 */
import { useState } from 'hono/jsx/dom';

/** Where `runSubmission` records its state (a component's state setters). */
export interface SubmissionState {
  setBusy(busy: boolean): void;
  setError(error: unknown): void;
}

/** Clears the error, marks busy, runs `action`, keeps its failure, and always ends not busy. */
export async function runSubmission(action: () => Promise<void>, state: SubmissionState): Promise<void> {
  state.setBusy(true);
  state.setError(null);
  try {
    await action();
  } catch (error) {
    state.setError(error);
  } finally {
    state.setBusy(false);
  }
}

export interface Submission {
  /** True while an action runs. */
  busy: boolean;
  /** The last action's failure, null after a success or before any run. */
  error: unknown;
  run(action: () => Promise<void>): Promise<void>;
}

export function useSubmission(): Submission {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return { busy, error, run: (action) => runSubmission(action, { setBusy, setError }) };
}
