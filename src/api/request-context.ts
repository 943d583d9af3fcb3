/**
 * The outermost middleware: request id (echoed when valid, else a new UUID), the request's tag
 * scope for logs, `Cache-Control: no-store` on /api and /debug, and exactly one structured
 * request line plus one analytics point when the response is sent (`http-api.md` §5).
 */
import type { MiddlewareHandler } from 'hono';
import { logLine, withRequestTags, type RequestTags } from '../observability/log.ts';
import { writeRequestPoint } from '../observability/analytics.ts';
import type { AppEnv } from './app-env.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function requestContext(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = Date.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    const tags: RequestTags = { request_id: requestId, route: 'unmatched', caller_kind: 'none' };
    c.set('requestId', requestId);
    c.set('tags', tags);
    c.set('caller', { kind: 'none' });
    await withRequestTags(tags, () => next());
    c.res.headers.set('x-request-id', requestId);
    const path = new URL(c.req.url).pathname;
    if (path.startsWith('/api') || path.startsWith('/debug')) c.res.headers.set('Cache-Control', 'no-store');
    const status = c.res.status;
    const errorCode = c.res.headers.get('x-gastown-error-code');
    c.res.headers.delete('x-gastown-error-code');
    const durationMs = Date.now() - started;
    withRequestTags(tags, () =>
      logLine(status >= 500 ? 'error' : 'info', 'request', {
        method: c.req.method,
        status,
        duration_ms: durationMs,
        ...(errorCode === null ? {} : { error_code: errorCode }),
      }),
    );
    writeRequestPoint(c.env.ANALYTICS, { method: c.req.method, route: tags.route ?? 'unmatched', status, durationMs, errorCode, tags });
  };
}
