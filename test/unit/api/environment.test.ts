/**
 * Development-only surfaces are off elsewhere (`http-api.md` §2 rule 8): `POST /api/dev/token`
 * is a 404 outside `ENVIRONMENT=development`, and `/debug` from localhost needs a token there.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/api/app.ts';
import type { Env } from '../../../src/env.ts';

const production = { ENVIRONMENT: 'production', GASTOWN_VERSION: 't', GASTOWN_JWT_SECRET: 'secret-for-tests' } as unknown as Env;

afterEach(() => vi.restoreAllMocks());

describe('production environment', () => {
  const { app } = createApp();

  it('has no dev token route', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const res = await app.request('/api/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }, production);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('does not open /debug to localhost without a token', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const res = await app.request(`http://localhost/debug/towns/${crypto.randomUUID()}/status`, {}, production);
    expect(res.status).toBe(401);
  });

  it('answers /health with its environment', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const res = await app.request('/health', {}, production);
    expect(await res.json()).toEqual({ data: { status: 'ok', environment: 'production', version: 't' } });
  });
});
