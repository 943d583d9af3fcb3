/**
 * Container routes (`http-api.md` §4.5, C = `/api/towns/:townId/container`), called by the town's
 * control server with its container token: registry, mayor prewarm context, drain handshake
 * (eviction, ready, drain-status), telemetry (analytics only), token renewal and merge results.
 */
import {
  ContainerEviction,
  ContainerReady,
  ContainerTelemetryEvents,
  MergeResultReport,
  RegistryPut,
} from '../../protocol/container.ts';
import { renewToken } from '../../auth/mint.ts';
import { forwardContainerTelemetry } from '../../town/reports/container-telemetry.ts';
import { unwrap } from '../../town/rpc-result.ts';
import { pathId, type RouteTable } from '../route.ts';
import { ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';
import { containerClaimsOf } from './agent-caller.ts';

const C = '/api/towns/:townId/container';

/** C`/registry` PUT accepts up to 1 MB (`http-api.md` §6). */
export const REGISTRY_BODY_LIMIT = 1024 * 1024;

export function containerRoutes(r: RouteTable): void {
  r.route('GET', `${C}/registry`, { auth: 'container' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).getRegistry())));
  r.route('PUT', `${C}/registry`, { auth: 'container', body: RegistryPut, bodyLimit: REGISTRY_BODY_LIMIT }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).putRegistry(c.req.valid('json').registry))),
  );

  r.route('GET', `${C}/mayor-id`, { auth: 'container' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).mayorId())));

  r.route('POST', `${C}/eviction`, { auth: 'container', body: ContainerEviction }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).containerEviction(c.req.valid('json')))),
  );
  r.route('POST', `${C}/ready`, { auth: 'container', body: ContainerReady }, async (c) =>
    ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).containerReady(c.req.valid('json')))),
  );
  r.route('GET', `${C}/drain-status`, { auth: 'container' }, async (c) => ok(c, unwrap(await townStub(c.env, pathId(c, 'townId')).drainStatus())));

  r.route('POST', `${C}/events`, { auth: 'container', body: ContainerTelemetryEvents, rateLimit: { rule: 'container_events', scope: 'town' } }, async (c) =>
    ok(c, forwardContainerTelemetry(c.env.ANALYTICS, pathId(c, 'townId'), c.req.valid('json').events)),
  );

  // Renewal (§2 rule 4): the container's own token, even up to 24 h past its exp; 404 once the
  // town is deleted (checked by the guard).
  r.route('POST', `${C}/refresh-token`, { auth: 'container-renewal' }, async (c) => ok(c, await renewToken(c.env.GASTOWN_JWT_SECRET, containerClaimsOf(c.get('caller')), Date.now())));

  r.route('POST', `${C}/merge-result`, { auth: 'container', body: MergeResultReport }, async (c) => {
    const result = unwrap(await townStub(c.env, pathId(c, 'townId')).mergeResult(c.req.valid('json')));
    return ok(c, { accepted: result.accepted });
  });
}
