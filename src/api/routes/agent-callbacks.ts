/**
 * Agent callbacks (`http-api.md` §4.3, P = `/api/towns/:townId/rigs/:rigId/agents/:agentId`): the
 * session's heartbeat and events, its facts (done, completed, waiting, eviction context: town
 * events carrying the token's dispatch id), its token renewal, and the rig's git token refresh.
 * The agent token is bound to the path by the guard; a dead agent is a 404 there.
 */
import { AgentEventsBatch, Completed, Done, EvictionContext, Heartbeat, Waiting } from '../../protocol/agent.ts';
import { renewToken } from '../../auth/mint.ts';
import type { AgentFact } from '../../town/reports/agent-facts.ts';
import { unwrap } from '../../town/rpc-result.ts';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { pathId, type RouteTable } from '../route.ts';
import { ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';
import { agentClaimsOf, dispatchIdOf } from './agent-caller.ts';

const P = '/api/towns/:townId/rigs/:rigId/agents/:agentId';

/** P`/events` accepts up to 1 MB (`http-api.md` §6). */
export const AGENT_EVENTS_BODY_LIMIT = 1024 * 1024;

async function fact(c: Context<AppEnv>, f: AgentFact): Promise<Response> {
  return ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).reportAgentFact(pathId(c, 'agentId'), dispatchIdOf(c.get('caller')), f)));
}

export function agentCallbackRoutes(r: RouteTable): void {
  r.route('POST', `${P}/heartbeat`, { auth: 'agent', body: Heartbeat, rateLimit: { rule: 'heartbeat', scope: 'agent' } }, async (c) => {
    const outcome = unwrap(await townStub(c.env, pathId(c, 'townId')).heartbeat(pathId(c, 'agentId'), dispatchIdOf(c.get('caller')), c.req.valid('json')));
    return ok(c, outcome.result);
  });

  r.route('POST', `${P}/events`, { auth: 'agent', body: AgentEventsBatch, bodyLimit: AGENT_EVENTS_BODY_LIMIT, rateLimit: { rule: 'agent_events', scope: 'agent' } }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).appendAgentEvents(pathId(c, 'agentId'), c.req.valid('json').events))),
  );

  r.route('POST', `${P}/done`, { auth: 'agent', roles: ['polecat', 'refinery'], body: Done }, async (c) => fact(c, { kind: 'done', body: c.req.valid('json') }));
  r.route('POST', `${P}/completed`, { auth: 'agent', body: Completed }, async (c) => fact(c, { kind: 'completed', body: c.req.valid('json') }));
  r.route('POST', `${P}/waiting`, { auth: 'agent', roles: ['mayor'], body: Waiting }, async (c) => fact(c, { kind: 'waiting', body: c.req.valid('json') }));
  r.route('POST', `${P}/eviction-context`, { auth: 'agent', roles: ['polecat', 'refinery'], body: EvictionContext }, async (c) =>
    fact(c, { kind: 'eviction-context', body: c.req.valid('json') }),
  );

  // Renewal (§2 rule 4): the caller's own token, even up to 24 h past its exp; the guard has
  // checked that the town and the agent still exist.
  r.route('POST', `${P}/refresh-token`, { auth: 'agent-renewal' }, async (c) => ok(c, await renewToken(c.env.GASTOWN_JWT_SECRET, agentClaimsOf(c.get('caller')), Date.now())));

  // An agent of the rig, the mayor (any rig of its town) or the container (`container.md` §9.3).
  r.route('POST', '/api/towns/:townId/rigs/:rigId/refresh-git-token', { auth: 'agent-or-container' }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).refreshGitToken(pathId(c, 'rigId')))),
  );
}
