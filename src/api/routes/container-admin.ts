/**
 * The user's container control (`http-api.md` §4.2): POST T`/container/restart` with `mode`
 * `graceful` (SIGTERM: the container drains; the next start-on-demand call starts a new one,
 * the default) or `hard` (SIGKILL, then a fresh start). Answers `{requested: true}`.
 */
import { ContainerRestart } from '../../protocol/api.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { pathId, type RouteTable } from '../route.ts';
import { ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';

export function containerAdminRoutes(r: RouteTable): void {
  r.route('POST', '/api/towns/:townId/container/restart', { auth: 'user-town', body: ContainerRestart }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).restartContainer(c.req.valid('json').mode ?? 'graceful'))),
  );
}
