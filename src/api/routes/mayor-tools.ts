/**
 * The mayor-only tool (`http-api.md` §4.4): POST M`/ui-action` relays one `gt_ui_action` to the
 * town's open dashboard sockets as `{type: "ui_action", action}` and answers `{delivered: n}`,
 * the number of sockets it reached. Counted as a mayor-tool write (120 per min per town). The
 * other mayor tools are the dashboard handlers mounted under M (`mount.ts`).
 */
import { UiActionRequest } from '../../protocol/agent.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { MAYOR_TOOLS, MountedRoutes } from '../mount.ts';
import { pathId, type RouteTable } from '../route.ts';
import { ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';

export function mayorToolRoutes(table: RouteTable): void {
  const r = new MountedRoutes(table, MAYOR_TOOLS);
  r.route('POST', '/ui-action', { body: UiActionRequest }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).uiAction(c.req.valid('json').action))));
}
