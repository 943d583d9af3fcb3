/**
 * Convoy routes (`http-api.md` §4.2, §4.4): list, detail, patch, start, close (= cancel) and
 * adding or removing a member bead. Every one is also a mayor tool (same handler under M).
 */
import { ConvoyAddBead, ConvoyListQuery, ConvoyPatch } from '../../protocol/api.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { actorOf } from '../app-env.ts';
import type { MountedRoutes } from '../mount.ts';
import { pathId } from '../route.ts';
import { list, ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';

const C = '/convoys';

export function convoyRoutes(r: MountedRoutes): void {
  r.route('GET', C, { query: ConvoyListQuery }, async (c) => list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listConvoys(c.req.valid('query')))));
  r.route('GET', `${C}/:convoyId`, {}, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).getConvoy(pathId(c, 'convoyId')))));
  r.route('PATCH', `${C}/:convoyId`, { body: ConvoyPatch }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).patchConvoy(actorOf(c.get('caller')), pathId(c, 'convoyId'), c.req.valid('json')))),
  );
  r.route('POST', `${C}/:convoyId/start`, {}, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).startConvoy(actorOf(c.get('caller')), pathId(c, 'convoyId')))),
  );
  r.route('POST', `${C}/:convoyId/close`, {}, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).closeConvoy(actorOf(c.get('caller')), pathId(c, 'convoyId')))),
  );
  r.route('POST', `${C}/:convoyId/beads`, { body: ConvoyAddBead }, async (c) => {
    const input = c.req.valid('json');
    return ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).addConvoyBead(actorOf(c.get('caller')), pathId(c, 'convoyId'), input.bead_id, input.depends_on ?? [])));
  });
  r.route('DELETE', `${C}/:convoyId/beads/:beadId`, {}, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).removeConvoyBead(actorOf(c.get('caller')), pathId(c, 'convoyId'), pathId(c, 'beadId')))),
  );
}
