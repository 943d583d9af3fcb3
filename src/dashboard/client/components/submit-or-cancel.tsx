/**
 * The foot of a form that can be abandoned: its submit button (disabled while the submission
 * runs), a Cancel button, and the submission's failure below them.
 */
import type { Submission } from '../form-submission.ts';
import { ErrorBanner } from './feedback.tsx';

export function SubmitOrCancel(props: { submitLabel: string; submission: Pick<Submission, 'busy' | 'error'>; onCancel: () => void }) {
  return (
    <>
      <div class="actions">
        <button type="submit" class="primary" disabled={props.submission.busy}>
          {props.submitLabel}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      <ErrorBanner error={props.submission.error} />
    </>
  );
}
