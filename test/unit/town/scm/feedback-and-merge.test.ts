/**
 * GitHub feedback and merging against a stubbed fetch (`scm.md` §5, §7, §9): pagination is
 * conservative (101 threads → unresolved; 101 passing check runs → unchecked, not green, no
 * follow-up), check conclusions and statuses, GraphQL errors → unknown, and the merge fallback
 * squash → merge → rebase on 405 only.
 */
import { describe, expect, it } from 'vitest';
import { PrFeedback, type PrFeedbackOk } from '../../../../src/protocol/scm.ts';
import { isGreen } from '../../../../src/town/scm/auto-merge-decision.ts';
import { decideFollowUps } from '../../../../src/town/scm/followup-decision.ts';
import { checkPrFeedback, FEEDBACK_QUERY } from '../../../../src/town/scm/github-feedback.ts';
import { mergePr } from '../../../../src/town/scm/merge-pr.ts';
import { parseRepoUrl } from '../../../../src/town/scm/parse-repo-url.ts';
import { prApiRef, type PrApiRef } from '../../../../src/town/scm/pr-api-ref.ts';
import type { TokenResolution } from '../../../../src/town/scm/token-chain.ts';
import { stubFetch, type StubFetch } from './stub-fetch.ts';

const TOKEN: TokenResolution = { token: 'tok_feedback_0001', source: 'stored', trace: [{ source: 'stored', outcome: 'used' }] };
const SHA = 'f00dfeed';

function githubRef(): PrApiRef {
  const rig = parseRepoUrl('https://github.com/acme/app.git', { development: false });
  if (rig === null) throw new Error('rig');
  const target = prApiRef(rig, 'https://github.com/acme/app/pull/9', false);
  if (!target.ok) throw new Error('pr');
  return target.ref;
}
const REF = githubRef();
const GRAPHQL = 'https://api.github.com/graphql';
const RUNS = `https://api.github.com/repos/acme/app/commits/${SHA}/check-runs?per_page=100`;
const STATUSES = `https://api.github.com/repos/acme/app/commits/${SHA}/status?per_page=100`;
const MERGE = 'https://api.github.com/repos/acme/app/pulls/9/merge';

function graphql(opts: { decision?: string | null; threads?: boolean[]; hasNextPage?: boolean; draft?: boolean } = {}): unknown {
  return {
    data: {
      repository: {
        pullRequest: {
          reviewDecision: opts.decision === undefined ? 'APPROVED' : opts.decision,
          mergeStateStatus: 'CLEAN',
          isDraft: opts.draft ?? false,
          reviewThreads: { pageInfo: { hasNextPage: opts.hasNextPage ?? false }, nodes: (opts.threads ?? []).map((isResolved) => ({ isResolved })) },
        },
      },
    },
  };
}

function runs(list: { status: string; conclusion?: string | null }[], total = list.length): unknown {
  return { total_count: total, check_runs: list.map((r, i) => ({ id: i, name: `check ${i}`, ...r })) };
}

function feedbackStub(g: unknown, r: unknown, s: unknown = { state: 'pending', total_count: 0, statuses: [] }): StubFetch {
  return stubFetch().on('POST', GRAPHQL, { json: g }).on('GET', RUNS, { json: r }).on('GET', STATUSES, { json: s });
}

async function feedbackOf(stub: StubFetch): Promise<PrFeedbackOk> {
  const fb = await checkPrFeedback(REF, SHA, TOKEN, stub.fetch);
  expect(PrFeedback.safeParse(fb).success).toBe(true);
  if (!fb.ok) throw new Error(`feedback failed: ${fb.error}`);
  return fb;
}

const GREEN_STATUS = { ok: true, state: 'open', mergeable: 'clean', head_sha: SHA, base_ref: 'main', is_draft: false } as const;

describe('checkPrFeedback', () => {
  it('sends the feedback query with the PR coordinates and reads all three sources', async () => {
    const stub = feedbackStub(graphql({ threads: [true, true] }), runs([{ status: 'completed', conclusion: 'success' }]));
    const fb = await feedbackOf(stub);
    expect(fb).toMatchObject({ unresolved_threads: false, all_checks_pass: true, failing_checks: false, pending_checks: false, has_unchecked_runs: false, review_decision: 'APPROVED' });
    const post = stub.calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({ query: FEEDBACK_QUERY, variables: { owner: 'acme', repo: 'app', number: 9 } });
    expect(stub.calls.every((c) => c.headers.authorization === 'Bearer tok_feedback_0001')).toBe(true);
  });

  it('101 review threads (hasNextPage) count as unresolved even if the first 100 are resolved: not green', async () => {
    const fb = await feedbackOf(feedbackStub(graphql({ threads: Array.from({ length: 100 }, () => true), hasNextPage: true }), runs([])));
    expect(fb.unresolved_threads).toBe(true);
    expect(isGreen({ status: GREEN_STATUS, feedback: fb, live_followups: 0, code_review: false, reviewed: false })).toBe(false);
  });

  it('101 passing check runs (100 returned) are unchecked: not green, and no follow-up', async () => {
    const passing = Array.from({ length: 100 }, () => ({ status: 'completed', conclusion: 'success' }));
    const fb = await feedbackOf(feedbackStub(graphql(), runs(passing, 101)));
    expect(fb).toMatchObject({ has_unchecked_runs: true, all_checks_pass: false, failing_checks: false });
    expect(isGreen({ status: GREEN_STATUS, feedback: fb, live_followups: 0, code_review: false, reviewed: false })).toBe(false);
    const decision = decideFollowUps({
      status: GREEN_STATUS,
      feedback: fb,
      had_conflicts: false,
      auto_resolve_merge_conflicts: true,
      auto_resolve_pr_feedback: true,
      live_feedback_followup: false,
      followup_count: 0,
    });
    expect(decision).toMatchObject({ feedback_followup: false, conflict: null });
  });

  const conclusions: { conclusion: string | null; status: string; failing: boolean; pending: boolean }[] = [
    { status: 'completed', conclusion: 'failure', failing: true, pending: false },
    { status: 'completed', conclusion: 'timed_out', failing: true, pending: false },
    { status: 'completed', conclusion: 'cancelled', failing: true, pending: false },
    { status: 'completed', conclusion: 'action_required', failing: true, pending: false },
    { status: 'completed', conclusion: 'startup_failure', failing: true, pending: false },
    { status: 'completed', conclusion: 'neutral', failing: false, pending: false },
    { status: 'completed', conclusion: 'skipped', failing: false, pending: false },
    { status: 'in_progress', conclusion: null, failing: false, pending: true },
    { status: 'queued', conclusion: null, failing: false, pending: true },
  ];
  it.each(conclusions)('a run $status/$conclusion → failing $failing, pending $pending', async ({ status, conclusion, failing, pending }) => {
    const fb = await feedbackOf(feedbackStub(graphql(), runs([{ status: 'completed', conclusion: 'success' }, { status, conclusion }])));
    expect({ failing: fb.failing_checks, pending: fb.pending_checks, pass: fb.all_checks_pass }).toEqual({ failing, pending, pass: !failing && !pending });
  });

  const statuses: { state: string; failing: boolean; pending: boolean }[] = [
    { state: 'failure', failing: true, pending: false },
    { state: 'error', failing: true, pending: false },
    { state: 'pending', failing: false, pending: true },
    { state: 'success', failing: false, pending: false },
  ];
  it.each(statuses)('a commit status $state → failing $failing, pending $pending', async ({ state, failing, pending }) => {
    const fb = await feedbackOf(feedbackStub(graphql(), runs([]), { state, total_count: 1, statuses: [{ state, context: 'ci' }] }));
    expect({ failing: fb.failing_checks, pending: fb.pending_checks }).toEqual({ failing, pending });
  });

  it('no runs and no statuses pass (the combined state "pending" of an empty list is ignored)', async () => {
    expect((await feedbackOf(feedbackStub(graphql(), runs([])))).all_checks_pass).toBe(true);
  });

  it('reads the review decision flags', async () => {
    expect(await feedbackOf(feedbackStub(graphql({ decision: 'REVIEW_REQUIRED' }), runs([])))).toMatchObject({ awaiting_approval: true, changes_requested: false });
    expect(await feedbackOf(feedbackStub(graphql({ decision: 'CHANGES_REQUESTED' }), runs([])))).toMatchObject({ awaiting_approval: false, changes_requested: true });
    expect(await feedbackOf(feedbackStub(graphql({ decision: null }), runs([])))).toMatchObject({ awaiting_approval: false, changes_requested: false, review_decision: null });
  });

  const errors: { name: string; stub: () => StubFetch; error: RegExp }[] = [
    { name: 'GraphQL errors with a 200', stub: () => feedbackStub({ data: null, errors: [{ message: 'Could not resolve to a PullRequest' }] }, runs([])), error: /GraphQL: Could not resolve/ },
    { name: 'GraphQL 502', stub: () => stubFetch().on('POST', GRAPHQL, { status: 502, text: 'bad' }).on('GET', RUNS, { json: runs([]) }).on('GET', STATUSES, { json: { statuses: [] } }), error: /GraphQL: HTTP 502/ },
    { name: 'check runs malformed', stub: () => stubFetch().on('POST', GRAPHQL, { json: graphql() }).on('GET', RUNS, { text: '{' }).on('GET', STATUSES, { json: { statuses: [] } }), error: /check runs: unexpected response \(json_parse/ },
    { name: 'statuses 401', stub: () => stubFetch().on('POST', GRAPHQL, { json: graphql() }).on('GET', RUNS, { json: runs([]) }).on('GET', STATUSES, { status: 401, json: { message: 'Bad credentials' } }), error: /commit statuses: HTTP 401/ },
    { name: 'the pull request is null', stub: () => feedbackStub({ data: { repository: { pullRequest: null } } }, runs([])), error: /not found/ },
  ];
  it.each(errors)('any error → {ok: false} ($name)', async ({ stub, error }) => {
    const fb = await checkPrFeedback(REF, SHA, TOKEN, stub().fetch);
    expect(fb.ok).toBe(false);
    if (!fb.ok) expect(fb.error).toMatch(error);
  });

  it('a GitLab ref or a missing token sends nothing', async () => {
    const stub = stubFetch();
    expect(await checkPrFeedback({ ...REF, provider: 'gitlab' }, SHA, TOKEN, stub.fetch)).toEqual({ ok: false, error: 'feedback checks are GitHub only' });
    expect((await checkPrFeedback(REF, SHA, { token: null, trace: [] }, stub.fetch)).ok).toBe(false);
    expect(stub.calls).toEqual([]);
  });
});

describe('mergePr', () => {
  it('with only rebase allowed sends squash (405), merge (405), rebase (200) at the head sha', async () => {
    const stub = stubFetch().on('PUT', MERGE, { status: 405, json: { message: 'Squash merges are not allowed' } }, { status: 405, json: { message: 'Merge commits are not allowed' } }, { json: { sha: 'merged999', merged: true } });
    const result = await mergePr(REF, SHA, TOKEN, stub.fetch);
    expect(result).toEqual({
      ok: true,
      merge_commit: 'merged999',
      merge_method: 'rebase',
      attempts: [
        { merge_method: 'squash', status: 405 },
        { merge_method: 'merge', status: 405 },
        { merge_method: 'rebase', status: 200 },
      ],
    });
    expect(stub.calls.map((c) => c.body)).toEqual([
      { merge_method: 'squash', sha: SHA },
      { merge_method: 'merge', sha: SHA },
      { merge_method: 'rebase', sha: SHA },
    ]);
  });

  it('squash succeeding sends one request', async () => {
    const stub = stubFetch().on('PUT', MERGE, { json: { sha: 'sq1', merged: true } });
    expect(await mergePr(REF, SHA, TOKEN, stub.fetch)).toMatchObject({ ok: true, merge_commit: 'sq1', merge_method: 'squash' });
    expect(stub.calls).toHaveLength(1);
  });

  const stops: { name: string; status: number; error: RegExp }[] = [
    { name: '409 head moved', status: 409, error: /squash failed: HTTP 409: Head branch was modified/ },
    { name: '422', status: 422, error: /HTTP 422/ },
    { name: '403', status: 403, error: /HTTP 403/ },
    { name: '502', status: 502, error: /HTTP 502/ },
  ];
  it.each(stops)('stops at once on $name', async ({ status, error }) => {
    const stub = stubFetch().on('PUT', MERGE, { status, json: { message: status === 409 ? 'Head branch was modified. Review and try the merge again.' : 'nope' } });
    const result = await mergePr(REF, SHA, TOKEN, stub.fetch);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
    expect(stub.calls).toHaveLength(1);
  });

  it('405 on all three methods fails naming them', async () => {
    const stub = stubFetch().on('PUT', MERGE, { status: 405, json: { message: 'not allowed' } });
    const result = await mergePr(REF, SHA, TOKEN, stub.fetch);
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/no merge method is allowed \(405 on squash, merge, rebase\)/) });
    expect(stub.calls).toHaveLength(3);
  });

  it('never echoes a token-like string from an error body', async () => {
    const stub = stubFetch().on('PUT', MERGE, { status: 422, json: { message: 'bad token ghp_abcdefghijklmnopqrstuvwxyz0123456789' } });
    const result = await mergePr(REF, SHA, TOKEN, stub.fetch);
    expect(JSON.stringify(result)).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
  });
});
