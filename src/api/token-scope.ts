/**
 * The credential-scope step for machine tokens (`http-api.md` §1.3, §2 rules 2–4, §4.4): an agent
 * token's `townId`, `rigId` and `agentId` must equal the path and its role be allowed (403), a
 * container token's `townId` must equal the path (403); then the town must exist and the agent be
 * alive (404). On the mayor tools the token must be a mayor's of this town (403), the town must
 * exist (404) and the token must name its current mayor (403: a replaced or deleted mayor).
 * Called by `route()` after the path id syntax check, before the rate limit.
 */
import type { Context } from 'hono';
import type { AgentClaims, ContainerClaims } from '../auth/claims.ts';
import type { AgentRole } from '../protocol/common.ts';
import { Forbidden, NotFound } from '../errors.ts';
import { unwrap } from '../town/rpc-result.ts';
import type { AppEnv, Caller } from './app-env.ts';
import type { AuthKind } from './authenticate.ts';
import { townStub } from './town-stub.ts';

/** The path ids a token is checked against (lowercase). */
export interface TokenPath {
  townId: string;
  rigId?: string | undefined;
  agentId?: string | undefined;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * Agent token vs path. Under `…/agents/:agentId` the town, rig and agent must all match (the mayor
 * uses `:rigId = :townId`, its token's `rigId`). Without `:agentId` (`refresh-git-token`) the
 * agent must belong to `:rigId`, unless it is the mayor, who may ask for any rig of its town.
 */
export function checkAgentBinding(claims: AgentClaims, path: TokenPath, roles?: readonly AgentRole[]): void {
  if (!same(claims.townId, path.townId)) throw new Forbidden('This agent token belongs to another town.');
  if (path.agentId !== undefined) {
    if (!same(claims.agentId, path.agentId)) throw new Forbidden('An agent token works only for its own agent.');
    if (path.rigId === undefined || !same(claims.rigId, path.rigId)) throw new Forbidden('This agent token belongs to another rig.');
  } else if (path.rigId !== undefined && claims.role !== 'mayor' && !same(claims.rigId, path.rigId)) {
    throw new Forbidden('This agent token belongs to another rig.');
  }
  if (roles !== undefined && !roles.includes(claims.role)) throw new Forbidden(`This route is not open to the ${claims.role} role.`);
}

/** Container token vs path (§2 rule 2). */
export function checkContainerBinding(claims: ContainerClaims, path: TokenPath): void {
  if (!same(claims.townId, path.townId)) throw new Forbidden('This container token belongs to another town.');
}

const MACHINE_KINDS: ReadonlySet<AuthKind> = new Set<AuthKind>(['agent', 'agent-renewal', 'container', 'container-renewal', 'agent-or-container', 'mayor']);

/** The only role the mayor tools accept. */
const MAYOR_ONLY: readonly AgentRole[] = ['mayor'];

function pathOf(c: Context<AppEnv>): TokenPath {
  const param = (name: string): string | undefined => c.req.param(name)?.toLowerCase();
  const townId = param('townId');
  if (townId === undefined) throw new Error('a machine-token route has no :townId param');
  return { townId, rigId: param('rigId'), agentId: param('agentId') };
}

/**
 * Runs the binding checks for a machine-token route, then asks the TownDO whether the town exists
 * and (for an agent) whether the agent is alive and of the token's rig: 404 otherwise, so a dead
 * agent or a deleted town is gone on every route, renewal included.
 */
export async function checkTokenScope(c: Context<AppEnv>, auth: AuthKind, caller: Caller, roles?: readonly AgentRole[]): Promise<void> {
  if (!MACHINE_KINDS.has(auth)) return;
  const path = pathOf(c);
  const town = townStub(c.env, path.townId);
  if (auth === 'mayor' && caller.kind === 'agent') {
    checkAgentBinding(caller.claims, { townId: path.townId }, MAYOR_ONLY);
    // The mayor has no rig: its token carries `rigId = townId` (§2 rule 3).
    if (!same(caller.claims.rigId, path.townId)) throw new Forbidden('A mayor token carries rigId = townId.');
    unwrap(await town.requireCurrentMayor(caller.claims.agentId.toLowerCase()));
    return;
  }
  if (caller.kind === 'agent') {
    checkAgentBinding(caller.claims, path, roles);
    unwrap(await town.requireLiveAgent(caller.claims.agentId.toLowerCase(), caller.claims.rigId.toLowerCase()));
    return;
  }
  if (caller.kind === 'container') {
    checkContainerBinding(caller.claims, path);
    if ((await town.authorize('')) === 'not_found') throw new NotFound('town', path.townId);
    return;
  }
  throw new Error(`route with auth ${auth} reached without a machine caller`);
}
