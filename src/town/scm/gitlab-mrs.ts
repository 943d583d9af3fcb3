/**
 * GitLab REST status read of one merge request (`scm.md` §4):
 * `GET {api_base}/projects/:id/merge_requests/:iid` with `PRIVATE-TOKEN`, the project id being
 * the URL-encoded path (nested groups included), mapped to `PrStatusOutcome`.
 */
import { z } from 'zod';
import type { PrMergeable, PrStatusOk, PrStatusOutcome } from '../../protocol/scm.ts';
import { requestJson, type ScmCallOptions, type ScmFetch } from './http-json.ts';
import { gitlabProjectUrl, type PrApiRef } from './pr-api-ref.ts';
import { toStatusFailure } from './status-failure.ts';

/** The fields of a GitLab merge request Gastown reads. */
export const GitlabMergeRequest = z.object({
  state: z.enum(['opened', 'closed', 'locked', 'merged']),
  draft: z.boolean().nullish(),
  work_in_progress: z.boolean().nullish(),
  has_conflicts: z.boolean().nullish(),
  merge_status: z.string().nullish(),
  detailed_merge_status: z.string().nullish(),
  sha: z.string().min(1).max(64),
  target_branch: z.string().min(1).max(255),
});
export type GitlabMergeRequest = z.infer<typeof GitlabMergeRequest>;

/** Headers of every GitLab REST call. */
export function gitlabHeaders(token: string): Record<string, string> {
  return { 'private-token': token, accept: 'application/json', 'user-agent': 'gastown' };
}

const STILL_CHECKING = new Set(['unchecked', 'checking', 'cannot_be_merged_recheck', 'preparing', 'approvals_syncing']);
const MERGEABLE = new Set(['mergeable', 'can_be_merged']);

/**
 * Conflicts → `dirty`; a status GitLab is still computing → `unknown`; `mergeable` → `clean`;
 * any other detailed status (approvals, discussions, pipeline…) → `blocked`.
 */
export function gitlabMergeable(mr: GitlabMergeRequest): PrMergeable {
  if (mr.has_conflicts === true || mr.detailed_merge_status === 'conflict') return 'dirty';
  const detailed = mr.detailed_merge_status ?? null;
  if (detailed !== null) {
    if (STILL_CHECKING.has(detailed)) return 'unknown';
    return MERGEABLE.has(detailed) || detailed === 'draft_status' || detailed === 'not_open' ? 'clean' : 'blocked';
  }
  const legacy = mr.merge_status ?? 'unchecked';
  return STILL_CHECKING.has(legacy) ? 'unknown' : 'clean';
}

/** A GitLab MR as a status outcome (`opened` and `locked` are open). */
export function gitlabMrStatus(mr: GitlabMergeRequest): PrStatusOk {
  return {
    ok: true,
    state: mr.state === 'merged' ? 'merged' : mr.state === 'closed' ? 'closed' : 'open',
    mergeable: gitlabMergeable(mr),
    head_sha: mr.sha,
    base_ref: mr.target_branch,
    is_draft: mr.draft === true || mr.work_in_progress === true,
  };
}

/** One status read of a GitLab MR. */
export async function gitlabPrStatus(ref: PrApiRef, token: string, fetch: ScmFetch, opts: ScmCallOptions = {}): Promise<PrStatusOutcome> {
  const url = `${gitlabProjectUrl(ref)}/merge_requests/${ref.number}`;
  const result = await requestJson(fetch, url, { method: 'GET', headers: gitlabHeaders(token) }, GitlabMergeRequest, opts);
  return result.ok ? gitlabMrStatus(result.data) : toStatusFailure(result);
}
