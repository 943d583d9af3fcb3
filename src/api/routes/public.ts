/**
 * Public and development routes (`http-api.md` §4.1): `/health`, and `POST /api/dev/token`,
 * which exists only when ENVIRONMENT=development (404 otherwise).
 */
import { DevTokenRequest } from '../../protocol/api.ts';
import { NotFound } from '../../errors.ts';
import { mintUserToken } from '../../auth/mint.ts';
import { isDevelopment } from '../../env.ts';
import type { RouteTable } from '../route.ts';
import { created, ok } from '../respond.ts';

export function publicRoutes(r: RouteTable): void {
  r.route('GET', '/health', { auth: 'none' }, (c) => ok(c, { status: 'ok', environment: c.env.ENVIRONMENT, version: c.env.GASTOWN_VERSION }));

  r.route('POST', '/api/dev/token', { auth: 'none', body: DevTokenRequest }, async (c) => {
    if (!isDevelopment(c.env)) throw new NotFound('route');
    const input = c.req.valid('json');
    const userId = input.user_id ?? 'dev';
    const admin = input.admin === true;
    const { token, expires_at } = await mintUserToken(c.env.GASTOWN_JWT_SECRET, { sub: userId, admin }, Date.now(), input.ttl_seconds ?? 604_800);
    return created(c, { token, user_id: userId, admin, expires_at });
  });
}
