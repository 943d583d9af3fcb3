/**
 * The one error mapping (`http-api.md` §1.2): named errors → status, code, details and
 * Retry-After; anything else → 500 `internal_error` without leaking its message.
 */
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { onError, onNotFound } from '../../../src/api/error-handler.ts';
import { requestContext } from '../../../src/api/request-context.ts';
import type { AppEnv } from '../../../src/api/app-env.ts';
import type { Env } from '../../../src/env.ts';
import { Conflict, IllegalTransition, NotFound, RateLimited, RemoteError, Unauthorized, Unavailable, Unprocessable, serializeError } from '../../../src/errors.ts';

const env = { ENVIRONMENT: 'test', GASTOWN_VERSION: 't', GASTOWN_JWT_SECRET: 's' } as unknown as Env;

function appThrowing(error: unknown): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestContext());
  app.get('/boom', () => {
    throw error;
  });
  app.onError(onError);
  app.notFound(onNotFound);
  return app;
}

async function hit(error: unknown) {
  const res = await appThrowing(error).request('/boom', {}, env);
  return { res, body: (await res.json()) as { error: { code: string; message: string; details?: Record<string, unknown> } } };
}

afterEach(() => vi.restoreAllMocks());

describe('error mapping', () => {
  it.each([
    [new IllegalTransition('bead', 'b1', 'closed', 'open'), 409, 'illegal_transition'],
    [new NotFound('bead', 'b1'), 404, 'not_found'],
    [new Conflict('agent_already_hooked', 'held'), 409, 'agent_already_hooked'],
    [new Conflict('not_hookable', 'nope'), 409, 'conflict'],
    [new Unprocessable('dependency_cycle', 'cycle', { cycle: [0, 1] }), 422, 'dependency_cycle'],
    [new Unauthorized('expired'), 401, 'unauthorized'],
    [new Unavailable('container_draining', 'draining', 30), 503, 'container_draining'],
  ])('maps %s', async (error, status, code) => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { res, body } = await hit(error);
    expect(res.status).toBe(status);
    expect(body.error.code).toBe(code);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.headers.get('x-gastown-error-code')).toBeNull();
  });

  it('names both states of an illegal transition', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { body } = await hit(new IllegalTransition('bead', '3f2a', 'closed', 'open'));
    expect(body.error.message).toBe('bead 3f2a: illegal transition closed → open');
    expect(body.error.details).toMatchObject({ id: '3f2a', from: 'closed', to: 'open' });
  });

  it('answers 429 with Retry-After, also when the error crossed an RPC boundary', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    for (const error of [new RateLimited(7), new RemoteError(serializeError(new RateLimited(7)))]) {
      const { res, body } = await hit(error);
      expect(res.status).toBe(429);
      expect(body.error.code).toBe('rate_limited');
      expect(res.headers.get('Retry-After')).toBe('7');
    }
  });

  it('hides unknown errors behind internal_error and logs them at error level', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { res, body } = await hit(new Error('SELECT * FROM secrets WHERE token = "abc"'));
    expect(res.status).toBe(500);
    expect(body.error.code).toBe('internal_error');
    expect(body.error.message).not.toContain('SELECT');
    const lines = errors.mock.calls.map((c) => JSON.parse(String(c[0])) as Record<string, unknown>);
    expect(lines.some((l) => l.msg === 'unhandled_error')).toBe(true);
    expect(lines.some((l) => l.msg === 'request' && l.status === 500 && l.level === 'error')).toBe(true);
  });

  it('answers unknown routes with the not_found envelope', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const res = await appThrowing(null).request('/nope', { method: 'PUT' }, env);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
