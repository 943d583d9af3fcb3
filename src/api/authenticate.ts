/**
 * Credential checks, one per scope (`http-api.md` §2): read the bearer token, verify it with the
 * town's secret and the pinned algorithm, and attach the caller. A token of the wrong scope is a
 * 401 `wrong_scope`. Ownership and path binding are checked afterwards by the scope step.
 */
import type { Context } from 'hono';
import { readBearer } from '../auth/bearer.ts';
import { verifyToken } from '../auth/jwt.ts';
import type { AppEnv, Caller } from './app-env.ts';
import { Forbidden } from '../errors.ts';

export type AuthKind = 'none' | 'user' | 'user-town' | 'admin-town';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `/debug` access: an admin token, or (development only) a request to localhost. */
async function authenticateAdmin(c: Context<AppEnv>, now: number): Promise<Caller> {
  const header = c.req.header('Authorization');
  if (header === undefined && c.env.ENVIRONMENT === 'development' && LOCAL_HOSTS.has(new URL(c.req.url).hostname)) {
    return { kind: 'admin', sub: 'localhost' };
  }
  const token = readBearer(header);
  const claims = await verifyToken(token, c.env.GASTOWN_JWT_SECRET, { now, expectedScope: 'user' });
  if (claims.admin !== true) throw new Forbidden('Debug routes need an admin token.');
  return { kind: 'admin', sub: claims.sub };
}

/** Verifies the credential the route needs and returns the caller. */
export async function authenticate(c: Context<AppEnv>, auth: AuthKind, now: number): Promise<Caller> {
  if (auth === 'none') return { kind: 'none' };
  if (auth === 'admin-town') return authenticateAdmin(c, now);
  const token = readBearer(c.req.header('Authorization'));
  const claims = await verifyToken(token, c.env.GASTOWN_JWT_SECRET, { now, expectedScope: 'user' });
  return { kind: 'user', sub: claims.sub, admin: claims.admin === true };
}
