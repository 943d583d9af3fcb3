/**
 * D`/seams` (the TownDO's fault-test seams) is development only: outside `ENVIRONMENT=development`
 * it is a 404 even for an admin token, and the town is never asked to arm anything; in
 * development the validated body reaches the town and its reply comes back.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/api/app.ts';
import { mintUserToken } from '../../../src/auth/mint.ts';
import type { Env } from '../../../src/env.ts';

const SECRET = 'secret-for-tests';
const TOWN_ID = '0b0e5c3e-8f4e-4d0b-9a36-7b1f0c2d4e5f';

/** A TOWN namespace whose one object says the town exists and records `armSeams` calls. */
function fakeTown() {
  const armSeams = vi.fn(async (input: { abort_after_commit: number }) => ({ ok: true as const, value: { abort_after_commit: input.abort_after_commit } }));
  const stub = { authorize: async () => 'ok' as const, armSeams };
  const namespace = { idFromName: (name: string) => name, get: () => stub };
  return { namespace, armSeams };
}

function envOf(environment: string, town: ReturnType<typeof fakeTown>): Env {
  return { ENVIRONMENT: environment, GASTOWN_VERSION: 't', GASTOWN_JWT_SECRET: SECRET, TOWN: town.namespace } as unknown as Env;
}

async function adminToken(): Promise<string> {
  return (await mintUserToken(SECRET, { sub: 'ops', admin: true }, Date.now())).token;
}

afterEach(() => vi.restoreAllMocks());

describe('POST /debug/towns/:townId/seams', () => {
  const { app } = createApp();

  it('is a 404 outside development, even for an admin token, and arms nothing', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const town = fakeTown();
    const res = await app.request(
      `http://localhost/debug/towns/${TOWN_ID}/seams`,
      { method: 'POST', headers: { Authorization: `Bearer ${await adminToken()}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ abort_after_commit: 1 }) },
      envOf('production', town),
    );
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect(town.armSeams).not.toHaveBeenCalled();
  });

  it('arms the town’s seams in development and answers their state', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const town = fakeTown();
    const res = await app.request(
      `http://localhost/debug/towns/${TOWN_ID}/seams`,
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ abort_after_commit: 2 }) },
      envOf('development', town),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { abort_after_commit: 2 } });
    expect(town.armSeams).toHaveBeenCalledWith({ abort_after_commit: 2 });
  });

  it('names the field of a bad body (400) in development', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const town = fakeTown();
    const res = await app.request(
      `http://localhost/debug/towns/${TOWN_ID}/seams`,
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ abort_after_commit: -1 }) },
      envOf('development', town),
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { issues: { path: string[] }[] } } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.issues[0]?.path).toEqual(['abort_after_commit']);
    expect(town.armSeams).not.toHaveBeenCalled();
  });
});
