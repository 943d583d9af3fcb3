/**
 * The one place errors become responses: named errors map by `name` to their status and code
 * (`src/errors.ts`); anything else is a 500 `internal_error`, logged and sent to Sentry with
 * the request's tags. Messages never carry stack traces, SQL or secrets.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { errorStatus, isGastownError, retryAfterOf } from '../errors.ts';
import { logLine } from '../observability/log.ts';
import { reportError } from '../observability/sentry.ts';
import type { AppEnv } from './app-env.ts';

function errorResponse(c: Context<AppEnv>, status: number, code: string, message: string, details?: Record<string, unknown>, retryAfter?: number): Response {
  const res = c.json({ error: { code, message, ...(details === undefined ? {} : { details }) } }, status as 400);
  res.headers.set('x-gastown-error-code', code);
  if (retryAfter !== undefined) res.headers.set('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
  return res;
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (isGastownError(err)) {
    if (err.code === 'validation_failed') {
      const details = err.details ?? {};
      const issues = Array.isArray(details.issues) ? details.issues : [];
      // Paths and codes only: never the values that failed.
      logLine('info', 'validation_failed', { issues: issues.map((i: unknown) => (typeof i === 'object' && i !== null && 'path' in i && 'code' in i ? { path: i.path, code: i.code } : {})) });
    }
    return errorResponse(c, errorStatus(err.name), err.code, err.message, err.details, retryAfterOf(err));
  }
  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own refusals: the body limit (413) and its validator's unparsable body (400).
    if (err.status === 413) return errorResponse(c, 413, 'payload_too_large', 'The request body is too large.');
    if (err.status === 400) return errorResponse(c, 400, 'invalid_json', 'The request body is not valid JSON.');
    return errorResponse(c, err.status, 'validation_failed', 'The request was rejected.', { location: 'body', issues: [] });
  }
  logLine('error', 'unhandled_error', { error_name: err.name, error_message: err.message.slice(0, 500) });
  reportError({
    dsn: c.env.SENTRY_DSN,
    environment: c.env.ENVIRONMENT,
    release: c.env.GASTOWN_VERSION,
    tags: c.get('tags'),
    error: err,
    executionCtx: executionContextOf(c),
  });
  return errorResponse(c, 500, 'internal_error', `Something went wrong on our side (request ${c.get('requestId')}).`);
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) => errorResponse(c, 404, 'not_found', 'No route matches this method and path.');

function executionContextOf(c: Context<AppEnv>): { waitUntil(p: Promise<unknown>): void } | undefined {
  try {
    return c.executionCtx;
  } catch (e) {
    // Hono throws when no execution context exists (app.request() in unit tests).
    if (e instanceof Error) return undefined;
    throw e;
  }
}
