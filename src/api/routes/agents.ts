/**
 * Agent routes for users (`http-api.md` §4.2): list (dead only on request), detail, reset and
 * delete. Session events and the mayor arrive with the dispatch issue.
 */
import { AgentListQuery } from '../../protocol/api.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { actorOf } from '../app-env.ts';
import { pathId, type RouteTable } from '../route.ts';
import { deleted, list, ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';

const A = '/api/towns/:townId/agents';

export function agentRoutes(r: RouteTable): void {
  r.route('GET', A, { auth: 'user-town', query: AgentListQuery }, async (c) => list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listAgents(c.req.valid('query')))));
  r.route('GET', `${A}/:agentId`, { auth: 'user-town' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).getAgent(pathId(c, 'agentId')))));
  r.route('POST', `${A}/:agentId/reset`, { auth: 'user-town' }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).resetAgent(actorOf(c.get('caller')), pathId(c, 'agentId')))),
  );
  r.route('DELETE', `${A}/:agentId`, { auth: 'user-town' }, async (c) => {
    unwrap(await townStub(c.env, pathId(c, 'townId')).deleteAgent(actorOf(c.get('caller')), pathId(c, 'agentId')));
    return deleted(c);
  });
}
