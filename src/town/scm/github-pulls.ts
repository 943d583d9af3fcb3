/**
 * GitHub REST calls on one pull request (`scm.md` §4, §7): the status read
 * (`GET {api_base}/repos/:o/:r/pulls/:n`, mapped to `PrStatusOutcome`) and one merge attempt
 * (`PUT …/pulls/:n/merge {merge_method, sha}`). Thin: the fallback order lives in `merge-pr.ts`.
 */
import { z } from 'zod';
import type { PrMergeable, PrStatusOk, PrStatusOutcome } from '../../protocol/scm.ts';
import { requestJson, type HttpJsonResult, type ScmCallOptions, type ScmFetch } from './http-json.ts';
import { githubRepoUrl, type PrApiRef } from './pr-api-ref.ts';
import { toStatusFailure } from './status-failure.ts';

/** The fields of a GitHub pull request Gastown reads; everything else is ignored. */
export const GithubPull = z.object({
  state: z.enum(['open', 'closed']),
  merged: z.boolean().nullish(),
  merged_at: z.string().nullish(),
  draft: z.boolean().nullish(),
  mergeable_state: z.string().nullish(),
  head: z.object({ sha: z.string().min(1).max(64) }),
  base: z.object({ ref: z.string().min(1).max(255) }),
});
export type GithubPull = z.infer<typeof GithubPull>;

/** The answer of a successful merge. */
export const GithubMergeResult = z.object({ sha: z.string().min(1).max(64), merged: z.boolean().optional() });
export type GithubMergeResult = z.infer<typeof GithubMergeResult>;

/** GitHub's merge methods, in the order auto-merge tries them. */
export type GithubMergeMethod = 'squash' | 'merge' | 'rebase';

/** Headers of every GitHub REST/GraphQL call. */
export function githubHeaders(token: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': 'gastown',
  };
}

/** `dirty`, `blocked`, `unknown` map to themselves, any other value to `clean`; absent is `unknown`. */
export function githubMergeable(mergeableState: string | null | undefined): PrMergeable {
  if (mergeableState === null || mergeableState === undefined) return 'unknown';
  if (mergeableState === 'dirty' || mergeableState === 'blocked' || mergeableState === 'unknown') return mergeableState;
  return 'clean';
}

/** A GitHub pull as a status outcome: merged wins over closed. */
export function githubPullStatus(pull: GithubPull): PrStatusOk {
  const merged = pull.merged === true || (pull.merged_at !== null && pull.merged_at !== undefined);
  return {
    ok: true,
    state: merged ? 'merged' : pull.state === 'closed' ? 'closed' : 'open',
    mergeable: githubMergeable(pull.mergeable_state),
    head_sha: pull.head.sha,
    base_ref: pull.base.ref,
    is_draft: pull.draft === true,
  };
}

/** One status read of a GitHub PR. */
export async function githubPrStatus(ref: PrApiRef, token: string, fetch: ScmFetch, opts: ScmCallOptions = {}): Promise<PrStatusOutcome> {
  const url = `${githubRepoUrl(ref)}/pulls/${ref.number}`;
  const result = await requestJson(fetch, url, { method: 'GET', headers: githubHeaders(token) }, GithubPull, opts);
  return result.ok ? githubPullStatus(result.data) : toStatusFailure(result);
}

/** One merge attempt with `method`, refused by GitHub if the head is no longer `headSha`. */
export function githubMerge(ref: PrApiRef, headSha: string, method: GithubMergeMethod, token: string, fetch: ScmFetch, opts: ScmCallOptions = {}): Promise<HttpJsonResult<GithubMergeResult>> {
  const url = `${githubRepoUrl(ref)}/pulls/${ref.number}/merge`;
  const init: RequestInit = {
    method: 'PUT',
    headers: { ...githubHeaders(token), 'content-type': 'application/json' },
    body: JSON.stringify({ merge_method: method, sha: headSha }),
  };
  return requestJson(fetch, url, init, GithubMergeResult, opts);
}
