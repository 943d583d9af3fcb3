/**
 * `mergePr` (`scm.md` §7): merges a GitHub PR at a known head commit, trying `squash`, then
 * `merge`, then `rebase`, and moving on **only** on 405 (method not allowed on this repository).
 * Any other failure (409 head moved, 422, 403, network…) stops at once. Called by
 * `auto-merge.ts` after its fresh green check.
 */
import { githubMerge, type GithubMergeMethod } from './github-pulls.ts';
import { describeFailure, type ScmCallOptions, type ScmFetch } from './http-json.ts';
import { prLabel, type PrApiRef } from './pr-api-ref.ts';
import type { TokenResolution } from './token-chain.ts';

/** The order auto-merge tries GitHub's merge methods in. */
export const MERGE_METHOD_ORDER: readonly GithubMergeMethod[] = ['squash', 'merge', 'rebase'];

/** One merge attempt and its HTTP status (0 = network error or timeout). */
export interface MergeAttempt {
  merge_method: GithubMergeMethod;
  status: number;
}

export type MergePrResult =
  | { ok: true; merge_commit: string; merge_method: GithubMergeMethod; attempts: MergeAttempt[] }
  | { ok: false; error: string; attempts: MergeAttempt[] };

export async function mergePr(ref: PrApiRef, headSha: string, token: TokenResolution, fetch: ScmFetch, opts: ScmCallOptions = {}): Promise<MergePrResult> {
  const attempts: MergeAttempt[] = [];
  if (ref.provider !== 'github') return { ok: false, error: 'auto-merge is GitHub only', attempts };
  if (token.token === null) return { ok: false, error: 'no token found', attempts };
  for (const method of MERGE_METHOD_ORDER) {
    const result = await githubMerge(ref, headSha, method, token.token, fetch, opts);
    attempts.push({ merge_method: method, status: result.status });
    if (result.ok) return { ok: true, merge_commit: result.data.sha, merge_method: method, attempts };
    if (result.kind === 'http_error' && result.status === 405) continue;
    return { ok: false, error: `merging ${prLabel(ref)} with ${method} failed: ${describeFailure(result)}`, attempts };
  }
  return { ok: false, error: `${prLabel(ref)}: no merge method is allowed (405 on ${MERGE_METHOD_ORDER.join(', ')})`, attempts };
}
