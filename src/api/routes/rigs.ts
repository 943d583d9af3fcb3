/**
 * Rig routes (`http-api.md` §4.2, §4.4): create, list (with the mayor tool `gt_list_rigs` under
 * M), detail (with agents and bead counts), patch (name, default branch, config merge patch;
 * `git_url` is fixed) and delete.
 */
import { PageQuery } from '../../protocol/common.ts';
import { RigCreate, RigPatch } from '../../protocol/api.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { actorOf } from '../app-env.ts';
import type { MountedRoutes } from '../mount.ts';
import { pathId } from '../route.ts';
import { created, deleted, list, ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';

export function rigRoutes(r: MountedRoutes): void {
  r.dashboardOnly('POST', '/rigs', { body: RigCreate }, async (c) =>
    created(c, unwrap(await townStub(c.env, pathId(c, 'townId')).createRig(actorOf(c.get('caller')), c.req.valid('json')))),
  );
  r.route('GET', '/rigs', { query: PageQuery }, async (c) => list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listRigs(c.req.valid('query')))));
  r.dashboardOnly('GET', '/rigs/:rigId', {}, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).getRig(pathId(c, 'rigId')))));
  r.dashboardOnly('PATCH', '/rigs/:rigId', { body: RigPatch }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).patchRig(actorOf(c.get('caller')), pathId(c, 'rigId'), c.req.valid('json')))),
  );
  r.dashboardOnly('DELETE', '/rigs/:rigId', {}, async (c) => {
    unwrap(await townStub(c.env, pathId(c, 'townId')).deleteRig(actorOf(c.get('caller')), pathId(c, 'rigId')));
    return deleted(c);
  });
}
