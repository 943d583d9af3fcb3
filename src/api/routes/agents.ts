/**
 * Agent routes for users (`http-api.md` §4.2, §4.4): list (dead only on request), detail, reset,
 * delete, and the agent's session events as a stream (404 when dead). The list and reset are
 * also mayor tools (`gt_list_agents`, `gt_agent_reset`: same handlers under M).
 */
import { AgentListQuery } from '../../protocol/api.ts';
import { PageQuery } from '../../protocol/common.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { actorOf } from '../app-env.ts';
import type { MountedRoutes } from '../mount.ts';
import { pathId } from '../route.ts';
import { deleted, list, ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';

const A = '/agents';

export function agentRoutes(r: MountedRoutes): void {
  r.route('GET', A, { query: AgentListQuery }, async (c) => list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listAgents(c.req.valid('query')))));
  r.dashboardOnly('GET', `${A}/:agentId`, {}, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).getAgent(pathId(c, 'agentId')))));
  r.dashboardOnly('GET', `${A}/:agentId/events`, { query: PageQuery }, async (c) =>
    list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listAgentEvents(pathId(c, 'agentId'), c.req.valid('query')))),
  );
  r.route('POST', `${A}/:agentId/reset`, {}, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).resetAgent(actorOf(c.get('caller')), pathId(c, 'agentId')))),
  );
  r.dashboardOnly('DELETE', `${A}/:agentId`, {}, async (c) => {
    unwrap(await townStub(c.env, pathId(c, 'townId')).deleteAgent(actorOf(c.get('caller')), pathId(c, 'agentId')));
    return deleted(c);
  });
}
