/**
 * Config checks zod cannot make alone (`domain.md` §8, `scm.md` §1/§3): development-only http
 * URLs, the rig push-flag allow-list and `pr` on a plain-git rig. Called by the TownDO config and
 * rig modules after the merge patch; a non-empty result becomes a 400 `validation_failed`.
 */
import type { z } from 'zod';
import type { RigConfig, TownConfig } from '../../protocol/config.ts';
import { detectProvider } from '../scm/parse-repo-url.ts';
import { validatePushFlags } from '../scm/push-flags.ts';

/** One entry of `details.issues` of a 400 `validation_failed` (`http-api.md` §1.2). */
export interface ConfigIssue {
  path: (string | number)[];
  code: string;
  message: string;
}

/** Zod issues as `ConfigIssue`s, their paths put below `prefix` (e.g. `['config']` for a rig body). */
export function issuesFromZod(error: z.ZodError, prefix: readonly (string | number)[] = []): ConfigIssue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map((seg) => (typeof seg === 'symbol' ? String(seg) : seg))],
    code: issue.code,
    message: issue.message,
  }));
}

function isPlainHttp(url: string): boolean {
  try {
    return new URL(url).protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Outside development, the loopback `http://` URLs the schema lets through (`gitlab_instance_url`,
 * `github_api_url`, an OpenAI-compatible `base_url`) are refused. Paths are from the config root.
 */
export function validateConfigForEnvironment(cfg: TownConfig, development: boolean): ConfigIssue[] {
  if (development) return [];
  const urls: [(string | number)[], string | null | undefined][] = [
    [['git_auth', 'gitlab_instance_url'], cfg.git_auth.gitlab_instance_url],
    [['github_api_url'], cfg.github_api_url],
    [['provider', 'base_url'], cfg.provider?.kind === 'openai-compatible' ? cfg.provider.base_url : undefined],
  ];
  const issues: ConfigIssue[] = [];
  for (const [path, url] of urls) {
    if (typeof url === 'string' && isPlainHttp(url)) {
      issues.push({ path, code: 'development_only_url', message: 'Plain http:// URLs are accepted only in development; use https://.' });
    }
  }
  return issues;
}

/**
 * Rig overrides against the rig's host: every `git_push_flags` entry must be allow-listed
 * (issue at `['config','git_push_flags',index]`), and `merge_strategy: 'pr'` is refused on a
 * `none` (plain git) host (`['config','merge_strategy']`). Paths are from the rig request body.
 */
export function validateRigConfig(rigCfg: RigConfig, gitUrl: string, townCfg: TownConfig, development: boolean): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (rigCfg.git_push_flags !== undefined) {
    const check = validatePushFlags(rigCfg.git_push_flags);
    if (!check.ok) {
      issues.push({ path: ['config', 'git_push_flags', check.index], code: 'invalid_push_flag', message: check.message });
    }
  }
  if (rigCfg.merge_strategy === 'pr') {
    const provider = detectProvider(gitUrl, {
      github_api_url: townCfg.github_api_url,
      gitlab_instance_url: townCfg.git_auth.gitlab_instance_url ?? null,
      development,
    });
    if (provider === 'none') {
      issues.push({
        path: ['config', 'merge_strategy'],
        code: 'pr_requires_scm_host',
        message: 'merge_strategy pr needs a GitHub or GitLab host; this rig is plain git, use direct.',
      });
    }
  }
  return issues;
}
