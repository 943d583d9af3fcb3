/**
 * `checkPrFeedback` (`scm.md` §5, GitHub only): review decision and threads through GraphQL,
 * check runs and commit statuses of the head commit through REST, summarised into `PrFeedback`.
 * More threads than one page count as unresolved; more check runs or statuses than returned set
 * `has_unchecked_runs` (never passing, not a failure). Any failed call → `{ok: false, error}`,
 * which the reconciler treats as unknown. Called by `poll-pr.ts` and `auto-merge.ts`.
 */
import { z } from 'zod';
import type { PrFeedback, PrFeedbackOk } from '../../protocol/scm.ts';
import { githubHeaders } from './github-pulls.ts';
import { describeFailure, requestJson, type ScmCallOptions, type ScmFetch } from './http-json.ts';
import { githubRepoUrl, type PrApiRef } from './pr-api-ref.ts';
import { redactTokenLike, type TokenResolution } from './token-chain.ts';

/** The only GraphQL query Gastown sends (the fake git host recognises exactly this one). */
export const FEEDBACK_QUERY = `query PrFeedback($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewDecision
      mergeStateStatus
      isDraft
      reviewThreads(first: 100) { pageInfo { hasNextPage } nodes { isResolved } }
    }
  }
}`;

/** Page size of the thread, check-run and status reads. */
export const FEEDBACK_PAGE_SIZE = 100;

const PullRequestFeedback = z.object({
  reviewDecision: z.string().max(64).nullable(),
  mergeStateStatus: z.string().max(64).nullable(),
  isDraft: z.boolean(),
  reviewThreads: z.object({
    pageInfo: z.object({ hasNextPage: z.boolean() }),
    nodes: z.array(z.object({ isResolved: z.boolean() })),
  }),
});
type PullRequestFeedback = z.infer<typeof PullRequestFeedback>;

/** The GraphQL answer; `errors` may come with a 200. */
export const FeedbackGraphqlResponse = z.object({
  data: z.object({ repository: z.object({ pullRequest: PullRequestFeedback.nullable() }).nullable() }).nullable().optional(),
  errors: z.array(z.object({ message: z.string() })).optional(),
});

/** `GET …/commits/:sha/check-runs`. */
export const CheckRunsResponse = z.object({
  total_count: z.number().int().min(0),
  check_runs: z.array(z.object({ status: z.string(), conclusion: z.string().nullable().optional() })),
});
export type CheckRunsResponse = z.infer<typeof CheckRunsResponse>;

/** `GET …/commits/:sha/status` (the combined status; its `state` is ignored, see `summarizeChecks`). */
export const CombinedStatusResponse = z.object({
  total_count: z.number().int().min(0).optional(),
  statuses: z.array(z.object({ state: z.string() })),
});
export type CombinedStatusResponse = z.infer<typeof CombinedStatusResponse>;

const FAILING_CONCLUSIONS = new Set(['failure', 'timed_out', 'cancelled', 'action_required', 'startup_failure']);

/** Check runs and statuses summarised; no runs and no statuses → passing. */
export interface ChecksSummary {
  failing: boolean;
  pending: boolean;
  has_unchecked_runs: boolean;
}

/**
 * Failing: a completed run concluding failure/timed_out/cancelled/action_required/
 * startup_failure, or a `failure`/`error` status. Pending: an incomplete run or a `pending`
 * status. Unchecked: `total_count` above what was returned (runs or statuses).
 */
export function summarizeChecks(runs: CheckRunsResponse, statuses: CombinedStatusResponse): ChecksSummary {
  let failing = false;
  let pending = false;
  for (const run of runs.check_runs) {
    if (run.status !== 'completed') pending = true;
    else if (FAILING_CONCLUSIONS.has(run.conclusion ?? '')) failing = true;
  }
  for (const status of statuses.statuses) {
    if (status.state === 'failure' || status.state === 'error') failing = true;
    else if (status.state === 'pending') pending = true;
  }
  const uncheckedRuns = runs.total_count > runs.check_runs.length;
  const uncheckedStatuses = statuses.total_count !== undefined && statuses.total_count > statuses.statuses.length;
  return { failing, pending, has_unchecked_runs: uncheckedRuns || uncheckedStatuses };
}

/** The feedback of a PR from its GraphQL part and its checks summary. */
export function feedbackFrom(pr: PullRequestFeedback, checks: ChecksSummary): PrFeedbackOk {
  const threads = pr.reviewThreads;
  return {
    ok: true,
    review_decision: pr.reviewDecision,
    merge_state_status: pr.mergeStateStatus,
    is_draft: pr.isDraft,
    unresolved_threads: threads.pageInfo.hasNextPage || threads.nodes.some((t) => !t.isResolved),
    failing_checks: checks.failing,
    pending_checks: checks.pending,
    has_unchecked_runs: checks.has_unchecked_runs,
    all_checks_pass: !checks.failing && !checks.pending && !checks.has_unchecked_runs,
    awaiting_approval: pr.reviewDecision === 'REVIEW_REQUIRED',
    changes_requested: pr.reviewDecision === 'CHANGES_REQUESTED',
  };
}

function error(message: string): PrFeedback {
  return { ok: false, error: message.slice(0, 500) };
}

/** GraphQL, check runs and statuses in parallel; the feedback, or the first error met. */
export async function checkPrFeedback(ref: PrApiRef, headSha: string, token: TokenResolution, fetch: ScmFetch, opts: ScmCallOptions = {}): Promise<PrFeedback> {
  if (ref.provider !== 'github' || ref.graphql_url === undefined) return error('feedback checks are GitHub only');
  if (token.token === null) return error('no token');
  const headers = githubHeaders(token.token);
  const commit = `${githubRepoUrl(ref)}/commits/${encodeURIComponent(headSha)}`;
  const graphqlInit: RequestInit = {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ query: FEEDBACK_QUERY, variables: { owner: ref.owner, repo: ref.repo, number: ref.number } }),
  };
  const [graphql, runs, statuses] = await Promise.all([
    requestJson(fetch, ref.graphql_url, graphqlInit, FeedbackGraphqlResponse, opts),
    requestJson(fetch, `${commit}/check-runs?per_page=${FEEDBACK_PAGE_SIZE}`, { method: 'GET', headers }, CheckRunsResponse, opts),
    requestJson(fetch, `${commit}/status?per_page=${FEEDBACK_PAGE_SIZE}`, { method: 'GET', headers }, CombinedStatusResponse, opts),
  ]);
  if (!graphql.ok) return error(`GraphQL: ${describeFailure(graphql)}`);
  if (!runs.ok) return error(`check runs: ${describeFailure(runs)}`);
  if (!statuses.ok) return error(`commit statuses: ${describeFailure(statuses)}`);
  const firstError = graphql.data.errors?.[0];
  if (firstError !== undefined) return error(`GraphQL: ${redactTokenLike(firstError.message)}`);
  const pr = graphql.data.data?.repository?.pullRequest ?? null;
  if (pr === null) return error('GraphQL: the pull request was not found');
  return feedbackFrom(pr, summarizeChecks(runs.data, statuses.data));
}
