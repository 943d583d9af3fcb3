/**
 * The two mounts of the town routes (`http-api.md` §4.2, §4.4): the dashboard under
 * T = `/api/towns/:townId` with the owner's user token, and the mayor's tools under
 * M = `/api/towns/:townId/mayor/tools` with the current mayor's agent token, where every write
 * (non-GET) counts against the town's mayor-tool limit (120 per min). A route module registers
 * each handler through `MountedRoutes` and `app.ts` runs the module once per mount, so one
 * handler serves both paths; a route the mayor has no tool for is registered on the dashboard only.
 */
import type { z } from 'zod';
import type { RateRuleName, RateScope } from '../rate-limit/rules.ts';
import type { AuthKind } from './authenticate.ts';
import type { Method, RouteContext, RouteOptions, RouteTable } from './route.ts';

export interface Mount {
  readonly kind: 'dashboard' | 'mayor-tools';
  /** The path every route of the mount starts with. */
  readonly base: string;
  readonly auth: AuthKind;
  /** The limit of every non-GET route of the mount, if any. */
  readonly writeLimit?: { rule: RateRuleName; scope: RateScope };
}

/** T: the dashboard, with a user token for a town the user owns. */
export const DASHBOARD: Mount = { kind: 'dashboard', base: '/api/towns/:townId', auth: 'user-town' };

/** M: the mayor's tools, with the token of the town's current mayor. */
export const MAYOR_TOOLS: Mount = {
  kind: 'mayor-tools',
  base: '/api/towns/:townId/mayor/tools',
  auth: 'mayor',
  writeLimit: { rule: 'mayor_tool_writes', scope: 'town' },
};

/** Options of a mounted route: everything but the credential, which the mount decides. */
export type MountedOptions<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> = Omit<RouteOptions<B, Q>, 'auth'>;

type Handler<B, Q> = (c: RouteContext<string, B, Q>) => Response | Promise<Response>;

/** Declares routes relative to one mount's base, with its credential and write limit. */
export class MountedRoutes {
  constructor(
    readonly table: RouteTable,
    readonly mount: Mount,
  ) {}

  /** A route served on every mount (the mayor has a tool for it). */
  route<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
    method: Method,
    path: string,
    opts: MountedOptions<B, Q>,
    handler: Handler<B, Q>,
  ): void {
    const limit = method !== 'GET' && this.mount.writeLimit !== undefined ? { rateLimit: this.mount.writeLimit } : {};
    this.table.route<string, B, Q>(method, `${this.mount.base}${path}`, { ...opts, ...limit, auth: this.mount.auth }, handler);
  }

  /** A route only the dashboard serves. */
  dashboardOnly<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
    method: Method,
    path: string,
    opts: MountedOptions<B, Q>,
    handler: Handler<B, Q>,
  ): void {
    if (this.mount.kind === 'dashboard') this.route(method, path, opts, handler);
  }
}
