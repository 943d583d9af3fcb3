/**
 * Authentication and authorization of the user API (`http-api.md` §1.3, §2): every 401 reason a
 * user route can give, scope checks against agent and container tokens, ownership (403) and the
 * place of these checks in the order of checks.
 */
import { env } from 'cloudflare:test';
import { sign } from 'hono/jwt';
import { beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/jwt.ts';
import { mintAgentToken, mintContainerToken, mintUserToken } from '../../src/auth/mint.ts';
import { call, data, devToken, errorOf, fixture, uniqueUser } from './helpers.ts';

const HOUR_MS = 3600 * 1000;

function reasonOf(r: Awaited<ReturnType<typeof call>>): unknown {
  return errorOf(r).details?.reason;
}

async function expectUnauthorized(token: string | undefined, reason: string, headers: Record<string, string> = {}): Promise<void> {
  const r = await call('GET', '/api/towns', { ...(token === undefined ? {} : { token }), headers });
  expect(r.status).toBe(401);
  expect(errorOf(r).code).toBe('unauthorized');
  expect(reasonOf(r)).toBe(reason);
}

describe('401 reasons on a user route', () => {
  it('missing: no Authorization header', async () => {
    await expectUnauthorized(undefined, 'missing');
  });

  it('missing: a blank Authorization header', async () => {
    await expectUnauthorized(undefined, 'missing', { Authorization: '   ' });
  });

  it('malformed: another scheme (Basic)', async () => {
    await expectUnauthorized(undefined, 'malformed', { Authorization: 'Basic dXNlcjpwYXNz' });
  });

  it('malformed: a bare Bearer with no token', async () => {
    await expectUnauthorized(undefined, 'malformed', { Authorization: 'Bearer' });
  });

  it('malformed: a garbage token', async () => {
    await expectUnauthorized('garbage', 'malformed');
    await expectUnauthorized('a.b.c', 'malformed');
  });

  it('malformed: a valid token with its signature part removed', async () => {
    const token = await devToken(uniqueUser());
    const [header, payload] = token.split('.');
    await expectUnauthorized(`${header}.${payload}`, 'malformed');
  });

  it('bad_signature: a token signed with another secret', async () => {
    const { token } = await signToken({ scope: 'user', sub: uniqueUser() }, 'some-other-secret-entirely', { now: Date.now(), ttlSeconds: 3600 });
    await expectUnauthorized(token, 'bad_signature');
  });

  it('bad_signature: a tampered payload', async () => {
    const token = await devToken('victim');
    const [header, , signature] = token.split('.');
    const forged = btoa(JSON.stringify({ scope: 'user', sub: 'attacker', aud: 'gastown', iat: 1, exp: 4_102_444_800 }))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    await expectUnauthorized(`${header}.${forged}.${signature}`, 'bad_signature');
  });

  it('bad_signature: an algorithm other than HS256, even with the right secret', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await sign({ scope: 'user', sub: 'x', aud: 'gastown', iat: now, exp: now + 3600 }, env.GASTOWN_JWT_SECRET, 'HS512');
    await expectUnauthorized(token, 'bad_signature');
  });

  it('expired: a correctly signed token whose exp has passed', async () => {
    const { token } = await mintUserToken(env.GASTOWN_JWT_SECRET, { sub: uniqueUser() }, Date.now() - 2 * HOUR_MS, 3600);
    await expectUnauthorized(token, 'expired');
  });

  it('wrong_audience: a correctly signed token for another audience', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await sign({ scope: 'user', sub: 'x', aud: 'not-gastown', iat: now, exp: now + 3600 }, env.GASTOWN_JWT_SECRET, 'HS256');
    await expectUnauthorized(token, 'wrong_audience');
  });

  it('wrong_scope: an agent token on a user route', async () => {
    const f = await fixture();
    const { token } = await mintAgentToken(
      env.GASTOWN_JWT_SECRET,
      { townId: f.townId, rigId: f.rigId, agentId: crypto.randomUUID(), role: 'polecat', dispatchId: crypto.randomUUID() },
      Date.now(),
    );
    await expectUnauthorized(token, 'wrong_scope');
    const town = await call('GET', `/api/towns/${f.townId}`, { token });
    expect(town.status).toBe(401);
    expect(reasonOf(town)).toBe('wrong_scope');
  });

  it('wrong_scope: a mayor agent token on a user route', async () => {
    const f = await fixture();
    const { token } = await mintAgentToken(env.GASTOWN_JWT_SECRET, { townId: f.townId, rigId: f.townId, agentId: crypto.randomUUID(), role: 'mayor', dispatchId: null }, Date.now());
    const r = await call('GET', `/api/towns/${f.townId}/rigs`, { token });
    expect(r.status).toBe(401);
    expect(reasonOf(r)).toBe('wrong_scope');
  });

  it('wrong_scope: a container token of the same town on a user route', async () => {
    const f = await fixture();
    const { token } = await mintContainerToken(env.GASTOWN_JWT_SECRET, f.townId, Date.now());
    const r = await call('GET', `/api/towns/${f.townId}/config`, { token });
    expect(r.status).toBe(401);
    expect(reasonOf(r)).toBe('wrong_scope');
    await expectUnauthorized(token, 'wrong_scope');
  });

  it('accepts the scheme case-insensitively', async () => {
    const token = await devToken(uniqueUser());
    const r = await call('GET', '/api/towns', { headers: { Authorization: `bearer ${token}` } });
    expect(r.status).toBe(200);
  });

  it('a 401 never carries data and is an error envelope', async () => {
    const r = await call('POST', '/api/towns', { body: { name: 'x' } });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String), details: { reason: 'missing' } } });
  });
});

describe('ownership: another user\'s town is a 403', () => {
  let owner: { token: string; townId: string; rigId: string };
  let beadId: string;
  let intruder: string;

  beforeAll(async () => {
    owner = await fixture();
    const bead = await call('POST', `/api/towns/${owner.townId}/beads`, { token: owner.token, body: { rig_id: owner.rigId, title: 'Private work', held: true } });
    expect(bead.status).toBe(201);
    beadId = data<{ id: string }>(bead).id;
    intruder = await devToken(uniqueUser('intruder'));
  });

  function expectForbidden(r: Awaited<ReturnType<typeof call>>): void {
    expect(r.status).toBe(403);
    expect(errorOf(r).code).toBe('forbidden');
    expect(JSON.stringify(r.body)).not.toContain('Private work');
  }

  it('GET the town', async () => {
    expectForbidden(await call('GET', `/api/towns/${owner.townId}`, { token: intruder }));
  });

  it('GET and PATCH the config', async () => {
    expectForbidden(await call('GET', `/api/towns/${owner.townId}/config`, { token: intruder }));
    expectForbidden(await call('PATCH', `/api/towns/${owner.townId}/config`, { token: intruder, body: { max_polecats_per_rig: 7 } }));
  });

  it('list, get, create, patch and delete rigs', async () => {
    expectForbidden(await call('GET', `/api/towns/${owner.townId}/rigs`, { token: intruder }));
    expectForbidden(await call('GET', `/api/towns/${owner.townId}/rigs/${owner.rigId}`, { token: intruder }));
    expectForbidden(await call('POST', `/api/towns/${owner.townId}/rigs`, { token: intruder, body: { name: 'mine', git_url: 'https://github.com/x/y.git' } }));
    expectForbidden(await call('PATCH', `/api/towns/${owner.townId}/rigs/${owner.rigId}`, { token: intruder, body: { name: 'stolen' } }));
    expectForbidden(await call('DELETE', `/api/towns/${owner.townId}/rigs/${owner.rigId}`, { token: intruder }));
  });

  it('list, get and create beads', async () => {
    expectForbidden(await call('GET', `/api/towns/${owner.townId}/beads`, { token: intruder }));
    expectForbidden(await call('GET', `/api/towns/${owner.townId}/beads/${beadId}`, { token: intruder }));
    expectForbidden(await call('POST', `/api/towns/${owner.townId}/beads`, { token: intruder, body: { rig_id: owner.rigId, title: 'x' } }));
  });

  it('DELETE the town is refused and changes nothing', async () => {
    expectForbidden(await call('DELETE', `/api/towns/${owner.townId}`, { token: intruder }));
    const still = await call('GET', `/api/towns/${owner.townId}`, { token: owner.token });
    expect(still.status).toBe(200);
    const rig = await call('GET', `/api/towns/${owner.townId}/rigs/${owner.rigId}`, { token: owner.token });
    expect(rig.status).toBe(200);
    expect(data(rig).name).toBe('app');
  });

  it('an admin user token grants nothing under /api', async () => {
    const admin = await devToken(uniqueUser('admin'), { admin: true });
    expectForbidden(await call('GET', `/api/towns/${owner.townId}`, { token: admin }));
  });

  it('the town does not appear in the intruder\'s list', async () => {
    const r = await call('GET', '/api/towns', { token: intruder });
    expect(r.status).toBe(200);
    expect(data<{ id: string }[]>(r).map((t) => t.id)).not.toContain(owner.townId);
  });

  it('is checked before body validation: an invalid body on another user\'s town is a 403', async () => {
    expectForbidden(await call('POST', `/api/towns/${owner.townId}/rigs`, { token: intruder, body: { bogus: true } }));
    expectForbidden(await call('PATCH', `/api/towns/${owner.townId}/config`, { token: intruder, body: { max_polecats_per_rig: 0 } }));
  });

  it('is checked before other path resources: an unknown rig of another user\'s town is a 403', async () => {
    expectForbidden(await call('GET', `/api/towns/${owner.townId}/rigs/${crypto.randomUUID()}`, { token: intruder }));
  });

  it('is checked before query validation', async () => {
    expectForbidden(await call('GET', `/api/towns/${owner.townId}/rigs?limit=0`, { token: intruder }));
  });

  it('comes after the credential: no token on another user\'s town is a 401', async () => {
    const r = await call('GET', `/api/towns/${owner.townId}`);
    expect(r.status).toBe(401);
  });
});

describe('unknown towns', () => {
  it('a well-formed id that names no town is a 404 on every town route', async () => {
    const token = await devToken(uniqueUser());
    const id = crypto.randomUUID();
    for (const [method, path] of [
      ['GET', `/api/towns/${id}`],
      ['DELETE', `/api/towns/${id}`],
      ['GET', `/api/towns/${id}/config`],
      ['GET', `/api/towns/${id}/rigs`],
      ['GET', `/api/towns/${id}/beads`],
    ] as const) {
      const r = await call(method, path, { token });
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(errorOf(r).code).toBe('not_found');
    }
  });
});
