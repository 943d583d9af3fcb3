/**
 * The control server's boot env (`container.md` §1), built fresh for every container start:
 * town id, worker API URL, the HMAC control secret and a new 8 h container token; local model
 * and the test timing profile in development only. Also the worker's own base URL.
 */
import type { Env } from '../env.ts';
import { isDevelopment } from '../env.ts';
import { controlSecretFor } from '../auth/control-secret.ts';
import { mintContainerToken } from '../auth/mint.ts';

/** `GASTOWN_API_URL` without a trailing slash; throws when unset (containers could not call back). */
export function workerApiUrl(env: Pick<Env, 'GASTOWN_API_URL'>): string {
  const url = env.GASTOWN_API_URL;
  if (url === undefined || url.trim() === '') throw new Error('GASTOWN_API_URL is not set, so the container could not reach the worker');
  return url.trim().replace(/\/+$/, '');
}

/** The env a container start gets; secrets here go only to the container. */
export async function buildBootEnv(env: Pick<Env, 'GASTOWN_JWT_SECRET' | 'GASTOWN_API_URL' | 'ENVIRONMENT' | 'GASTOWN_TIMING'>, townId: string, now: number): Promise<Record<string, string>> {
  const token = await mintContainerToken(env.GASTOWN_JWT_SECRET, townId, now);
  const vars: Record<string, string> = {
    GASTOWN_TOWN_ID: townId,
    GASTOWN_API_URL: workerApiUrl(env),
    GASTOWN_CONTROL_SECRET: await controlSecretFor(env.GASTOWN_JWT_SECRET, townId),
    GASTOWN_CONTAINER_TOKEN: token.token,
  };
  if (isDevelopment(env)) {
    vars.GASTOWN_LOCAL_MODEL = 'allow';
    if (env.GASTOWN_TIMING === 'test') vars.GASTOWN_TIMING = 'test';
  }
  return vars;
}
