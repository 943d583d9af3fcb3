/**
 * Rig routes (`http-api.md` §4.2): create, list, detail (with agents and bead counts), patch
 * (name, default branch, config merge patch; `git_url` is fixed) and delete.
 */
import { PageQuery } from '../../protocol/common.ts';
import { RigCreate, RigPatch } from '../../protocol/api.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { actorOf } from '../app-env.ts';
import { pathId, type RouteTable } from '../route.ts';
import { created, deleted, list, ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';

const T = '/api/towns/:townId';

export function rigRoutes(r: RouteTable): void {
  r.route('POST', `${T}/rigs`, { auth: 'user-town', body: RigCreate }, async (c) =>
    created(c, unwrap(await townStub(c.env, pathId(c, 'townId')).createRig(actorOf(c.get('caller')), c.req.valid('json')))),
  );
  r.route('GET', `${T}/rigs`, { auth: 'user-town', query: PageQuery }, async (c) =>
    list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listRigs(c.req.valid('query')))),
  );
  r.route('GET', `${T}/rigs/:rigId`, { auth: 'user-town' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).getRig(pathId(c, 'rigId')))));
  r.route('PATCH', `${T}/rigs/:rigId`, { auth: 'user-town', body: RigPatch }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).patchRig(actorOf(c.get('caller')), pathId(c, 'rigId'), c.req.valid('json')))),
  );
  r.route('DELETE', `${T}/rigs/:rigId`, { auth: 'user-town' }, async (c) => {
    unwrap(await townStub(c.env, pathId(c, 'townId')).deleteRig(actorOf(c.get('caller')), pathId(c, 'rigId')));
    return deleted(c);
  });
}
