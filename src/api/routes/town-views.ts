/**
 * Read views of a town (`http-api.md` §4.2): mail, escalations (with acknowledge, also the mayor
 * tool `gt_escalation_acknowledge` under M), the activity stream and the merge queue.
 */
import { ActivityQuery, EscalationListQuery, MailListQuery, MergeQueueQuery } from '../../protocol/api.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { actorOf } from '../app-env.ts';
import type { MountedRoutes } from '../mount.ts';
import { pathId } from '../route.ts';
import { list, ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';

export function townViewRoutes(r: MountedRoutes): void {
  r.dashboardOnly('GET', '/mail', { query: MailListQuery }, async (c) => list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listMail(c.req.valid('query')))));
  r.dashboardOnly('GET', '/escalations', { query: EscalationListQuery }, async (c) =>
    list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listEscalations(c.req.valid('query')))),
  );
  r.route('POST', '/escalations/:escalationId/acknowledge', {}, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).acknowledgeEscalation(actorOf(c.get('caller')), pathId(c, 'escalationId')))),
  );
  r.dashboardOnly('GET', '/activity', { query: ActivityQuery }, async (c) => list(c, unwrap(await townStub(c.env, pathId(c, 'townId')).listActivity(c.req.valid('query')))));
  r.dashboardOnly('GET', '/merge-queue', { query: MergeQueueQuery }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).mergeQueue(c.req.valid('query').rig_id))),
  );
}
