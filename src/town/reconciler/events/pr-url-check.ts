/**
 * Whether a `pr_url` reported by an agent (`gt_done`) may be stored on an MR (`reconciler.md` §3,
 * `scm.md` §1): a recognised GitHub/GitLab PR URL on the rig's own repository. Loopback `http://`
 * is accepted only when the rig itself lives on loopback http (development and the fake host).
 */
import type { RigState, TownView } from '../view.ts';
import { matchPrToRig } from '../../scm/match-pr-to-rig.ts';
import { parsePrUrl } from '../../scm/parse-pr-url.ts';
import { parseRepoUrl } from '../../scm/parse-repo-url.ts';
import { isLoopbackHostname } from '../../scm/validate-git-url.ts';

/** Outcome of `checkPrUrl`. */
export type PrUrlCheck = { ok: true; url: string } | { ok: false; kind: 'unrecognized_url' | 'host_mismatch'; message: string };

/** True when the rig's git URL is `http://` on a loopback host (only stored in development). */
export function isLoopbackRig(rig: RigState): boolean {
  try {
    const url = new URL(rig.git_url);
    return url.protocol === 'http:' && isLoopbackHostname(url.hostname);
  } catch {
    return false;
  }
}

/** Parses `url` and matches it to the rig's repository; never throws. */
export function checkPrUrl(view: TownView, rig: RigState, url: string): PrUrlCheck {
  const development = isLoopbackRig(rig);
  const pr = parsePrUrl(url, development);
  if (!pr.ok) return { ok: false, kind: 'unrecognized_url', message: 'not a GitHub or GitLab pull request URL' };
  const config = view.config();
  const repo = parseRepoUrl(rig.git_url, { github_api_url: config.github_api_url, gitlab_instance_url: config.git_auth.gitlab_instance_url ?? null, development });
  if (repo === null) return { ok: false, kind: 'host_mismatch', message: `the rig's repository URL is not on a known git host` };
  const match = matchPrToRig(pr.pr, repo);
  if (!match.ok) return { ok: false, kind: 'host_mismatch', message: `the PR is on ${match.pr_host}/${pr.pr.path}, not on the rig's repository ${match.rig_host}/${repo.path}` };
  return { ok: true, url };
}
