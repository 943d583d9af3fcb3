/**
 * The JWT claim sets of Gastown's three bearer credentials (`http-api.md` §2), as zod schemas
 * and types. `jwt.ts` validates a verified payload against them; `mint.ts` builds them; the
 * auth middleware reads the typed result.
 */
import { z } from 'zod';
import { AgentRole, Uuid } from '../protocol/common.ts';

/** The only audience a Gastown token carries. */
export const AUDIENCE = 'gastown';

/** What a credential may be used for; each route accepts one or more scopes. */
export const Scope = z.enum(['user', 'container', 'agent']);
export type Scope = z.infer<typeof Scope>;

/** Claims every token carries: `aud`, `iat` and `exp` (epoch seconds) and a `scope`. */
export const CommonClaims = z.object({
  aud: z.literal(AUDIENCE),
  iat: z.number().int().nonnegative(),
  exp: z.number().int().nonnegative(),
  scope: Scope,
});
export type CommonClaims = z.infer<typeof CommonClaims>;

/** A dashboard user; identity comes only from `sub`. `admin: true` opens `/debug` and nothing else. */
export const UserClaims = CommonClaims.extend({
  scope: z.literal('user'),
  sub: z.string().min(1).max(128),
  admin: z.literal(true).optional(),
});
export type UserClaims = z.infer<typeof UserClaims>;

/** The control server of one town's container. */
export const ContainerClaims = CommonClaims.extend({
  scope: z.literal('container'),
  townId: Uuid,
});
export type ContainerClaims = z.infer<typeof ContainerClaims>;

/**
 * One agent session. The mayor has no rig, so its `rigId` equals `townId`; `dispatchId` is the
 * dispatch the token was issued for (null for a prewarmed mayor).
 */
export const AgentClaims = CommonClaims.extend({
  scope: z.literal('agent'),
  townId: Uuid,
  rigId: Uuid,
  agentId: Uuid,
  role: AgentRole,
  dispatchId: Uuid.nullable(),
});
export type AgentClaims = z.infer<typeof AgentClaims>;

/** Any verified token's claims, discriminated by `scope`. */
export const Claims = z.discriminatedUnion('scope', [UserClaims, ContainerClaims, AgentClaims]);
export type Claims = z.infer<typeof Claims>;

/** The claims of a token of scope `S`. */
export type ClaimsFor<S extends Scope> = Extract<Claims, { scope: S }>;

type RegisteredClaim = 'aud' | 'iat' | 'exp';
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Claims as a caller hands them to `signToken`: the signer adds `aud`, `iat` and `exp`. */
export type UnsignedClaims = OmitEach<Claims, RegisteredClaim>;

/** The schema that validates a payload of scope `scope`. */
export function claimsSchemaFor(scope: Scope): typeof UserClaims | typeof ContainerClaims | typeof AgentClaims {
  switch (scope) {
    case 'user':
      return UserClaims;
    case 'container':
      return ContainerClaims;
    case 'agent':
      return AgentClaims;
  }
}

/** Drops `aud`, `iat` and `exp`, keeping only the claims that identify the holder (used by renewal). */
export function unsignedClaimsOf(claims: Claims): UnsignedClaims {
  switch (claims.scope) {
    case 'user': {
      const { aud: _aud, iat: _iat, exp: _exp, ...rest } = claims;
      return rest;
    }
    case 'container': {
      const { aud: _aud, iat: _iat, exp: _exp, ...rest } = claims;
      return rest;
    }
    case 'agent': {
      const { aud: _aud, iat: _iat, exp: _exp, ...rest } = claims;
      return rest;
    }
  }
}
