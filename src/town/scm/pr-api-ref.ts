/**
 * The API address of a PR (`scm.md` §1 invariant): a stored `pr_url` is parsed and matched to
 * its rig's repository, and every API URL is then built from the **rig's** `api_base`, never from
 * the PR URL, so a token only ever goes to its rig's host. A PR URL that fails either check gives
 * `unrecognized_url` / `host_mismatch` and no request is made. Used by every PR client.
 */
import type { PrStatusFailure } from '../../protocol/scm.ts';
import { matchPrToRig } from './match-pr-to-rig.ts';
import { parsePrUrl } from './parse-pr-url.ts';
import type { RepoRef } from './repo-ref.ts';

/** A PR (GitHub) or MR (GitLab) of a rig, addressed through the rig's API. */
export interface PrApiRef {
  provider: 'github' | 'gitlab';
  /** The rig's REST base, without a trailing slash. */
  api_base: string;
  /** The rig's GitHub GraphQL endpoint; absent on GitLab. */
  graphql_url?: string;
  /** The rig's owner and repository (GitLab: `owner` may nest groups). */
  owner: string;
  repo: string;
  /** `owner/repo`, the GitLab project path. */
  path: string;
  /** PR number or MR iid. */
  number: number;
  /** The stored PR URL, for messages. */
  pr_url: string;
}

export type PrApiRefResult = { ok: true; ref: PrApiRef } | { ok: false; failure: Extract<PrStatusFailure, { kind: 'unrecognized_url' | 'host_mismatch' }> };

/** Parses `prUrl` (loopback `http://` only in development) and checks it belongs to `rig`. */
export function prApiRef(rig: RepoRef, prUrl: string, development: boolean): PrApiRefResult {
  const parsed = parsePrUrl(prUrl, development);
  if (!parsed.ok) return { ok: false, failure: { ok: false, kind: 'unrecognized_url' } };
  const match = matchPrToRig(parsed.pr, rig);
  if (!match.ok) return { ok: false, failure: { ok: false, kind: 'host_mismatch', pr_host: match.pr_host, rig_host: match.rig_host } };
  if (rig.provider === 'none' || rig.api_base === '') {
    return { ok: false, failure: { ok: false, kind: 'host_mismatch', pr_host: parsed.pr.host, rig_host: rig.host } };
  }
  const ref: PrApiRef = { provider: rig.provider, api_base: rig.api_base, owner: rig.owner, repo: rig.repo, path: rig.path, number: parsed.pr.number, pr_url: prUrl };
  if (rig.graphql_url !== undefined) ref.graphql_url = rig.graphql_url;
  return { ok: true, ref };
}

/** `{api_base}/repos/:owner/:repo` of a GitHub ref. */
export function githubRepoUrl(ref: PrApiRef): string {
  return `${ref.api_base}/repos/${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.repo)}`;
}

/** `{api_base}/projects/:id` of a GitLab ref, the id being the URL-encoded project path. */
export function gitlabProjectUrl(ref: PrApiRef): string {
  return `${ref.api_base}/projects/${encodeURIComponent(ref.path)}`;
}

/** `PR #12` on GitHub, `MR !12` on GitLab. */
export function prLabel(ref: Pick<PrApiRef, 'provider' | 'number'>): string {
  return ref.provider === 'gitlab' ? `MR !${ref.number}` : `PR #${ref.number}`;
}
