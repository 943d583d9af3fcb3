/**
 * Reads the bearer token out of an `Authorization` header (`http-api.md` §2).
 * Called by the auth middleware before `verifyToken`.
 */
import { Unauthorized } from '../errors.ts';

// RFC 6750 §2.1: `Bearer 1*SP b64token`. The scheme is matched case-insensitively, since
// RFC 7235 §2.1 makes auth-scheme names case-insensitive (`bearer x` is the same credential).
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Returns the token of `Authorization: Bearer <token>`.
 * Throws `Unauthorized('missing')` when the header is absent or blank, and
 * `Unauthorized('malformed')` for any other scheme, a bare `Bearer`, or a token with illegal characters.
 */
export function readBearer(authorizationHeader: string | undefined): string {
  const value = authorizationHeader?.trim() ?? '';
  if (value.length === 0) throw new Unauthorized('missing');
  const token = BEARER.exec(value)?.[1];
  if (token === undefined) throw new Unauthorized('malformed');
  return token;
}
