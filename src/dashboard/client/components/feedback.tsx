/**
 * How pages show state that is not data: an error as a readable message (never a stack or raw
 * JSON), a loading line, and empty states that say what to do next.
 */
import type { Child } from 'hono/jsx';
import { describeError } from '../api-error.ts';

/** A readable error next to what failed; nothing when `error` is null. */
export function ErrorBanner(props: { error: unknown; onRetry?: () => void }) {
  if (props.error === null || props.error === undefined) return null;
  return (
    <div class="error-banner" role="alert">
      <span>{describeError(props.error)}</span>
      {props.onRetry === undefined ? null : (
        <button type="button" class="link" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Loading(props: { what: string }) {
  return <p class="muted loading">Loading {props.what}…</p>;
}

/** An empty list: what is missing and the next step. */
export function EmptyState(props: { title: string; children?: Child }) {
  return (
    <div class="empty">
      <p class="empty-title">{props.title}</p>
      {props.children === undefined ? null : <p class="muted">{props.children}</p>}
    </div>
  );
}

/** A page or panel section with a heading and optional actions on the right. */
export function Panel(props: { id?: string; title: string; actions?: Child; class?: string; children?: Child }) {
  return (
    <section class={`panel ${props.class ?? ''}`} id={props.id} aria-label={props.title}>
      <header class="panel-head">
        <h2>{props.title}</h2>
        {props.actions === undefined ? null : <div class="panel-actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}
