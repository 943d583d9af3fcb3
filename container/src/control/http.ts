/**
 * Control-server HTTP plumbing (`container.md` §2, `http-api.md` §1.1): the control-secret
 * check (SHA-256 digests + `timingSafeEqual`, before any body is read), the `{data}` /
 * `{error:{code,message,details?}}` envelopes, zod body parsing (400 `invalid_json` /
 * `validation_failed`) and the mapping of process-manager errors to replies.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { CONTROL_SECRET_HEADER } from '../../../src/protocol/control.ts';
import type { Logger, Redactor } from '../redact.ts';
import { AgentNotFound, ModelSwapFailed, NotMayor, NotRunning, QueueFull, StartFailed, StartupAborted } from '../process/errors.ts';

/** `{data}` with `status`. */
export function ok(c: Context, data: unknown, status: ContentfulStatusCode = 200): Response {
  return c.json({ data }, status);
}

/** `{error: {code, message, details?}}` with `status`. */
export function fail(c: Context, status: ContentfulStatusCode, code: string, message: string, details?: unknown): Response {
  return c.json({ error: details === undefined ? { code, message } : { code, message, details } }, status);
}

/** Rejects every request without the right `X-Gastown-Control-Secret` (401, no side effect, body unread). */
export function controlSecret(secret: string): MiddlewareHandler {
  const expected = createHash('sha256').update(secret, 'utf8').digest();
  return async (c, next) => {
    const given = createHash('sha256').update(c.req.header(CONTROL_SECRET_HEADER) ?? '', 'utf8').digest();
    if (!timingSafeEqual(given, expected)) return fail(c, 401, 'unauthorized', 'Missing or wrong control secret.', { reason: 'bad_signature' });
    await next();
    return undefined;
  };
}

/** The parsed body, or the 400 reply to send. An empty body counts as `{}`. */
export async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<{ ok: true; data: z.infer<S> } | { ok: false; response: Response }> {
  const text = await c.req.text();
  let json: unknown = {};
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, response: fail(c, 400, 'invalid_json', 'The request body is not valid JSON.') };
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), code: i.code, message: i.message }));
    return { ok: false, response: fail(c, 400, 'validation_failed', 'The request body is invalid.', { location: 'body', issues }) };
  }
  return { ok: true, data: parsed.data };
}

/** Maps a process-manager error to its reply; anything else is a 500 `internal_error` (logged). */
export function errorReply(c: Context, err: unknown, redactor: Redactor, log: Logger): Response {
  const msg = redactor.redact(err instanceof Error ? err.message : String(err));
  if (err instanceof StartupAborted) return fail(c, 409, 'superseded', msg);
  if (err instanceof StartFailed) return fail(c, 500, 'start_failed', msg, err.details);
  if (err instanceof AgentNotFound) return fail(c, 404, 'not_found', msg);
  if (err instanceof NotRunning) return fail(c, 409, 'not_running', msg);
  if (err instanceof NotMayor) return fail(c, 409, 'not_mayor', msg);
  if (err instanceof QueueFull) return fail(c, 409, 'conflict', msg);
  if (err instanceof ModelSwapFailed) return fail(c, 500, 'model_swap_failed', msg);
  log.error('control.internal_error', { path: c.req.path, error: err });
  return fail(c, 500, 'internal_error', 'The control server failed to handle this request.');
}
