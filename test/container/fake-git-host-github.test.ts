/**
 * The fake host's GitHub API (`scm.md` §8) driven by Gastown's own clients (`src/town/scm/`)
 * over loopback with Node's fetch: PR creation and polling, conflicts from `git merge-tree`,
 * feedback pagination (101 threads / 101 check runs), `REVIEW_REQUIRED` holding auto-merge until
 * an approval and the grace period, a real merge with only `rebase` allowed (405, 405, 200),
 * queued failures driving the poll counters, a revoked token, and a PR on another host making
 * no request at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrFeedbackOk } from '../../src/protocol/scm.ts';
import { isGreen, nextAutoMergeTimer, type AutoMergeTimer } from '../../src/town/scm/auto-merge-decision.ts';
import { attemptAutoMerge } from '../../src/town/scm/auto-merge.ts';
import { decideFollowUps } from '../../src/town/scm/followup-decision.ts';
import { parseRepoUrl } from '../../src/town/scm/parse-repo-url.ts';
import { nextPollCounterState, type PollCounterState } from '../../src/town/scm/poll-counters.ts';
import { pollPr } from '../../src/town/scm/poll-pr.ts';
import type { RepoRef } from '../../src/town/scm/repo-ref.ts';
import type { TokenResolution } from '../../src/town/scm/token-chain.ts';
import { DEFAULT_FAKE_TOKEN, startFakeGitHost, type FakeGitHost } from '../fakes/git-host/index.ts';

let host: FakeGitHost;
let repoCount = 0;

beforeAll(async () => {
  host = await startFakeGitHost();
});
afterAll(async () => {
  await host.stop();
});

const STORED: TokenResolution = { token: DEFAULT_FAKE_TOKEN, source: 'stored', trace: [{ source: 'github_cli_pat', outcome: 'absent' }, { source: 'stored', outcome: 'used' }] };

interface Fixture {
  repo: string;
  rig: RepoRef;
  pr_url: string;
  number: number;
  head_sha: string;
}

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${DEFAULT_FAKE_TOKEN}`, 'content-type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  return fetch(`${host.api_url}${path}`, init);
}

/** A fresh repository with a PR from `feature` (one new file) into `main`. */
async function fixture(files: Record<string, string> = { 'feature.txt': 'feature\n' }): Promise<Fixture> {
  const name = `app${++repoCount}`;
  const repo = `acme/${name}`;
  const created = await host.createRepo('acme', name, { default_branch: 'main', files: { 'README.md': '# app\n', 'shared.txt': 'base\n' } });
  const headSha = await host.commitFiles(repo, 'feature', files, { message: 'Add the feature' });
  const res = await api('POST', `/repos/${repo}/pulls`, { title: 'Add the feature', head: 'feature', base: 'main', body: 'Closes nothing.' });
  expect(res.status).toBe(201);
  const pull = (await res.json()) as { number: number; html_url: string };
  const rig = parseRepoUrl(created.git_url, { development: true, github_api_url: host.api_url });
  if (rig === null) throw new Error('rig URL did not parse');
  return { repo, rig, pr_url: pull.html_url, number: pull.number, head_sha: headSha };
}

function poll(f: Fixture, token: TokenResolution = STORED) {
  return pollPr({ rig: f.rig, pr_url: f.pr_url, development: true, resolveToken: async () => token, wants_feedback: true }, fetch);
}

function feedbackOf(report: Awaited<ReturnType<typeof poll>>): PrFeedbackOk {
  if (report.feedback === undefined || !report.feedback.ok) throw new Error(`no feedback: ${JSON.stringify(report.feedback)}`);
  return report.feedback;
}

describe('fake GitHub host with the scm clients', () => {
  it('creates a PR whose URL and API base parse as this rig, and polls it open, clean and passing', async () => {
    const f = await fixture();
    expect(f.pr_url).toBe(`${host.url}/${f.repo}/pull/1`);
    expect(f.rig).toMatchObject({ provider: 'github', api_base: host.api_url, graphql_url: `${host.url}/api/graphql` });
    const report = await poll(f);
    expect(report.outcome).toEqual({ ok: true, state: 'open', mergeable: 'clean', head_sha: f.head_sha, base_ref: 'main', is_draft: false });
    expect(feedbackOf(report)).toMatchObject({ unresolved_threads: false, all_checks_pass: true, review_decision: null, merge_state_status: 'CLEAN' });
    const reads = host.control.requests(`/api/v3/repos/${f.repo}/**`, 'GET');
    expect(reads.every((r) => r.auth_sent && r.token === DEFAULT_FAKE_TOKEN)).toBe(true);
  });

  it('reports dirty when main and the PR change the same file (git merge-tree)', async () => {
    const f = await fixture({ 'shared.txt': 'from the feature\n' });
    await host.commitFiles(f.repo, 'main', { 'shared.txt': 'from main\n' });
    const report = await poll(f);
    expect(report.outcome).toMatchObject({ ok: true, mergeable: 'dirty' });
    expect(feedbackOf(report).merge_state_status).toBe('DIRTY');
  });

  it('101 review threads are unresolved even when all are resolved (hasNextPage), so not green', async () => {
    const f = await fixture();
    host.control.addThreads(f.repo, f.number, 101, { resolved: true });
    const fb = feedbackOf(await poll(f));
    expect(fb.unresolved_threads).toBe(true);
    const outcome = (await poll(f)).outcome;
    expect(isGreen({ status: outcome, feedback: fb, live_followups: 0, code_review: false, reviewed: false })).toBe(false);
  });

  it('one open thread is unresolved until resolved through control', async () => {
    const f = await fixture();
    const [id] = host.control.addThreads(f.repo, f.number, 1);
    expect(feedbackOf(await poll(f)).unresolved_threads).toBe(true);
    host.control.resolveThreads(f.repo, f.number, id === undefined ? [] : [id]);
    expect(feedbackOf(await poll(f)).unresolved_threads).toBe(false);
  });

  it('101 passing check runs are unchecked: not green and no follow-up', async () => {
    const f = await fixture();
    await host.control.addCheckRuns(f.repo, { pr: f.number }, Array.from({ length: 101 }, () => ({ status: 'completed', conclusion: 'success' })));
    const report = await poll(f);
    const fb = feedbackOf(report);
    expect(fb).toMatchObject({ has_unchecked_runs: true, failing_checks: false, all_checks_pass: false });
    expect(host.control.requests(`/api/v3/repos/${f.repo}/commits/*/check-runs`).map((r) => r.query)).toContain('per_page=100');
    if (!report.outcome.ok) throw new Error('status failed');
    expect(isGreen({ status: report.outcome, feedback: fb, live_followups: 0, code_review: false, reviewed: false })).toBe(false);
    expect(
      decideFollowUps({ status: report.outcome, feedback: fb, had_conflicts: false, auto_resolve_merge_conflicts: true, auto_resolve_pr_feedback: true, live_feedback_followup: false, followup_count: 0 }),
    ).toMatchObject({ feedback_followup: false, conflict: null });
  });

  it('a failing check run and a failing status are seen at the head commit', async () => {
    const f = await fixture();
    await host.control.addCheckRuns(f.repo, { sha: f.head_sha }, [{ name: 'unit', status: 'completed', conclusion: 'failure' }]);
    await host.control.addStatuses(f.repo, { pr: f.number }, [{ state: 'pending', context: 'ci/deploy' }]);
    expect(feedbackOf(await poll(f))).toMatchObject({ failing_checks: true, pending_checks: true, all_checks_pass: false });
  });

  it('REVIEW_REQUIRED holds auto-merge until the host records an approval and the delay passes', async () => {
    const f = await fixture();
    host.control.setPull(f.repo, f.number, { reviewDecision: 'REVIEW_REQUIRED' });
    const policy = { auto_merge: true, delay_minutes: 5 };
    const gate = { live_followups: 0, code_review: true, reviewed: true };
    const T0 = 1_000_000;

    const waiting = await poll(f);
    expect(feedbackOf(waiting)).toMatchObject({ awaiting_approval: true, review_decision: 'REVIEW_REQUIRED' });
    expect(waiting.outcome).toMatchObject({ mergeable: 'blocked' });
    let timer: AutoMergeTimer = nextAutoMergeTimer({ ready_since: null, pending: false }, isGreen({ status: waiting.outcome, feedback: waiting.feedback ?? null, ...gate }), T0, policy);
    expect(timer).toEqual({ ready_since: null, pending: false });
    const refused = await attemptAutoMerge({ rig: f.rig, pr_url: f.pr_url, development: true, resolveToken: async () => STORED, ...gate }, fetch);
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/awaiting_approval/) });
    expect(host.control.requests(`/api/v3/repos/${f.repo}/pulls/*/merge`)).toEqual([]);

    const review = await api('POST', `/repos/${f.repo}/pulls/${f.number}/reviews`, { event: 'APPROVE', body: 'LGTM' });
    expect(review.status).toBe(200);
    const approved = await poll(f);
    expect(feedbackOf(approved)).toMatchObject({ awaiting_approval: false, review_decision: 'APPROVED' });
    const green = isGreen({ status: approved.outcome, feedback: approved.feedback ?? null, ...gate });
    expect(green).toBe(true);
    timer = nextAutoMergeTimer(timer, green, T0 + 60_000, policy);
    expect(timer).toEqual({ ready_since: T0 + 60_000, pending: false });
    timer = nextAutoMergeTimer(timer, green, T0 + 6 * 60_000, policy);
    expect(timer).toEqual({ ready_since: T0 + 60_000, pending: true });

    const merged = await attemptAutoMerge({ rig: f.rig, pr_url: f.pr_url, development: true, resolveToken: async () => STORED, ...gate }, fetch);
    expect(merged).toEqual({ ok: true, merge_commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(await host.resolve(f.repo, 'main')).toBe(merged.merge_commit);
    expect(await host.readFile(f.repo, 'main', 'feature.txt')).toBe('feature\n');
    expect((await poll(f)).outcome).toMatchObject({ ok: true, state: 'merged' });
  });

  it('with only rebase allowed, merging sends squash (405), merge (405), rebase (200) and replays the commit', async () => {
    const f = await fixture();
    host.control.setMergeMethods(f.repo, ['rebase']);
    const before = await host.resolve(f.repo, 'main');
    const result = await attemptAutoMerge({ rig: f.rig, pr_url: f.pr_url, development: true, resolveToken: async () => STORED, live_followups: 0, code_review: false, reviewed: false }, fetch);
    expect(result.ok).toBe(true);
    const puts = host.control.requests(`/api/v3/repos/${f.repo}/pulls/${f.number}/merge`, 'PUT');
    expect(puts.map((r) => [r.body, r.status])).toEqual([
      [{ merge_method: 'squash', sha: f.head_sha }, 405],
      [{ merge_method: 'merge', sha: f.head_sha }, 405],
      [{ merge_method: 'rebase', sha: f.head_sha }, 200],
    ]);
    const main = await host.resolve(f.repo, 'main');
    expect(main).toBe(result.merge_commit);
    expect(await host.resolve(f.repo, 'main~1')).toBe(before);
    expect(await host.readFile(f.repo, 'main', 'feature.txt')).toBe('feature\n');
  });

  it('a head that moved after the check is refused with 409 and nothing merges', async () => {
    const f = await fixture();
    const res = await api('PUT', `/repos/${f.repo}/pulls/${f.number}/merge`, { merge_method: 'squash', sha: '0'.repeat(40) });
    expect(res.status).toBe(409);
    expect(host.control.pull(f.repo, f.number)).toMatchObject({ state: 'open', merged: false });
  });

  it('10 queued 502s fail the poll counters on the 10th; 3 malformed bodies on the 3rd', async () => {
    const f = await fixture();
    const pull = `/api/v3/repos/${f.repo}/pulls/${f.number}`;
    host.control.queueFailure({ path_glob: pull, status: 502, count: 10 });
    let counters: PollCounterState = { transient: 0, non_transient: 0, fail: null };
    for (let i = 0; i < 10; i++) {
      const report = await poll(f);
      expect(report.outcome).toEqual({ ok: false, kind: 'http_error', status: 502, transient: true });
      counters = nextPollCounterState(counters, report.outcome, { provider: 'github', pr_url: f.pr_url });
      expect(counters.fail === null).toBe(i < 9);
    }
    expect(counters.fail?.message).toMatch(/GitHub's API failed 10 times in a row/);

    host.control.queueFailure({ path_glob: pull, status: 'malformed_json', count: 3 });
    counters = { transient: 9, non_transient: 0, fail: null };
    for (let i = 0; i < 3; i++) {
      const report = await poll(f);
      expect(report.outcome).toEqual({ ok: false, kind: 'invalid_response', reason: 'json_parse' });
      counters = nextPollCounterState(counters, report.outcome, { provider: 'github' });
      if (i === 0) expect(counters).toEqual({ transient: 0, non_transient: 1, fail: null });
    }
    expect(counters.fail).toMatchObject({ failure_kind: 'invalid_response' });
    expect((await poll(f)).outcome).toMatchObject({ ok: true });
  });

  it('a revoked token gets 401 and the actionable message', async () => {
    const f = await fixture();
    host.tokens.add('short-lived');
    host.tokens.revoke('short-lived');
    const report = await poll(f, { token: 'short-lived', source: 'integration', trace: [{ source: 'integration', outcome: 'used' }] });
    expect(report.outcome).toEqual({ ok: false, kind: 'http_error', status: 401, transient: false });
    const state = nextPollCounterState({ transient: 0, non_transient: 0 }, report.outcome, { provider: 'github', pr_url: f.pr_url });
    expect(state.fail?.message).toMatch(/rejected the token .*expired or been revoked/);
  });

  it('a PR URL on another host causes no request at all', async () => {
    const f = await fixture();
    host.control.reset();
    const report = await pollPr({ rig: f.rig, pr_url: `https://github.com/${f.repo}/pull/${f.number}`, development: true, resolveToken: async () => STORED, wants_feedback: true }, fetch);
    expect(report.outcome).toMatchObject({ ok: false, kind: 'host_mismatch', rig_host: f.rig.host, pr_host: 'github.com' });
    expect(host.control.requests()).toEqual([]);
  });

  it('answers only the feedback GraphQL query, requires a token, and serves refs, comments and reviews', async () => {
    const f = await fixture();
    const other = await fetch(`${host.url}/api/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEFAULT_FAKE_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { login } }', variables: { owner: 'acme', repo: 'x', number: 1 } }),
    });
    expect(other.status).toBe(400);
    expect((await fetch(`${host.api_url}/repos/${f.repo}/pulls/${f.number}`)).status).toBe(401);

    const ref = await api('POST', `/repos/${f.repo}/git/refs`, { ref: 'refs/heads/convoy/feature', sha: f.head_sha });
    expect(ref.status).toBe(201);
    expect(await host.resolve(f.repo, 'convoy/feature')).toBe(f.head_sha);
    expect((await api('POST', `/repos/${f.repo}/git/refs`, { ref: 'refs/heads/convoy/feature', sha: f.head_sha })).status).toBe(422);

    expect((await api('POST', `/repos/${f.repo}/issues/${f.number}/comments`, { body: 'Looks good' })).status).toBe(201);
    const comments = (await (await api('GET', `/repos/${f.repo}/issues/${f.number}/comments`)).json()) as { body: string }[];
    expect(comments.map((c) => c.body)).toEqual(['Looks good']);
    await api('POST', `/repos/${f.repo}/pulls/${f.number}/reviews`, { event: 'REQUEST_CHANGES', body: 'Fix it' });
    expect(feedbackOf(await poll(f))).toMatchObject({ changes_requested: true });

    const list = (await (await api('GET', `/repos/${f.repo}/pulls?state=open&head=acme:feature`)).json()) as { number: number }[];
    expect(list.map((p) => p.number)).toEqual([f.number]);
    expect((await api('POST', `/repos/${f.repo}/pulls`, { title: 'again', head: 'feature', base: 'main' })).status).toBe(422);
  });
});
