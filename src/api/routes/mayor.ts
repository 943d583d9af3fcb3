/**
 * Mayor routes for users (`http-api.md` §4.2): status, ensure (start it when no session runs) and
 * message (to the live session, or starting one that carries it; 10 per min per town, 503 while
 * the container drains). The hot-swap on a model change rides on PATCH T`/config`.
 */
import { MayorMessage } from '../../protocol/api.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { actorOf } from '../app-env.ts';
import { pathId, type RouteTable } from '../route.ts';
import { ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';

const M = '/api/towns/:townId/mayor';

export function mayorRoutes(r: RouteTable): void {
  r.route('GET', M, { auth: 'user-town' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).mayorStatus())));
  r.route('POST', `${M}/ensure`, { auth: 'user-town' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).ensureMayor(actorOf(c.get('caller'))))));
  r.route('POST', `${M}/message`, { auth: 'user-town', body: MayorMessage, rateLimit: { rule: 'mayor_message', scope: 'town' } }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).messageMayor(actorOf(c.get('caller')), c.req.valid('json')))),
  );
}
