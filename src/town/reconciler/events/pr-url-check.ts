/**
 * The rig's repository as the reconciler sees it, and whether a `pr_url` reported by an agent
 * (`gt_done`) may be stored on an MR (`reconciler.md` §3, `scm.md` §1): a recognised
 * GitHub/GitLab PR URL on the rig's own repository. Loopback `http://` is accepted only when the
 * rig itself lives on loopback http (development and the fake host). Pure.
 */
import type { RigState, TownView } from '../view.ts';
import { matchPrToRig } from '../../scm/match-pr-to-rig.ts';
import { parsePrUrl } from '../../scm/parse-pr-url.ts';
import { parseRepoUrl } from '../../scm/parse-repo-url.ts';
import type { Provider, RepoRef } from '../../scm/repo-ref.ts';
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

/** The rig's repository (`parseRepoUrl` with the town's hosts), or null when unparsable. */
export function rigRepo(view: TownView, rig: RigState): RepoRef | null {
  const config = view.config();
  return parseRepoUrl(rig.git_url, { github_api_url: config.github_api_url, gitlab_instance_url: config.git_auth.gitlab_instance_url ?? null, development: isLoopbackRig(rig) });
}

/** The rig's git host flavour, as poll failure messages and metrics name it. */
export function rigProvider(view: TownView, rig: RigState): Provider {
  return rigRepo(view, rig)?.provider ?? 'none';
}

/** Parses `url` and matches it to the rig's repository; never throws. */
export function checkPrUrl(view: TownView, rig: RigState, url: string): PrUrlCheck {
  const pr = parsePrUrl(url, isLoopbackRig(rig));
  if (!pr.ok) return { ok: false, kind: 'unrecognized_url', message: 'not a GitHub or GitLab pull request URL' };
  const repo = rigRepo(view, rig);
  if (repo === null) return { ok: false, kind: 'host_mismatch', message: `the rig's repository URL is not on a known git host` };
  const match = matchPrToRig(pr.pr, repo);
  if (!match.ok) return { ok: false, kind: 'host_mismatch', message: `the PR is on ${match.pr_host}/${pr.pr.path}, not on the rig's repository ${match.rig_host}/${repo.path}` };
  return { ok: true, url };
}
