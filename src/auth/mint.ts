/**
 * Minting of Gastown's tokens with the lifetimes of `http-api.md` §2: user (dev) tokens,
 * container tokens and per-dispatch agent tokens, plus renewal. Called by the TownDO (dispatch,
 * container start), the renewal routes, the dev-token route and `npm start`.
 */
import { signToken } from './jwt.ts';
import type { SignedToken } from './jwt.ts';
import { unsignedClaimsOf } from './claims.ts';
import type { AgentClaims, Claims } from './claims.ts';

/** Agent tokens live 8 h. */
export const AGENT_TOKEN_TTL_S = 8 * 3600;
/** Container tokens live 8 h. */
export const CONTAINER_TOKEN_TTL_S = 8 * 3600;
/** Dev user tokens (`POST /api/dev/token`, `npm start`) live 7 days. */
export const DEV_TOKEN_TTL_S = 7 * 24 * 3600;
/** A renewal route accepts a token whose `exp` lies at most this far in the past. */
export const RENEWAL_GRACE_MS = 24 * 3600 * 1000;
/** A renewed token lives 8 h, whatever its scope. */
export const RENEWED_TOKEN_TTL_S = 8 * 3600;

/** Signs a user token for `sub` (admin only when `admin` is true); 7 days unless told otherwise. */
export function mintUserToken(
  secret: string,
  user: { sub: string; admin?: boolean },
  now: number,
  ttlSeconds: number = DEV_TOKEN_TTL_S,
): Promise<SignedToken> {
  // `admin` is either `true` or absent in the claims, never `false`.
  const claims = user.admin === true ? { scope: 'user' as const, sub: user.sub, admin: true as const } : { scope: 'user' as const, sub: user.sub };
  return signToken(claims, secret, { now, ttlSeconds });
}

/** Signs the 8 h token of the control server in `townId`'s container. */
export function mintContainerToken(secret: string, townId: string, now: number): Promise<SignedToken> {
  return signToken({ scope: 'container', townId }, secret, { now, ttlSeconds: CONTAINER_TOKEN_TTL_S });
}

/** Signs the 8 h token of one agent session, bound to its town, rig, agent, role and dispatch. */
export function mintAgentToken(
  secret: string,
  agent: Pick<AgentClaims, 'townId' | 'rigId' | 'agentId' | 'role' | 'dispatchId'>,
  now: number,
): Promise<SignedToken> {
  const { townId, rigId, agentId, role, dispatchId } = agent;
  return signToken({ scope: 'agent', townId, rigId, agentId, role, dispatchId }, secret, {
    now,
    ttlSeconds: AGENT_TOKEN_TTL_S,
  });
}

/**
 * A fresh 8 h token with the same claims as `claims` (less `aud`/`iat`/`exp`), for the renewal
 * routes of §2 rule 4. The caller verifies the old token first with `allowExpiredForMs: RENEWAL_GRACE_MS`.
 */
export function renewToken(secret: string, claims: Claims, now: number): Promise<SignedToken> {
  return signToken(unsignedClaimsOf(claims), secret, { now, ttlSeconds: RENEWED_TOKEN_TTL_S });
}
