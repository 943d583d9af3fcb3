/**
 * Accessors for machine callers inside handlers: the guard has already verified the token and
 * bound it to the path (`token-scope.ts`), so a missing one is a bug in the route declaration.
 */
import type { AgentClaims, ContainerClaims } from '../../auth/claims.ts';
import type { Caller } from '../app-env.ts';

/** The claims of an agent caller; routes with `auth: 'agent'` / `'agent-renewal'` guarantee one. */
export function agentClaimsOf(caller: Caller): AgentClaims {
  if (caller.kind !== 'agent') throw new Error('route declared for agents reached without an agent caller');
  return caller.claims;
}

/** The claims of a container caller; routes with `auth: 'container'` / `'container-renewal'` guarantee one. */
export function containerClaimsOf(caller: Caller): ContainerClaims {
  if (caller.kind !== 'container') throw new Error('route declared for the container reached without a container caller');
  return caller.claims;
}

/** The token's dispatch id, lowercase (null for a prewarmed mayor). */
export function dispatchIdOf(caller: Caller): string | null {
  return agentClaimsOf(caller).dispatchId?.toLowerCase() ?? null;
}
