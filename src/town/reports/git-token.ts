/**
 * `…/rigs/:rigId/refresh-git-token` (`http-api.md` §4.3, `scm.md` §2): a freshly resolved token for
 * the rig's host through the token chain (GitHub: CLI PAT → platform integration → stored; GitLab:
 * stored). No token, or a host with no token service, is a 409 `no_git_credentials`.
 */
import type { GitTokenResult } from '../../protocol/agent.ts';
import type { Env } from '../../env.ts';
import { Conflict } from '../../errors.ts';
import type { SqlHandle } from '../db/sql.ts';
import { requireRig } from '../records/rigs.ts';
import { requireTown } from '../records/town-record.ts';
import { detectProvider } from '../scm/parse-repo-url.ts';
import { describeTrace, resolveGitHubToken, resolveGitLabToken } from '../scm/token-chain.ts';

/** Resolves the rig's host token now; the TownDO caches nothing. */
export async function refreshGitToken(env: Env, sql: SqlHandle, rigId: string, development: boolean): Promise<GitTokenResult> {
  const town = requireTown(sql);
  const rig = requireRig(sql, town.id, rigId);
  const provider = detectProvider(rig.git_url, { github_api_url: town.config.github_api_url, gitlab_instance_url: town.config.git_auth.gitlab_instance_url ?? null, development });
  if (provider === 'none') throw new Conflict('no_git_credentials', 'This rig is not on a GitHub or GitLab host; there is no token to refresh.');
  const resolution = provider === 'gitlab' ? await resolveGitLabToken(town.config) : await resolveGitHubToken(town.config, env);
  if (resolution.token === null) throw new Conflict('no_git_credentials', `No git credentials for this rig's host (${describeTrace(resolution.trace)}).`);
  return { token: resolution.token, expires_at: null };
}
