/**
 * The worker's bindings and vars (`wrangler.jsonc`). Secrets: `GASTOWN_JWT_SECRET` (required;
 * a development value is set in the `local` environment) and `SENTRY_DSN` (optional).
 */
import type { TownDO } from './town/town-do.ts';
import type { UserDO } from './user/user-do.ts';
import type { LocalTownContainerDO } from './container/local-town-container-do.ts';
import type { TownContainerDO } from './container/town-container-do.ts';
import type { GitTokenService } from './town/scm/token-chain.ts';

export interface Env {
  ENVIRONMENT: string;
  GASTOWN_VERSION: string;
  /** `test` scales every reconciler and container timer down (development only). */
  GASTOWN_TIMING?: string;
  GASTOWN_JWT_SECRET: string;
  SENTRY_DSN?: string;
  LOCAL_LAUNCHER_URL?: string;
  /** The worker's public base URL as containers and agents reach it (`ContainerConfig.api_url`). */
  GASTOWN_API_URL?: string;
  /** Kilo gateway base URL passed to containers (`ContainerConfig.kilo_api_url`); optional. */
  KILO_API_URL?: string;
  /** Optional service binding minting platform-integration git tokens (`scm.md` §2). */
  GIT_TOKEN_SERVICE?: GitTokenService;
  TOWN: DurableObjectNamespace<TownDO>;
  USER: DurableObjectNamespace<UserDO>;
  /** Both container classes expose the same RPC (`src/container/container-rpc.ts`). */
  TOWN_CONTAINER: DurableObjectNamespace<TownContainerDO | LocalTownContainerDO>;
  AGENT_DB_SNAPSHOTS: KVNamespace;
  ANALYTICS?: AnalyticsEngineDataset;
  /** The dashboard bundle (`wrangler.jsonc` `assets`); absent where no assets are built (unit tests). */
  ASSETS?: Fetcher;
}

export function isDevelopment(env: Pick<Env, 'ENVIRONMENT'>): boolean {
  return env.ENVIRONMENT === 'development';
}
