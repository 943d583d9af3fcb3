/**
 * A destructive action asked twice: the first click shows what will happen and a confirm
 * button; the action runs only on the second. Errors are shown in place.
 */
import { useState } from 'hono/jsx/dom';
import { ErrorBanner } from './feedback.tsx';

export function ConfirmButton(props: { label: string; question: string; confirmLabel: string; onConfirm: () => Promise<void>; danger?: boolean }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const danger = props.danger !== false;
  if (!asking) {
    return (
      <button type="button" class={danger ? 'danger-outline' : ''} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <div class="confirm" role="group" aria-label={props.question}>
      <span>{props.question}</span>
      <button
        type="button"
        class={danger ? 'danger' : 'primary'}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await props.onConfirm();
            setAsking(false);
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        {props.confirmLabel}
      </button>
      <button type="button" disabled={busy} onClick={() => setAsking(false)}>
        Cancel
      </button>
      <ErrorBanner error={error} />
    </div>
  );
}
