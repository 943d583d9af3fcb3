/**
 * Tests of `src/auth/mint.ts`: lifetimes and claims of minted user, container and agent
 * tokens, and renewal of an expired token within the 24 h grace.
 */
import { describe, expect, it } from 'vitest';
import { verifyToken } from '../../../src/auth/jwt.ts';
import {
  AGENT_TOKEN_TTL_S,
  CONTAINER_TOKEN_TTL_S,
  DEV_TOKEN_TTL_S,
  RENEWAL_GRACE_MS,
  mintAgentToken,
  mintContainerToken,
  mintUserToken,
  renewToken,
} from '../../../src/auth/mint.ts';

const SECRET = 'mint-secret';
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 0);
const TOWN = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const RIG = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const AGENT = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
const DISPATCH = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd';

describe('lifetimes', () => {
  it('are 8 h for agents and containers, 7 d for dev tokens, 24 h of renewal grace', () => {
    expect(AGENT_TOKEN_TTL_S).toBe(28_800);
    expect(CONTAINER_TOKEN_TTL_S).toBe(28_800);
    expect(DEV_TOKEN_TTL_S).toBe(604_800);
    expect(RENEWAL_GRACE_MS).toBe(86_400_000);
  });
});

describe('mintUserToken', () => {
  it('defaults to 7 days and omits admin unless true', async () => {
    const { token, expires_at } = await mintUserToken(SECRET, { sub: 'dev' }, NOW);
    expect(expires_at).toBe('2026-01-09T03:04:05.000Z');
    const claims = await verifyToken(token, SECRET, { now: NOW, expectedScope: 'user' });
    expect(claims.sub).toBe('dev');
    expect('admin' in claims).toBe(false);

    const notAdmin = await mintUserToken(SECRET, { sub: 'dev', admin: false }, NOW);
    expect('admin' in (await verifyToken(notAdmin.token, SECRET, { now: NOW, expectedScope: 'user' }))).toBe(false);
  });

  it('carries admin: true and honours a custom ttl', async () => {
    const { token, expires_at } = await mintUserToken(SECRET, { sub: 'root', admin: true }, NOW, 60);
    expect(expires_at).toBe('2026-01-02T03:05:05.000Z');
    expect((await verifyToken(token, SECRET, { now: NOW, expectedScope: 'user' })).admin).toBe(true);
  });
});

describe('mintContainerToken', () => {
  it('binds the town and lives 8 h', async () => {
    const { token, expires_at } = await mintContainerToken(SECRET, TOWN, NOW);
    expect(expires_at).toBe('2026-01-02T11:04:05.000Z');
    const claims = await verifyToken(token, SECRET, { now: NOW, expectedScope: 'container' });
    expect(claims.townId).toBe(TOWN);
    expect(claims.exp - claims.iat).toBe(CONTAINER_TOKEN_TTL_S);
  });
});

describe('mintAgentToken', () => {
  it('carries townId, rigId, agentId, role and dispatchId and lives 8 h', async () => {
    const { token, expires_at } = await mintAgentToken(
      SECRET,
      { townId: TOWN, rigId: RIG, agentId: AGENT, role: 'refinery', dispatchId: DISPATCH },
      NOW,
    );
    expect(expires_at).toBe('2026-01-02T11:04:05.000Z');
    const claims = await verifyToken(token, SECRET, { now: NOW, expectedScope: 'agent' });
    expect(claims).toEqual({
      aud: 'gastown',
      iat: NOW / 1000,
      exp: NOW / 1000 + AGENT_TOKEN_TTL_S,
      scope: 'agent',
      townId: TOWN,
      rigId: RIG,
      agentId: AGENT,
      role: 'refinery',
      dispatchId: DISPATCH,
    });
  });
});

describe('renewToken', () => {
  it('renews an agent token expired within the grace with the same claims and a fresh 8 h', async () => {
    const old = await mintAgentToken(SECRET, { townId: TOWN, rigId: TOWN, agentId: AGENT, role: 'mayor', dispatchId: null }, NOW);
    const later = Date.parse(old.expires_at) + 23 * 3600 * 1000;
    const claims = await verifyToken(old.token, SECRET, { now: later, expectedScope: 'agent', allowExpiredForMs: RENEWAL_GRACE_MS });
    const fresh = await renewToken(SECRET, claims, later);
    expect(fresh.expires_at).toBe(new Date(later + 8 * 3600 * 1000).toISOString());
    const renewed = await verifyToken(fresh.token, SECRET, { now: later, expectedScope: 'agent' });
    expect(renewed).toEqual({ ...claims, iat: later / 1000, exp: later / 1000 + 8 * 3600 });
  });

  it('renews a container token and a user token keeping their claims', async () => {
    const container = await verifyToken((await mintContainerToken(SECRET, TOWN, NOW)).token, SECRET, {
      now: NOW,
      expectedScope: 'container',
    });
    const c = await verifyToken((await renewToken(SECRET, container, NOW + 1000)).token, SECRET, { now: NOW, expectedScope: 'container' });
    expect(c.townId).toBe(TOWN);

    const user = await verifyToken((await mintUserToken(SECRET, { sub: 'root', admin: true }, NOW)).token, SECRET, {
      now: NOW,
      expectedScope: 'user',
    });
    const u = await verifyToken((await renewToken(SECRET, user, NOW)).token, SECRET, { now: NOW, expectedScope: 'user' });
    expect(u).toMatchObject({ sub: 'root', admin: true });
    expect(u.exp - u.iat).toBe(8 * 3600);
  });
});
