/**
 * A settings form around its fields (`useConfigForm` state): submitting runs the form's save,
 * and the actions row holds the save button, the "Saved." / "Nothing to save." notice and a
 * pointer to the fields marked invalid, with any failure that is not about one field below.
 */
import type { Child } from 'hono/jsx';
import { ErrorBanner } from '../components/feedback.tsx';
import type { ConfigFormState } from './use-config-form.ts';

export function SettingsForm(props: {
  /** The form's accessible name. */
  label: string;
  /** The save button's text. */
  saveLabel: string;
  state: ConfigFormState;
  /** Keeps the actions row in view while a long form scrolls. */
  stickyActions?: boolean;
  /** The fields (a `FieldsView`). */
  children: Child;
}) {
  const { state } = props;
  return (
    <form
      class="settings-form"
      aria-label={props.label}
      novalidate
      onSubmit={(e: Event) => {
        e.preventDefault();
        void state.submit();
      }}
    >
      {props.children}
      <div class={props.stickyActions === true ? 'actions sticky-actions' : 'actions'}>
        <button type="submit" class="primary" disabled={state.saving}>
          {props.saveLabel}
        </button>
        {state.notice === null ? null : (
          <span class="notice" role="status">
            {state.notice}
          </span>
        )}
        {Object.keys(state.errors).length > 0 ? (
          <span class="error-text" role="status">
            Fix the fields marked in red.
          </span>
        ) : null}
      </div>
      <ErrorBanner error={state.failure} />
    </form>
  );
}
