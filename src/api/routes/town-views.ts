/**
 * Read views of a town (`http-api.md` §4.2): mail, escalations (with acknowledge), the activity
 * stream and the merge queue.
 */
import { ActivityQuery, EscalationListQuery, MailListQuery, MergeQueueQuery } from '../../protocol/api.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { actorOf } from '../app-env.ts';
import { pathId, type RouteTable } from '../route.ts';
import { list, ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';

const T = '/api/towns/:townId';

export function townViewRoutes(r: RouteTable): void {
  r.route('GET', `${T}/mail`, { auth: 'user-town', query: MailListQuery }, async (c) => list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listMail(c.req.valid('query')))));
  r.route('GET', `${T}/escalations`, { auth: 'user-town', query: EscalationListQuery }, async (c) =>
    list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listEscalations(c.req.valid('query')))),
  );
  r.route('POST', `${T}/escalations/:escalationId/acknowledge`, { auth: 'user-town' }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).acknowledgeEscalation(actorOf(c.get('caller')), pathId(c, 'escalationId')))),
  );
  r.route('GET', `${T}/activity`, { auth: 'user-town', query: ActivityQuery }, async (c) => list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listActivity(c.req.valid('query')))));
  r.route('GET', `${T}/merge-queue`, { auth: 'user-town', query: MergeQueueQuery }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).mergeQueue(c.req.valid('query').rig_id))),
  );
}
