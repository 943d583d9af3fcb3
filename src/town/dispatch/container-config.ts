/**
 * The ONE serializer of `ContainerConfig` (`container.md` §2) for every container request:
 * `/agents/start`, `/git/merge`, `/repos/setup`, `/sync-config`, PATCH model and C`/mayor-id`.
 * Git tokens are resolved fresh on each call (`scm.md` §2); keys are written in a fixed order, so
 * two serializations of the same town are byte-identical.
 */
import type { ContainerConfig } from '../../protocol/control.ts';
import type { Env } from '../../env.ts';
import { workerApiUrl } from '../../container/boot-env.ts';
import { ms } from '../db/clock.ts';
import type { TownRecord } from '../records/town-record.ts';
import { resolveGitHubToken, resolveGitLabToken } from '../scm/token-chain.ts';

/** The bindings dispatch reads: the signing secret, the worker URL, Kilo's URL, the token service. */
export type DispatchEnv = Pick<Env, 'GASTOWN_JWT_SECRET' | 'GASTOWN_API_URL' | 'KILO_API_URL' | 'GIT_TOKEN_SERVICE' | 'ENVIRONMENT'>;

/**
 * The config version: the epoch ms of the town row's `updated_at`, which only config writes
 * move (`writeTownConfig`), so it is monotonic and bumped by every config change without extra
 * state. The container keeps a live config only if a newer one has a version ≥ its own.
 */
export function configVersion(town: TownRecord): number {
  return Math.max(0, ms(town.updated_at) ?? 0);
}

/** The town's `ContainerConfig` now; `now` is the caller's clock (unused by the shape today). */
export async function serializeContainerConfig(env: DispatchEnv, town: TownRecord, _now: number): Promise<ContainerConfig> {
  const c = town.config;
  const github = await resolveGitHubToken(c, env);
  const gitlab = await resolveGitLabToken(c);
  const gitAuth: ContainerConfig['git_auth'] = {};
  if (github.token !== null) gitAuth.github_token = github.token;
  if (gitlab.token !== null) gitAuth.gitlab_token = gitlab.token;
  if (c.git_auth.gitlab_instance_url !== undefined) gitAuth.gitlab_instance_url = c.git_auth.gitlab_instance_url;
  const config: ContainerConfig = {
    version: configVersion(town),
    town_id: town.id,
    api_url: workerApiUrl(env),
    ...(env.KILO_API_URL === undefined || env.KILO_API_URL === '' ? {} : { kilo_api_url: env.KILO_API_URL }),
    provider: c.provider,
    git_auth: gitAuth,
    ...(c.github_cli_pat === null ? {} : { github_cli_pat: c.github_cli_pat }),
    ...(c.git_author_name === null ? {} : { git_author_name: c.git_author_name }),
    ...(c.git_author_email === null ? {} : { git_author_email: c.git_author_email }),
    disable_ai_coauthor: c.disable_ai_coauthor,
    env_vars: { ...c.env_vars },
  };
  return config;
}
