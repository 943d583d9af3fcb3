/**
 * Bead routes (`http-api.md` §4.2, §4.4): create, list (filters + cursor), detail with relations,
 * patch (fields, held, status incl. cancel, depends_on), reassign, delete, bulk delete, and
 * the sling / sling-batch commands that create dispatchable work. Every route but create is also
 * a mayor tool (same handler under M); the actor is the caller (`agent:<mayorId>` for the mayor).
 */
import { BeadCreate, BeadListQuery, BeadPatch, BeadReassign, BulkDelete, Sling, SlingBatch } from '../../protocol/api.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { actorOf } from '../app-env.ts';
import type { MountedRoutes } from '../mount.ts';
import { pathId } from '../route.ts';
import { created, deleted, list, ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';

export function beadRoutes(r: MountedRoutes): void {
  r.dashboardOnly('POST', '/beads', { body: BeadCreate }, async (c) =>
    created(c, unwrap(await townStub(c.env, pathId(c, 'townId')).createBead(actorOf(c.get('caller')), c.req.valid('json')))),
  );
  r.route('GET', '/beads', { query: BeadListQuery }, async (c) => list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listBeads(c.req.valid('query')))));
  r.route('POST', '/beads/bulk-delete', { body: BulkDelete }, async (c) => {
    const n = unwrap(await townStub(c.env, pathId(c, 'townId')).bulkDeleteBeads(actorOf(c.get('caller')), c.req.valid('json').bead_ids));
    return ok(c, { deleted: n });
  });
  r.route('GET', '/beads/:beadId', {}, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).getBead(pathId(c, 'beadId')))));
  r.route('PATCH', '/beads/:beadId', { body: BeadPatch }, async (c) => {
    return ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).patchBead(actorOf(c.get('caller')), pathId(c, 'beadId'), c.req.valid('json'))));
  });
  r.route('POST', '/beads/:beadId/reassign', { body: BeadReassign }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).reassignBead(actorOf(c.get('caller')), pathId(c, 'beadId'), c.req.valid('json').agent_id))),
  );
  r.route('DELETE', '/beads/:beadId', {}, async (c) => {
    unwrap(await townStub(c.env, pathId(c, 'townId')).deleteBead(actorOf(c.get('caller')), pathId(c, 'beadId')));
    return deleted(c);
  });
  r.route('POST', '/sling', { body: Sling }, async (c) => {
    const bead = unwrap(await townStub(c.env, pathId(c, 'townId')).sling(actorOf(c.get('caller')), c.req.valid('json')));
    return created(c, { bead });
  });
  r.route('POST', '/sling-batch', { body: SlingBatch }, async (c) => {
    return created(c, unwrap(await townStub(c.env, pathId(c, 'townId')).slingBatch(actorOf(c.get('caller')), c.req.valid('json'))));
  });
}
