/**
 * Signing and verification of Gastown's HS256 JWTs (`http-api.md` §2), on top of `hono/jwt`.
 * Called by `mint.ts` (signing) and the auth middleware and renewal routes (verification).
 * Time is injected: hono's own clock checks are switched off and `exp` is checked against `now`.
 */
import { sign, verify } from 'hono/jwt';
import { z } from 'zod';
import { Unauthorized } from '../errors.ts';
import { AUDIENCE, Claims, CommonClaims, claimsSchemaFor } from './claims.ts';
import type { ClaimsFor, Scope, UnsignedClaims } from './claims.ts';

const ALG = 'HS256';

/** The registered claims, read before the scope is known; an unknown scope string is `wrong_scope`. */
const Registered = CommonClaims.pick({ iat: true, exp: true }).extend({ scope: z.string() });

/** Options of `signToken`: the current time (epoch ms) and the lifetime in whole seconds. */
export interface SignOptions {
  now: number;
  ttlSeconds: number;
}

/** A freshly signed token and its expiry as ISO 8601 UTC with milliseconds. */
export interface SignedToken {
  token: string;
  expires_at: string;
}

/** Options of `verifyToken`. */
export interface VerifyOptions<S extends Scope> {
  /** The current time, epoch ms. */
  now: number;
  /** The scope(s) the route accepts; any other is `wrong_scope`. */
  expectedScope: S | readonly S[];
  /**
   * Renewal grace (§2 rule 4): an expired token whose `exp` lies at most this many ms before
   * `now` is still accepted. The signature is verified all the same.
   */
  allowExpiredForMs?: number;
}

/**
 * Signs `claims` as an HS256 JWT with `aud`, `iat = floor(now / 1000)` and `exp = iat + ttlSeconds`.
 * The claims are validated against their scope's schema first (a zod error here is a bug in
 * the caller), so nothing is ever signed that `verifyToken` would reject as malformed.
 */
export async function signToken(claims: UnsignedClaims, secret: string, opts: SignOptions): Promise<SignedToken> {
  assertSecret(secret);
  if (!Number.isInteger(opts.ttlSeconds) || opts.ttlSeconds <= 0) {
    throw new RangeError(`ttlSeconds must be a positive integer, got ${opts.ttlSeconds}`);
  }
  const iat = Math.floor(opts.now / 1000);
  const exp = iat + opts.ttlSeconds;
  // Spread first so a caller passing full claims cannot smuggle in its own aud/iat/exp.
  const payload = claimsSchemaFor(claims.scope).parse({ ...claims, aud: AUDIENCE, iat, exp });
  const token = await sign(payload, secret, ALG);
  return { token, expires_at: new Date(exp * 1000).toISOString() };
}

/**
 * Verifies `token` and returns its claims, or throws `Unauthorized` with a reason of §1.2, checked
 * in this order (the signature before any claim is trusted): `malformed` (not three base64url
 * parts of JSON objects) → `bad_signature` (mismatch, or any `alg` but HS256) → `wrong_audience`
 * → `malformed` (`iat`/`exp`/`scope` missing or not integers/string) → `expired` → `wrong_scope`
 * (including an unknown scope) → `malformed` (claims failing their scope's schema).
 * `iat` and `nbf` are not compared with `now`; only `exp` is.
 */
export async function verifyToken<S extends Scope>(
  token: string,
  secret: string,
  opts: VerifyOptions<S>,
): Promise<ClaimsFor<S>> {
  assertSecret(secret);
  const header = decodeStructure(token);
  // Pinned algorithm: `none`, HS512, RS256… never reach a key.
  if (header['alg'] !== ALG) throw new Unauthorized('bad_signature');

  let payload: Record<string, unknown>;
  try {
    // hono checks exp/nbf/iat against the real clock; time is injected here, so they are off.
    payload = await verify(token, secret, { alg: ALG, exp: false, nbf: false, iat: false });
  } catch (e) {
    throw mapHonoError(e);
  }

  if (payload['aud'] !== AUDIENCE) throw new Unauthorized('wrong_audience');

  const registered = Registered.safeParse(payload);
  if (!registered.success) throw new Unauthorized('malformed');
  checkExpiry(registered.data.exp, opts.now, opts.allowExpiredForMs);

  const accepted: readonly S[] = typeof opts.expectedScope === 'string' ? [opts.expectedScope] : opts.expectedScope;
  if (!accepted.some((s) => s === registered.data.scope)) throw new Unauthorized('wrong_scope');

  const claims = Claims.safeParse(payload);
  if (!claims.success) throw new Unauthorized('malformed');
  if (!hasScope(claims.data, accepted)) throw new Unauthorized('wrong_scope');
  return claims.data;
}

function hasScope<S extends Scope>(claims: Claims, accepted: readonly S[]): claims is ClaimsFor<S> {
  const scopes: readonly Scope[] = accepted;
  return scopes.includes(claims.scope);
}

function checkExpiry(expSeconds: number, now: number, allowExpiredForMs: number | undefined): void {
  const expMs = expSeconds * 1000;
  if (expMs > now) return;
  if (allowExpiredForMs !== undefined && now - expMs <= allowExpiredForMs) return;
  throw new Unauthorized('expired');
}

const BASE64URL_PART = /^[A-Za-z0-9_-]+$/;

/** Checks the three-part shape and that header and payload decode to JSON objects; returns the header. */
function decodeStructure(token: string): Record<string, unknown> {
  const parts = token.split('.');
  const [header, payload, signature] = parts;
  if (parts.length !== 3 || header === undefined || payload === undefined || signature === undefined) {
    throw new Unauthorized('malformed');
  }
  if (!BASE64URL_PART.test(header) || !BASE64URL_PART.test(payload) || !BASE64URL_PART.test(signature)) {
    throw new Unauthorized('malformed');
  }
  const decodedHeader = decodeJsonObject(header);
  decodeJsonObject(payload);
  return decodedHeader;
}

function decodeJsonObject(part: string): Record<string, unknown> {
  // A base64url string of length 4k+1 cannot encode whole bytes.
  if (part.length % 4 === 1) throw new Unauthorized('malformed');
  const padded = part.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (part.length % 4)) % 4);
  let value: unknown;
  try {
    const binary = atob(padded);
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new Unauthorized('malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Unauthorized('malformed');
  return Object.fromEntries(Object.entries(value));
}

/** hono's JWT errors are recognised by `name`; anything else is not a credential problem and is rethrown. */
function mapHonoError(e: unknown): unknown {
  const name = e instanceof Error ? e.name : '';
  switch (name) {
    case 'JwtTokenSignatureMismatched':
    case 'JwtAlgorithmMismatch':
      return new Unauthorized('bad_signature');
    case 'JwtTokenInvalid':
    case 'JwtHeaderInvalid':
      return new Unauthorized('malformed');
    default:
      return e;
  }
}

function assertSecret(secret: string): void {
  // An empty key is a deployment error (500), not a caller's bad credential.
  if (secret.length === 0) throw new Error('GASTOWN_JWT_SECRET is empty');
}
