/**
 * The worker's Hono app: request context first, then every route through `RouteTable.route()`,
 * one error mapper and one not-found handler. No CORS: the dashboard is same-origin, and a
 * preflight is a 404 like any unknown route.
 */
import { Hono } from 'hono';
import type { AppEnv } from './app-env.ts';
import { onError, onNotFound } from './error-handler.ts';
import { requestContext } from './request-context.ts';
import { RouteTable } from './route.ts';
import { agentRoutes } from './routes/agents.ts';
import { agentCallbackRoutes } from './routes/agent-callbacks.ts';
import { containerRoutes } from './routes/container-api.ts';
import { mayorRoutes } from './routes/mayor.ts';
import { containerAdminRoutes } from './routes/container-admin.ts';
import { debugRoutes } from './routes/debug.ts';
import { beadRoutes } from './routes/beads.ts';
import { convoyRoutes } from './routes/convoys.ts';
import { liveRoutes } from './routes/live.ts';
import { publicRoutes } from './routes/public.ts';
import { rigRoutes } from './routes/rigs.ts';
import { townRoutes } from './routes/towns.ts';
import { townViewRoutes } from './routes/town-views.ts';
import { agentToolRoutes } from './routes/agent-tools.ts';
import { dbSnapshotRoutes } from './routes/db-snapshot.ts';
import { mayorToolRoutes } from './routes/mayor-tools.ts';
import { DASHBOARD, MAYOR_TOOLS, MountedRoutes } from './mount.ts';
import { dashboardRoutes } from '../dashboard/routes.tsx';

/** Builds the app and its route table. */
export function createApp(): { app: Hono<AppEnv>; routes: RouteTable } {
  const app = new Hono<AppEnv>();
  app.use('*', requestContext());
  const routes = new RouteTable(app);
  publicRoutes(routes);
  townRoutes(routes);
  // The town routes, once for the dashboard (T) and once as the mayor's tools (M): one handler each.
  for (const mount of [DASHBOARD, MAYOR_TOOLS]) {
    const mounted = new MountedRoutes(routes, mount);
    rigRoutes(mounted);
    beadRoutes(mounted);
    convoyRoutes(mounted);
    agentRoutes(mounted);
    townViewRoutes(mounted);
  }
  mayorToolRoutes(routes);
  agentCallbackRoutes(routes);
  agentToolRoutes(routes);
  dbSnapshotRoutes(routes);
  containerRoutes(routes);
  mayorRoutes(routes);
  containerAdminRoutes(routes);
  liveRoutes(routes);
  debugRoutes(routes);
  dashboardRoutes(app);
  app.onError(onError);
  app.notFound(onNotFound);
  return { app, routes };
}
