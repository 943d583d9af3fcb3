/**
 * Bead routes (`http-api.md` §4.2): create, list (filters + cursor), detail with relations,
 * patch (fields, held, status incl. cancel, depends_on), reassign, delete, bulk delete, and
 * the sling / sling-batch commands that create dispatchable work.
 */
import { BeadCreate, BeadListQuery, BeadPatch, BeadReassign, BulkDelete, Sling, SlingBatch } from '../../protocol/api.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { actorOf } from '../app-env.ts';
import { pathId, type RouteTable } from '../route.ts';
import { created, deleted, list, ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';

const T = '/api/towns/:townId';

export function beadRoutes(r: RouteTable): void {
  r.route('POST', `${T}/beads`, { auth: 'user-town', body: BeadCreate }, async (c) =>
    created(c, unwrap(await townStub(c.env, pathId(c, 'townId')).createBead(actorOf(c.get('caller')), c.req.valid('json')))),
  );
  r.route('GET', `${T}/beads`, { auth: 'user-town', query: BeadListQuery }, async (c) =>
    list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listBeads(c.req.valid('query')))),
  );
  r.route('POST', `${T}/beads/bulk-delete`, { auth: 'user-town', body: BulkDelete }, async (c) => {
    const n = unwrap(await townStub(c.env, pathId(c, 'townId')).bulkDeleteBeads(actorOf(c.get('caller')), c.req.valid('json').bead_ids));
    return ok(c, { deleted: n });
  });
  r.route('GET', `${T}/beads/:beadId`, { auth: 'user-town' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).getBead(pathId(c, 'beadId')))));
  r.route('PATCH', `${T}/beads/:beadId`, { auth: 'user-town', body: BeadPatch }, async (c) => {
    return ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).patchBead(actorOf(c.get('caller')), pathId(c, 'beadId'), c.req.valid('json'))));
  });
  r.route('POST', `${T}/beads/:beadId/reassign`, { auth: 'user-town', body: BeadReassign }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).reassignBead(actorOf(c.get('caller')), pathId(c, 'beadId'), c.req.valid('json').agent_id))),
  );
  r.route('DELETE', `${T}/beads/:beadId`, { auth: 'user-town' }, async (c) => {
    unwrap(await townStub(c.env, pathId(c, 'townId')).deleteBead(actorOf(c.get('caller')), pathId(c, 'beadId')));
    return deleted(c);
  });
  r.route('POST', `${T}/sling`, { auth: 'user-town', body: Sling }, async (c) => {
    const bead = unwrap(await townStub(c.env, pathId(c, 'townId')).sling(actorOf(c.get('caller')), c.req.valid('json')));
    return created(c, { bead });
  });
  r.route('POST', `${T}/sling-batch`, { auth: 'user-town', body: SlingBatch }, async (c) => {
    return created(c, unwrap(await townStub(c.env, pathId(c, 'townId')).slingBatch(actorOf(c.get('caller')), c.req.valid('json'))));
  });
}
