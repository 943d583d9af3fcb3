/**
 * Agent routes for users (`http-api.md` §4.2): list (dead only on request), detail, reset,
 * delete, and the agent's session events as a stream (404 when dead).
 */
import { AgentListQuery } from '../../protocol/api.ts';
import { PageQuery } from '../../protocol/common.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { actorOf } from '../app-env.ts';
import { pathId, type RouteTable } from '../route.ts';
import { deleted, list, ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';

const A = '/api/towns/:townId/agents';

export function agentRoutes(r: RouteTable): void {
  r.route('GET', A, { auth: 'user-town', query: AgentListQuery }, async (c) => list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listAgents(c.req.valid('query')))));
  r.route('GET', `${A}/:agentId`, { auth: 'user-town' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).getAgent(pathId(c, 'agentId')))));
  r.route('GET', `${A}/:agentId/events`, { auth: 'user-town', query: PageQuery }, async (c) =>
    list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listAgentEvents(pathId(c, 'agentId'), c.req.valid('query')))),
  );
  r.route('POST', `${A}/:agentId/reset`, { auth: 'user-town' }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).resetAgent(actorOf(c.get('caller')), pathId(c, 'agentId')))),
  );
  r.route('DELETE', `${A}/:agentId`, { auth: 'user-town' }, async (c) => {
    unwrap(await townStub(c.env, pathId(c, 'townId')).deleteAgent(actorOf(c.get('caller')), pathId(c, 'agentId')));
    return deleted(c);
  });
}
