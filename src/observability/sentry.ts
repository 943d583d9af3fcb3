/**
 * Sentry reporting through toucan-js. Only unhandled errors (5xx) are reported, tagged with the
 * route tags and the request id; request bodies, headers and query strings are never attached.
 * Without `SENTRY_DSN` it only logs.
 */
import { Toucan } from 'toucan-js';
import type { RequestTags } from './log.ts';

export interface ErrorReport {
  dsn: string | undefined;
  environment: string;
  release: string;
  tags: RequestTags;
  error: unknown;
  executionCtx?: { waitUntil(p: Promise<unknown>): void } | undefined;
}

/** Sends one exception to Sentry when a DSN is configured; returns whether it was sent. */
export function reportError(r: ErrorReport): boolean {
  if (r.dsn === undefined || r.dsn === '') return false;
  const sentry = new Toucan({
    dsn: r.dsn,
    environment: r.environment,
    release: r.release,
    ...(r.executionCtx === undefined ? {} : { context: r.executionCtx }),
    // No request is attached: URLs may carry live tickets, headers carry tokens.
    beforeSend: (event) => {
      delete event.request;
      return event;
    },
  });
  sentry.setTags(r.tags);
  sentry.captureException(r.error);
  return true;
}
