/**
 * Town routes (`http-api.md` §4.2): create (TownDO row, then the owner's UserDO index), list
 * (the index), detail, delete (state, alarm and index entry), and the town config with masked
 * secrets.
 */
import { PageQuery } from '../../protocol/common.ts';
import { TownCreate } from '../../protocol/api.ts';
import { TownConfigPatch } from '../../protocol/config.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { actorOf } from '../app-env.ts';
import { pathId, type RouteTable } from '../route.ts';
import { created, deleted, list, ok } from '../respond.ts';
import { townStub, userStub } from '../town-stub.ts';
import { userSub } from './caller.ts';

export function townRoutes(r: RouteTable): void {
  r.route('POST', '/api/towns', { auth: 'user', body: TownCreate }, async (c) => {
    const sub = userSub(c.get('caller'));
    const id = crypto.randomUUID();
    const town = unwrap(await townStub(c.env, id).createTown({ id, name: c.req.valid('json').name, ownerId: sub }));
    try {
      await userStub(c.env, sub).addTown(town);
    } catch (e) {
      // Keep the index and the town consistent: no town exists without its index entry.
      await townStub(c.env, id).destroyTown();
      throw e;
    }
    return created(c, town);
  });

  r.route('GET', '/api/towns', { auth: 'user', query: PageQuery }, async (c) => {
    const sub = userSub(c.get('caller'));
    return list(c, unwrap(await userStub(c.env, sub).listTowns(sub, c.req.valid('query'))));
  });

  r.route('GET', '/api/towns/:townId', { auth: 'user-town' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).getTownDetail())));

  r.route('DELETE', '/api/towns/:townId', { auth: 'user-town' }, async (c) => {
    const townId = pathId(c, 'townId');
    unwrap(await townStub(c.env, townId).destroyTown());
    await userStub(c.env, userSub(c.get('caller'))).removeTown(townId);
    return deleted(c);
  });

  r.route('GET', '/api/towns/:townId/config', { auth: 'user-town' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).getConfig())));

  r.route('PATCH', '/api/towns/:townId/config', { auth: 'user-town', body: TownConfigPatch }, async (c) =>
    // A change of the mayor's models also hot-swaps a running mayor (`http-api.md` §4.2).
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).patchConfigAndSwapMayor(actorOf(c.get('caller')), c.req.valid('json')))),
  );
}
