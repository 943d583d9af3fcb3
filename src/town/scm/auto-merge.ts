/**
 * The network half of the `merge_pr` effect (`scm.md` §7), without SQL: (1) the PR must belong
 * to the rig, else nothing is sent; (2) a fresh token; (3) a fresh status and feedback check,
 * and no merge unless still green; (4) `mergePr` at the head just read (squash → merge → rebase
 * on 405). The effect inserts the result as the `pr_merge_attempted` payload.
 */
import type { PrMergeAttemptedPayload } from '../../protocol/events.ts';
import { greenBlockers } from './auto-merge-decision.ts';
import { checkPrStatus } from './check-pr-status.ts';
import { failureMessageFor } from './failure-message.ts';
import { checkPrFeedback } from './github-feedback.ts';
import type { ScmCallOptions, ScmFetch } from './http-json.ts';
import { mergePr } from './merge-pr.ts';
import { prApiRef } from './pr-api-ref.ts';
import type { RepoRef } from './repo-ref.ts';
import type { TokenResolution } from './token-chain.ts';

export interface AutoMergeInput {
  rig: RepoRef;
  pr_url: string;
  development: boolean;
  /** Resolves a fresh token; called only for a matching PR. */
  resolveToken: () => Promise<TokenResolution>;
  /** The rig's effective `refinery.code_review`. */
  code_review: boolean;
  /** The MR's `reviewed_at` is set. */
  reviewed: boolean;
  /** Live follow-up issues of the MR. */
  live_followups: number;
}

const MAX_ERROR = 500;

function failed(error: string): PrMergeAttemptedPayload {
  return { ok: false, error: error.slice(0, MAX_ERROR) };
}

export async function attemptAutoMerge(input: AutoMergeInput, fetch: ScmFetch, opts: ScmCallOptions = {}): Promise<PrMergeAttemptedPayload> {
  const target = prApiRef(input.rig, input.pr_url, input.development);
  if (!target.ok) return failed(`not merged: ${failureMessageFor(target.failure, input.rig.provider, { pr_url: input.pr_url })}`);
  const ref = target.ref;
  if (ref.provider !== 'github') return failed('not merged: auto-merge is GitHub only');
  const token = await input.resolveToken();
  const status = await checkPrStatus(ref, token, fetch, opts);
  if (!status.ok) return failed(`not merged: ${failureMessageFor(status, ref.provider, { pr_url: input.pr_url })}`);
  const feedback = status.state === 'open' ? await checkPrFeedback(ref, status.head_sha, token, fetch, opts) : null;
  const blockers = greenBlockers({ status, feedback, live_followups: input.live_followups, code_review: input.code_review, reviewed: input.reviewed });
  if (blockers.length > 0) return failed(`not merged: the PR is no longer green (${blockers.join(', ')})`);
  const merged = await mergePr(ref, status.head_sha, token, fetch, opts);
  return merged.ok ? { ok: true, merge_commit: merged.merge_commit } : failed(merged.error);
}
