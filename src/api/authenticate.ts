/**
 * Credential checks, one per scope (`http-api.md` §2): read the bearer token, verify it with the
 * town's secret and the pinned algorithm, and attach the caller. A token of the wrong scope is a
 * 401 `wrong_scope`; the renewal kinds accept a token up to 24 h past its `exp` (§2 rule 4).
 * Ownership and path binding are checked afterwards by the scope step (`token-scope.ts`).
 */
import type { Context } from 'hono';
import { readBearer } from '../auth/bearer.ts';
import { verifyToken } from '../auth/jwt.ts';
import { RENEWAL_GRACE_MS } from '../auth/mint.ts';
import type { AppEnv, Caller } from './app-env.ts';
import { Forbidden } from '../errors.ts';

/**
 * What a route accepts: `agent` (an agent token bound to the path), `agent-renewal` (the same,
 * expired ≤ 24 h accepted), `container` / `container-renewal` (the town's container token),
 * `agent-or-container` (`refresh-git-token`: an agent of the rig, the mayor, or the container),
 * and `mayor` (the mayor tools, §4.4: an agent token of role `mayor` naming the town's current
 * mayor).
 */
export type AuthKind =
  | 'none'
  | 'user'
  | 'user-town'
  | 'admin-town'
  | 'agent'
  | 'agent-renewal'
  | 'container'
  | 'container-renewal'
  | 'agent-or-container'
  | 'mayor';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `/debug` credentials: a user token (its admin claim checked by `requireAdmin`), or (development only) a request to localhost. */
async function authenticateAdmin(c: Context<AppEnv>, now: number): Promise<Caller> {
  const header = c.req.header('Authorization');
  if (header === undefined && c.env.ENVIRONMENT === 'development' && LOCAL_HOSTS.has(new URL(c.req.url).hostname)) {
    return { kind: 'admin', sub: 'localhost' };
  }
  const token = readBearer(header);
  const claims = await verifyToken(token, c.env.GASTOWN_JWT_SECRET, { now, expectedScope: 'user' });
  // A valid non-admin token passes the credential step; the role check (403) comes after the
  // path id syntax check (`http-api.md` §1.3), in `requireAdmin`.
  return claims.admin === true ? { kind: 'admin', sub: claims.sub } : { kind: 'user', sub: claims.sub, admin: false };
}

/** The role check of `/debug` routes: only an admin caller (or development localhost) passes. */
export function requireAdmin(caller: Caller): void {
  if (caller.kind !== 'admin') throw new Forbidden('Debug routes need an admin token.');
}

/** Agent and container credentials; the renewal kinds allow the grace period of §2 rule 4. */
async function authenticateMachine(token: string, secret: string, auth: 'agent' | 'agent-renewal' | 'container' | 'container-renewal' | 'agent-or-container' | 'mayor', now: number): Promise<Caller> {
  const grace = auth === 'agent-renewal' || auth === 'container-renewal' ? { allowExpiredForMs: RENEWAL_GRACE_MS } : {};
  if (auth === 'agent' || auth === 'agent-renewal' || auth === 'mayor') {
    return { kind: 'agent', claims: await verifyToken(token, secret, { now, expectedScope: 'agent', ...grace }) };
  }
  if (auth === 'container' || auth === 'container-renewal') {
    return { kind: 'container', claims: await verifyToken(token, secret, { now, expectedScope: 'container', ...grace }) };
  }
  const claims = await verifyToken(token, secret, { now, expectedScope: ['agent', 'container'] });
  return claims.scope === 'agent' ? { kind: 'agent', claims } : { kind: 'container', claims };
}

/** Verifies the credential the route needs and returns the caller. */
export async function authenticate(c: Context<AppEnv>, auth: AuthKind, now: number): Promise<Caller> {
  if (auth === 'none') return { kind: 'none' };
  if (auth === 'admin-town') return authenticateAdmin(c, now);
  const token = readBearer(c.req.header('Authorization'));
  if (auth !== 'user' && auth !== 'user-town') return authenticateMachine(token, c.env.GASTOWN_JWT_SECRET, auth, now);
  const claims = await verifyToken(token, c.env.GASTOWN_JWT_SECRET, { now, expectedScope: 'user' });
  return { kind: 'user', sub: claims.sub, admin: claims.admin === true };
}
