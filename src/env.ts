/**
 * The worker's bindings and vars (`wrangler.jsonc`). Secrets: `GASTOWN_JWT_SECRET` (required;
 * a development value is set in the `local` environment) and `SENTRY_DSN` (optional).
 */
import type { TownDO } from './town/town-do.ts';
import type { UserDO } from './user/user-do.ts';

export interface Env {
  ENVIRONMENT: string;
  GASTOWN_VERSION: string;
  /** `test` scales every reconciler and container timer down (development only). */
  GASTOWN_TIMING?: string;
  GASTOWN_JWT_SECRET: string;
  SENTRY_DSN?: string;
  LOCAL_LAUNCHER_URL?: string;
  TOWN: DurableObjectNamespace<TownDO>;
  USER: DurableObjectNamespace<UserDO>;
  TOWN_CONTAINER: DurableObjectNamespace;
  AGENT_DB_SNAPSHOTS: KVNamespace;
  ANALYTICS?: AnalyticsEngineDataset;
}

export function isDevelopment(env: Pick<Env, 'ENVIRONMENT'>): boolean {
  return env.ENVIRONMENT === 'development';
}
