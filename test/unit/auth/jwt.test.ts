/**
 * Tests of `src/auth/jwt.ts`: sign/verify round trips for every scope and every `Unauthorized`
 * reason of `http-api.md` §1.2, with tokens crafted independently through node:crypto.
 */
import { createHmac } from 'node:crypto';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { signToken, verifyToken } from '../../../src/auth/jwt.ts';
import { Unauthorized } from '../../../src/errors.ts';
import type { UnauthorizedReason } from '../../../src/errors.ts';

const SECRET = 'test-secret-0123456789';
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const NOW_S = Math.floor(NOW / 1000);
const TOWN = '11111111-1111-4111-8111-111111111111';
const RIG = '22222222-2222-4222-8222-222222222222';
const AGENT = '33333333-3333-4333-8333-333333333333';
const DISPATCH = '44444444-4444-4444-8444-444444444444';

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

/** Builds an HS256 (or other HMAC) JWT by hand, independent of the code under test. */
function craft(header: object, payload: object, secret = SECRET, hash: 'sha256' | 'sha512' = 'sha256'): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

function validUserPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { aud: 'gastown', iat: NOW_S, exp: NOW_S + 3600, scope: 'user', sub: 'alice', ...overrides };
}

async function reasonOf(p: Promise<unknown>): Promise<UnauthorizedReason | 'resolved' | 'other'> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    if (e instanceof Unauthorized) return e.reason;
    return 'other';
  }
}

describe('signToken', () => {
  it('adds aud, iat (floored seconds) and exp, and reports expires_at in ISO ms', async () => {
    const { token, expires_at } = await signToken({ scope: 'user', sub: 'alice' }, SECRET, { now: NOW, ttlSeconds: 3600 });
    expect(expires_at).toBe('2026-01-02T04:04:05.000Z');
    const [h, p] = token.split('.');
    expect(JSON.parse(Buffer.from(h ?? '', 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(p ?? '', 'base64url').toString())).toEqual({
      aud: 'gastown',
      iat: NOW_S,
      exp: NOW_S + 3600,
      scope: 'user',
      sub: 'alice',
    });
  });

  it('produces a signature that an independent HMAC-SHA256 reproduces', async () => {
    const { token } = await signToken({ scope: 'container', townId: TOWN }, SECRET, { now: NOW, ttlSeconds: 60 });
    const input = token.slice(0, token.lastIndexOf('.'));
    expect(token.slice(token.lastIndexOf('.') + 1)).toBe(createHmac('sha256', SECRET).update(input).digest('base64url'));
  });

  it('refuses to sign invalid claims or a non-positive ttl', async () => {
    await expect(signToken({ scope: 'container', townId: 'nope' }, SECRET, { now: NOW, ttlSeconds: 60 })).rejects.toThrow();
    await expect(signToken({ scope: 'user', sub: '' }, SECRET, { now: NOW, ttlSeconds: 60 })).rejects.toThrow();
    await expect(signToken({ scope: 'user', sub: 'a' }, SECRET, { now: NOW, ttlSeconds: 0 })).rejects.toThrow(RangeError);
  });

  it('throws a plain error (not Unauthorized) for an empty secret', async () => {
    expect(await reasonOf(signToken({ scope: 'user', sub: 'a' }, '', { now: NOW, ttlSeconds: 60 }))).toBe('other');
    const { token } = await signToken({ scope: 'user', sub: 'a' }, SECRET, { now: NOW, ttlSeconds: 60 });
    expect(await reasonOf(verifyToken(token, '', { now: NOW, expectedScope: 'user' }))).toBe('other');
  });
});

describe('verifyToken round trips', () => {
  it('user token, with and without admin', async () => {
    const plain = await signToken({ scope: 'user', sub: 'alice' }, SECRET, { now: NOW, ttlSeconds: 60 });
    const claims = await verifyToken(plain.token, SECRET, { now: NOW, expectedScope: 'user' });
    expect(claims).toEqual({ aud: 'gastown', iat: NOW_S, exp: NOW_S + 60, scope: 'user', sub: 'alice' });
    expect('admin' in claims).toBe(false);

    const admin = await signToken({ scope: 'user', sub: 'root', admin: true }, SECRET, { now: NOW, ttlSeconds: 60 });
    const adminClaims = await verifyToken(admin.token, SECRET, { now: NOW, expectedScope: 'user' });
    expect(adminClaims.admin).toBe(true);
    expect(adminClaims.sub).toBe('root');
  });

  it('container token', async () => {
    const { token } = await signToken({ scope: 'container', townId: TOWN }, SECRET, { now: NOW, ttlSeconds: 60 });
    const claims = await verifyToken(token, SECRET, { now: NOW, expectedScope: 'container' });
    expect(claims.scope).toBe('container');
    expect(claims.townId).toBe(TOWN);
  });

  it('agent token carries all five identifying claims', async () => {
    const { token } = await signToken(
      { scope: 'agent', townId: TOWN, rigId: RIG, agentId: AGENT, role: 'polecat', dispatchId: DISPATCH },
      SECRET,
      { now: NOW, ttlSeconds: 60 },
    );
    const claims = await verifyToken(token, SECRET, { now: NOW, expectedScope: 'agent' });
    expect(claims).toMatchObject({ townId: TOWN, rigId: RIG, agentId: AGENT, role: 'polecat', dispatchId: DISPATCH });
  });

  it('agent token of a prewarmed mayor has dispatchId null', async () => {
    const { token } = await signToken(
      { scope: 'agent', townId: TOWN, rigId: TOWN, agentId: AGENT, role: 'mayor', dispatchId: null },
      SECRET,
      { now: NOW, ttlSeconds: 60 },
    );
    const claims = await verifyToken(token, SECRET, { now: NOW, expectedScope: 'agent' });
    expect(claims.dispatchId).toBeNull();
    expect(claims.role).toBe('mayor');
  });

  it('accepts any scope of an expected list', async () => {
    const { token } = await signToken({ scope: 'container', townId: TOWN }, SECRET, { now: NOW, ttlSeconds: 60 });
    const claims = await verifyToken(token, SECRET, { now: NOW, expectedScope: ['agent', 'container'] });
    expect(claims.scope).toBe('container');
  });

  it('lowercases uuid claims of a hand-made token', async () => {
    const token = craft({ alg: 'HS256', typ: 'JWT' }, validUserPayload({ scope: 'container', townId: TOWN.toUpperCase(), sub: undefined }));
    const claims = await verifyToken(token, SECRET, { now: NOW, expectedScope: 'container' });
    expect(claims.townId).toBe(TOWN);
  });

  it('accepts a token with no typ header', async () => {
    const token = craft({ alg: 'HS256' }, validUserPayload());
    expect((await verifyToken(token, SECRET, { now: NOW, expectedScope: 'user' })).sub).toBe('alice');
  });
});

describe('verifyToken failure reasons', () => {
  const verifyUser = (token: string, now = NOW) => reasonOf(verifyToken(token, SECRET, { now, expectedScope: 'user' }));

  it('malformed: not three base64url parts, or parts that are not JSON objects', async () => {
    const good = craft({ alg: 'HS256', typ: 'JWT' }, validUserPayload());
    const [h, p, s] = good.split('.');
    expect(await verifyUser('')).toBe('malformed');
    expect(await verifyUser('abc')).toBe('malformed');
    expect(await verifyUser(`${h}.${p}`)).toBe('malformed');
    expect(await verifyUser(`${good}.extra`)).toBe('malformed');
    expect(await verifyUser(`${h}.${p}.`)).toBe('malformed');
    expect(await verifyUser(`${h}.${p}.${s}=`)).toBe('malformed');
    expect(await verifyUser(`${h}.${p}!.${s}`)).toBe('malformed');
    expect(await verifyUser(`${b64url('not json')}.${p}.${s}`)).toBe('malformed');
    expect(await verifyUser(`${h}.${b64url('[1,2]')}.${s}`)).toBe('malformed');
    expect(await verifyUser(`${h}.${b64url('null')}.${s}`)).toBe('malformed');
    expect(await verifyUser(`${h}.A.${s}`)).toBe('malformed');
  });

  it('malformed: a header with a foreign typ or crit, though signed correctly', async () => {
    expect(await verifyUser(craft({ alg: 'HS256', typ: 'at+jwt' }, validUserPayload()))).toBe('malformed');
    expect(await verifyUser(craft({ alg: 'HS256', crit: ['x'] }, validUserPayload()))).toBe('malformed');
  });

  it('bad_signature: tampered payload', async () => {
    const { token } = await signToken({ scope: 'user', sub: 'alice' }, SECRET, { now: NOW, ttlSeconds: 60 });
    const [h, , s] = token.split('.');
    const forged = `${h}.${b64url(JSON.stringify(validUserPayload({ sub: 'mallory', admin: true })))}.${s}`;
    expect(await verifyUser(forged)).toBe('bad_signature');
  });

  it('bad_signature: tampered signature, or signed with another secret', async () => {
    const { token } = await signToken({ scope: 'user', sub: 'alice' }, SECRET, { now: NOW, ttlSeconds: 60 });
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    expect(await verifyUser(`${token.slice(0, -2)}${last}${token.slice(-1)}`)).toBe('bad_signature');
    expect(await verifyUser(craft({ alg: 'HS256', typ: 'JWT' }, validUserPayload(), 'another-secret'))).toBe('bad_signature');
  });

  it('bad_signature: the algorithm is pinned to HS256 (HS512, HS384, none)', async () => {
    expect(await verifyUser(craft({ alg: 'HS512', typ: 'JWT' }, validUserPayload(), SECRET, 'sha512'))).toBe('bad_signature');
    expect(await verifyUser(await sign(validUserPayload(), SECRET, 'HS512'))).toBe('bad_signature');
    expect(await verifyUser(await sign(validUserPayload(), SECRET, 'HS384'))).toBe('bad_signature');
    const none = `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(validUserPayload()))}`;
    expect(await verifyUser(`${none}.`)).toBe('malformed');
    expect(await verifyUser(`${none}.${createHmac('sha256', SECRET).update(none).digest('base64url')}`)).toBe('bad_signature');
    expect(await verifyUser(craft({ typ: 'JWT' }, validUserPayload()))).toBe('bad_signature');
  });

  it('wrong_audience: aud other than gastown, missing, or an array', async () => {
    expect(await verifyUser(craft({ alg: 'HS256' }, validUserPayload({ aud: 'other' })))).toBe('wrong_audience');
    expect(await verifyUser(craft({ alg: 'HS256' }, validUserPayload({ aud: undefined })))).toBe('wrong_audience');
    expect(await verifyUser(craft({ alg: 'HS256' }, validUserPayload({ aud: ['gastown'] })))).toBe('wrong_audience');
  });

  it('wrong_scope: a scope the route does not accept, or an unknown scope', async () => {
    const { token } = await signToken({ scope: 'container', townId: TOWN }, SECRET, { now: NOW, ttlSeconds: 60 });
    expect(await verifyUser(token)).toBe('wrong_scope');
    expect(await reasonOf(verifyToken(token, SECRET, { now: NOW, expectedScope: ['user', 'agent'] }))).toBe('wrong_scope');
    expect(await verifyUser(craft({ alg: 'HS256' }, validUserPayload({ scope: 'root' })))).toBe('wrong_scope');
  });

  it('malformed: claims that fail the schema of their scope', async () => {
    const bad = (o: Record<string, unknown>) => verifyUser(craft({ alg: 'HS256' }, validUserPayload(o)));
    expect(await bad({ sub: undefined })).toBe('malformed');
    expect(await bad({ sub: '' })).toBe('malformed');
    expect(await bad({ sub: 'x'.repeat(129) })).toBe('malformed');
    expect(await bad({ admin: false })).toBe('malformed');
    expect(await bad({ exp: undefined })).toBe('malformed');
    expect(await bad({ exp: 'tomorrow' })).toBe('malformed');
    expect(await bad({ iat: undefined })).toBe('malformed');
    expect(await bad({ scope: undefined })).toBe('malformed');
    expect(await verifyUser(craft({ alg: 'HS256' }, validUserPayload({ sub: 'x'.repeat(128) })))).toBe('resolved');

    const agent = (o: Record<string, unknown>) =>
      reasonOf(
        verifyToken(
          craft({ alg: 'HS256' }, {
            aud: 'gastown', iat: NOW_S, exp: NOW_S + 60, scope: 'agent',
            townId: TOWN, rigId: RIG, agentId: AGENT, role: 'polecat', dispatchId: DISPATCH, ...o,
          }),
          SECRET,
          { now: NOW, expectedScope: 'agent' },
        ),
      );
    expect(await agent({})).toBe('resolved');
    expect(await agent({ role: 'deacon' })).toBe('malformed');
    expect(await agent({ rigId: 'not-a-uuid' })).toBe('malformed');
    expect(await agent({ dispatchId: undefined })).toBe('malformed');
  });

  it('expired: exp at or before now', async () => {
    const { token } = await signToken({ scope: 'user', sub: 'alice' }, SECRET, { now: NOW, ttlSeconds: 60 });
    const expMs = (NOW_S + 60) * 1000;
    expect(await verifyUser(token, expMs - 1)).toBe('resolved');
    expect(await verifyUser(token, expMs)).toBe('expired');
    expect(await verifyUser(token, expMs + 3_600_000)).toBe('expired');
  });

  it('ignores the real clock: a token far in the past or future verifies against the injected now', async () => {
    const past = Date.UTC(2001, 0, 1);
    const { token } = await signToken({ scope: 'user', sub: 'alice' }, SECRET, { now: past, ttlSeconds: 60 });
    expect(await verifyUser(token, past)).toBe('resolved');
    const future = Date.UTC(2100, 0, 1);
    const later = await signToken({ scope: 'user', sub: 'alice' }, SECRET, { now: future, ttlSeconds: 60 });
    expect(await verifyUser(later.token, future)).toBe('resolved');
  });
});

describe('verifyToken renewal window (allowExpiredForMs)', () => {
  const DAY_MS = 24 * 3600 * 1000;
  const verifyRenewal = async (token: string, now: number) =>
    reasonOf(verifyToken(token, SECRET, { now, expectedScope: ['agent', 'container'], allowExpiredForMs: DAY_MS }));

  it('accepts a token expired 23 h 59 m ago, and exactly 24 h ago', async () => {
    const { token, expires_at } = await signToken({ scope: 'container', townId: TOWN }, SECRET, { now: NOW, ttlSeconds: 8 * 3600 });
    const expMs = Date.parse(expires_at);
    expect(await verifyRenewal(token, expMs + DAY_MS - 60_000)).toBe('resolved');
    expect(await verifyRenewal(token, expMs + DAY_MS)).toBe('resolved');
  });

  it('rejects a token expired 24 h + 1 s ago as expired', async () => {
    const { token, expires_at } = await signToken({ scope: 'container', townId: TOWN }, SECRET, { now: NOW, ttlSeconds: 8 * 3600 });
    expect(await verifyRenewal(token, Date.parse(expires_at) + DAY_MS + 1000)).toBe('expired');
  });

  it('accepts a token that has not yet expired', async () => {
    const { token } = await signToken({ scope: 'container', townId: TOWN }, SECRET, { now: NOW, ttlSeconds: 8 * 3600 });
    expect(await verifyRenewal(token, NOW)).toBe('resolved');
  });

  it('still verifies the signature of an expired token', async () => {
    const forged = craft({ alg: 'HS256' }, { aud: 'gastown', iat: NOW_S, exp: NOW_S + 1, scope: 'container', townId: TOWN }, 'wrong');
    expect(await verifyRenewal(forged, NOW + 60_000)).toBe('bad_signature');
  });
});
