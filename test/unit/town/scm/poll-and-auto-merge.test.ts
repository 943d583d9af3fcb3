/**
 * The network halves of `poll_pr` and `merge_pr` (`scm.md` §1 invariant, §4, §5, §7) against a
 * stubbed fetch: a PR URL on another host (or unrecognisable) causes no request and no token
 * lookup; feedback only for open GitHub PRs when wanted; auto-merge re-checks and refuses when no
 * longer green, and merges at the freshly read head otherwise.
 */
import { describe, expect, it, vi } from 'vitest';
import { PrPollReport } from '../../../../src/protocol/scm.ts';
import { attemptAutoMerge, type AutoMergeInput } from '../../../../src/town/scm/auto-merge.ts';
import { parseRepoUrl } from '../../../../src/town/scm/parse-repo-url.ts';
import { pollPr, type PollPrInput } from '../../../../src/town/scm/poll-pr.ts';
import type { RepoRef } from '../../../../src/town/scm/repo-ref.ts';
import type { TokenResolution } from '../../../../src/town/scm/token-chain.ts';
import { stubFetch, type StubFetch } from './stub-fetch.ts';

const TOKEN: TokenResolution = { token: 'tok_poll_0001', source: 'integration', trace: [{ source: 'github_cli_pat', outcome: 'absent' }, { source: 'integration', outcome: 'used' }] };

function rig(url: string, cfg: { github_api_url?: string; gitlab_instance_url?: string } = {}): RepoRef {
  const parsed = parseRepoUrl(url, { development: true, ...cfg });
  if (parsed === null) throw new Error(url);
  return parsed;
}

const GH_RIG = rig('https://github.com/acme/app.git');
const GH_PR = 'https://github.com/acme/app/pull/3';
const PULL = 'https://api.github.com/repos/acme/app/pulls/3';
const SHA = 'abc0001';
const RUNS = `https://api.github.com/repos/acme/app/commits/${SHA}/check-runs?per_page=100`;
const STATUSES = `https://api.github.com/repos/acme/app/commits/${SHA}/status?per_page=100`;
const GRAPHQL = 'https://api.github.com/graphql';
const MERGE = 'https://api.github.com/repos/acme/app/pulls/3/merge';

const pull = (patch: Record<string, unknown> = {}) => ({ state: 'open', merged: false, draft: false, mergeable_state: 'clean', head: { sha: SHA }, base: { ref: 'main' }, ...patch });
const graphql = (decision: string | null = 'APPROVED', threads: boolean[] = []) => ({
  data: { repository: { pullRequest: { reviewDecision: decision, mergeStateStatus: 'CLEAN', isDraft: false, reviewThreads: { pageInfo: { hasNextPage: false }, nodes: threads.map((isResolved) => ({ isResolved })) } } } },
});

function greenHost(): StubFetch {
  return stubFetch()
    .on('GET', PULL, { json: pull() })
    .on('POST', GRAPHQL, { json: graphql() })
    .on('GET', RUNS, { json: { total_count: 1, check_runs: [{ status: 'completed', conclusion: 'success' }] } })
    .on('GET', STATUSES, { json: { statuses: [] } });
}

function pollInput(patch: Partial<PollPrInput> = {}): PollPrInput {
  return { rig: GH_RIG, pr_url: GH_PR, development: true, resolveToken: async () => TOKEN, wants_feedback: true, ...patch };
}

describe('pollPr', () => {
  const strangers: { name: string; pr_url: string; rig: RepoRef; kind: string }[] = [
    { name: 'a PR on another host', pr_url: 'https://evil.example/acme/app/pull/3', rig: GH_RIG, kind: 'host_mismatch' },
    { name: 'a PR of another repository on the same host', pr_url: 'https://github.com/other/app/pull/3', rig: GH_RIG, kind: 'host_mismatch' },
    { name: 'a GitLab MR on a GitHub rig', pr_url: 'https://gitlab.com/acme/app/-/merge_requests/3', rig: GH_RIG, kind: 'host_mismatch' },
    { name: 'a rig on a plain git host', pr_url: 'https://git.example.org/acme/app/pull/3', rig: rig('https://git.example.org/acme/app.git'), kind: 'host_mismatch' },
    { name: 'a loopback http PR outside development', pr_url: 'http://127.0.0.1:9/acme/app/pull/3', rig: GH_RIG, kind: 'unrecognized_url' },
    { name: 'not a PR URL', pr_url: 'https://github.com/acme/app/issues/3', rig: GH_RIG, kind: 'unrecognized_url' },
  ];
  it.each(strangers)('$name → $kind with no request and no token lookup', async ({ pr_url, rig: rigRef, kind }) => {
    const stub = stubFetch();
    const resolveToken = vi.fn(async () => TOKEN);
    const report = await pollPr(pollInput({ rig: rigRef, pr_url, development: !pr_url.startsWith('http://'), resolveToken }), stub.fetch);
    expect(report.outcome).toMatchObject({ ok: false, kind });
    expect(report.feedback).toBeUndefined();
    expect(stub.calls).toEqual([]);
    expect(resolveToken).not.toHaveBeenCalled();
  });

  it('an open GitHub PR gets status and feedback, a valid pr_polled payload', async () => {
    const stub = greenHost();
    const report = await pollPr(pollInput(), stub.fetch);
    expect(PrPollReport.parse(report)).toEqual(report);
    expect(report.outcome).toMatchObject({ ok: true, state: 'open', head_sha: SHA });
    expect(report.feedback).toMatchObject({ ok: true, all_checks_pass: true });
    expect(stub.calls.map((c) => `${c.method} ${c.url}`).sort()).toEqual([`GET ${PULL}`, `GET ${RUNS}`, `GET ${STATUSES}`, `POST ${GRAPHQL}`].sort());
  });

  it('no feedback when not wanted, when the PR is merged, or on failure', async () => {
    expect((await pollPr(pollInput({ wants_feedback: false }), greenHost().fetch)).feedback).toBeUndefined();
    const merged = stubFetch().on('GET', PULL, { json: pull({ state: 'closed', merged: true }) });
    expect(await pollPr(pollInput(), merged.fetch)).toEqual({ outcome: expect.objectContaining({ state: 'merged' }) });
    expect(merged.calls).toHaveLength(1);
    const down = stubFetch().on('GET', PULL, { status: 503, text: 'down' });
    expect(await pollPr(pollInput(), down.fetch)).toEqual({ outcome: { ok: false, kind: 'http_error', status: 503, transient: true } });
  });

  it('a GitLab MR is polled without feedback', async () => {
    const glRig = rig('http://127.0.0.1:7000/grp/sub/app.git', { gitlab_instance_url: 'http://127.0.0.1:7000' });
    const stub = stubFetch().on('GET', 'http://127.0.0.1:7000/api/v4/projects/grp%2Fsub%2Fapp/merge_requests/2', {
      json: { state: 'opened', has_conflicts: true, sha: 'gl1', target_branch: 'main', merge_status: 'cannot_be_merged' },
    });
    const report = await pollPr(pollInput({ rig: glRig, pr_url: 'http://127.0.0.1:7000/grp/sub/app/-/merge_requests/2' }), stub.fetch);
    expect(report).toEqual({ outcome: { ok: true, state: 'open', mergeable: 'dirty', head_sha: 'gl1', base_ref: 'main', is_draft: false } });
  });

  it('no token → no_token with the trace, no request', async () => {
    const stub = stubFetch();
    const trace = [{ source: 'github_cli_pat', outcome: 'absent' }, { source: 'integration', outcome: 'unbound' }, { source: 'stored', outcome: 'absent' }] as const;
    const report = await pollPr(pollInput({ resolveToken: async () => ({ token: null, trace: [...trace] }) }), stub.fetch);
    expect(report).toEqual({ outcome: { ok: false, kind: 'no_token', trace } });
    expect(stub.calls).toEqual([]);
  });
});

describe('attemptAutoMerge', () => {
  function input(patch: Partial<AutoMergeInput> = {}): AutoMergeInput {
    return { rig: GH_RIG, pr_url: GH_PR, development: true, resolveToken: async () => TOKEN, code_review: true, reviewed: true, live_followups: 0, ...patch };
  }

  it('re-checks, then merges at the head it just read', async () => {
    const stub = greenHost().on('PUT', MERGE, { json: { sha: 'm1', merged: true } });
    expect(await attemptAutoMerge(input(), stub.fetch)).toEqual({ ok: true, merge_commit: 'm1' });
    expect(stub.calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([{ merge_method: 'squash', sha: SHA }]);
  });

  const notGreen: { name: string; stub: () => StubFetch; patch?: Partial<AutoMergeInput>; error: RegExp }[] = [
    {
      name: 'approval now required',
      stub: () =>
        stubFetch()
          .on('GET', PULL, { json: pull() })
          .on('POST', GRAPHQL, { json: graphql('REVIEW_REQUIRED') })
          .on('GET', RUNS, { json: { total_count: 0, check_runs: [] } })
          .on('GET', STATUSES, { json: { statuses: [] } }),
      error: /awaiting_approval/,
    },
    { name: 'a new unresolved thread', stub: () => greenHost().on('POST', GRAPHQL, { json: graphql('APPROVED', [false]) }), error: /unresolved_threads/ },
    { name: 'dirty', stub: () => stubFetch().on('GET', PULL, { json: pull({ mergeable_state: 'dirty' }) }).on('POST', GRAPHQL, { json: graphql() }).on('GET', RUNS, { json: { total_count: 0, check_runs: [] } }).on('GET', STATUSES, { json: { statuses: [] } }), error: /not_mergeable/ },
    { name: 'already merged', stub: () => stubFetch().on('GET', PULL, { json: pull({ state: 'closed', merged: true }) }), error: /not_open/ },
    { name: 'status read fails', stub: () => stubFetch().on('GET', PULL, { status: 500, text: 'x' }), error: /not merged: GitHub's API failed/ },
    { name: 'a live follow-up', stub: () => greenHost(), patch: { live_followups: 1 }, error: /live_followup/ },
    { name: 'not reviewed with review on', stub: () => greenHost(), patch: { reviewed: false }, error: /not_reviewed/ },
  ];
  it.each(notGreen)('does not merge when $name', async ({ stub, patch, error }) => {
    const s = stub();
    const result = await attemptAutoMerge(input(patch), s.fetch);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(error);
    expect(s.calls.some((c) => c.method === 'PUT')).toBe(false);
  });

  it('a PR on another host sends nothing and resolves no token', async () => {
    const stub = stubFetch();
    const resolveToken = vi.fn(async () => TOKEN);
    const result = await attemptAutoMerge(input({ pr_url: 'https://evil.example/acme/app/pull/3', resolveToken }), stub.fetch);
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/no token was sent/) });
    expect(stub.calls).toEqual([]);
    expect(resolveToken).not.toHaveBeenCalled();
  });

  it('a 409 (head moved between check and merge) is reported, not retried', async () => {
    const stub = greenHost().on('PUT', MERGE, { status: 409, json: { message: 'Head branch was modified' } });
    expect(await attemptAutoMerge(input(), stub.fetch)).toEqual({ ok: false, error: expect.stringMatching(/HTTP 409/) });
    expect(stub.calls.filter((c) => c.method === 'PUT')).toHaveLength(1);
  });
});
