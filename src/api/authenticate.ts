/**
 * Credential checks, one per scope (`http-api.md` §2): read the bearer token, verify it with the
 * town's secret and the pinned algorithm, and attach the caller. A token of the wrong scope is a
 * 401 `wrong_scope`. Ownership and path binding are checked afterwards by the scope step.
 */
import type { Context } from 'hono';
import { readBearer } from '../auth/bearer.ts';
import { verifyToken } from '../auth/jwt.ts';
import type { AppEnv, Caller } from './app-env.ts';

export type AuthKind = 'none' | 'user' | 'user-town';

/** Verifies the credential the route needs and returns the caller. */
export async function authenticate(c: Context<AppEnv>, auth: AuthKind, now: number): Promise<Caller> {
  if (auth === 'none') return { kind: 'none' };
  const token = readBearer(c.req.header('Authorization'));
  const claims = await verifyToken(token, c.env.GASTOWN_JWT_SECRET, { now, expectedScope: 'user' });
  return { kind: 'user', sub: claims.sub, admin: claims.admin === true };
}
