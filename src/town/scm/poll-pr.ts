/**
 * The network half of the `poll_pr` effect (`scm.md` §4–§5), without SQL: check the stored PR
 * URL against the rig (a mismatch sends nothing, not even a token lookup), resolve a fresh token,
 * read the status and, for an open GitHub PR of a rig with auto-resolve or auto-merge on, the
 * feedback at its head. The effect inserts the result as the `pr_polled` payload.
 */
import type { PrPollReport } from '../../protocol/scm.ts';
import { checkPrStatus } from './check-pr-status.ts';
import { checkPrFeedback } from './github-feedback.ts';
import type { ScmCallOptions, ScmFetch } from './http-json.ts';
import { prApiRef } from './pr-api-ref.ts';
import type { RepoRef } from './repo-ref.ts';
import type { TokenResolution } from './token-chain.ts';

export interface PollPrInput {
  /** The rig's repository (`parseRepoUrl` of its `git_url`). */
  rig: RepoRef;
  /** The MR's stored `pr_url`. */
  pr_url: string;
  development: boolean;
  /** Resolves a fresh token (`resolveGitHubToken` / `resolveGitLabToken`); called only for a matching PR. */
  resolveToken: () => Promise<TokenResolution>;
  /** The rig enables auto-resolve (feedback or conflicts) or auto-merge. */
  wants_feedback: boolean;
}

export async function pollPr(input: PollPrInput, fetch: ScmFetch, opts: ScmCallOptions = {}): Promise<PrPollReport> {
  const target = prApiRef(input.rig, input.pr_url, input.development);
  if (!target.ok) return { outcome: target.failure };
  const token = await input.resolveToken();
  const outcome = await checkPrStatus(target.ref, token, fetch, opts);
  if (!outcome.ok || outcome.state !== 'open' || target.ref.provider !== 'github' || !input.wants_feedback) return { outcome };
  return { outcome, feedback: await checkPrFeedback(target.ref, outcome.head_sha, token, fetch, opts) };
}
