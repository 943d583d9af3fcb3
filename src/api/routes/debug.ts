/**
 * `/debug/towns/:townId/*` (`http-api.md` §4.6, `reconciler.md` §9): admin token, or a request
 * to localhost in development. Works on any town (existence checked, ownership not).
 */
import { PageQuery } from '../../protocol/common.ts';
import { ConvoyListQuery, SlingBatch } from '../../protocol/api.ts';
import { DebugEventsQuery, RawEventInsert, ReplayRequest, SeamsArm } from '../../protocol/debug.ts';
import { NotFound } from '../../errors.ts';
import { isDevelopment } from '../../env.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { actorOf } from '../app-env.ts';
import { pathId, type RouteTable } from '../route.ts';
import { created, list, ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';

const D = '/debug/towns/:townId';

export function debugRoutes(r: RouteTable): void {
  r.route('GET', `${D}/status`, { auth: 'admin-town' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).debugStatus())));
  r.route('POST', `${D}/reconcile-dry-run`, { auth: 'admin-town' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).dryRun())));
  r.route('POST', `${D}/replay-events`, { auth: 'admin-town', body: ReplayRequest }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).replayEvents(c.req.valid('json')))),
  );
  r.route('GET', `${D}/events`, { auth: 'admin-town', query: DebugEventsQuery }, async (c) =>
    list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listInboxEvents(c.req.valid('query')))),
  );
  r.route('POST', `${D}/events/:eventId/requeue`, { auth: 'admin-town' }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).requeueEvent(pathId(c, 'eventId')))),
  );
  r.route('POST', `${D}/events`, { auth: 'admin-town', body: RawEventInsert }, async (c) => {
    if (!isDevelopment(c.env)) throw new NotFound('route');
    const e = c.req.valid('json');
    return created(c, unwrap(await townStub(c.env, pathId(c, 'townId')).injectEvent({ event_type: e.event_type, agent_id: e.agent_id ?? null, bead_id: e.bead_id ?? null, payload: e.payload })));
  });
  r.route('POST', `${D}/seams`, { auth: 'admin-town', body: SeamsArm }, async (c) => {
    // A fault-test seam (`src/town/debug/seams.ts`): never outside development.
    if (!isDevelopment(c.env)) throw new NotFound('route');
    return ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).armSeams(c.req.valid('json'))));
  });
  r.route('POST', `${D}/tick`, { auth: 'admin-town' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).tickNow())));
  // D`/rigs` and D`/convoys` are list responses (§1.1): paged like their T twins, with `next_cursor`.
  r.route('GET', `${D}/rigs`, { auth: 'admin-town', query: PageQuery }, async (c) => list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listRigs(c.req.valid('query')))));
  r.route('POST', `${D}/sling-convoy`, { auth: 'admin-town', body: SlingBatch }, async (c) =>
    created(c, unwrap(await townStub(c.env, pathId(c, 'townId')).slingConvoyAsAdmin(actorOf(c.get('caller')), c.req.valid('json')))),
  );
  r.route('GET', `${D}/convoys`, { auth: 'admin-town', query: ConvoyListQuery }, async (c) => list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listConvoys(c.req.valid('query')))));
  r.route('GET', `${D}/beads/:beadId`, { auth: 'admin-town' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).debugBead(pathId(c, 'beadId')))));
  r.route('GET', `${D}/config`, { auth: 'admin-town' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).getConfig())));
}
