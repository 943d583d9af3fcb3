/**
 * `checkPrStatus` against a stubbed fetch (`scm.md` §4): GitHub (github.com and the Enterprise
 * `/api/v3` layout) and GitLab (self-managed, nested groups, URL-encoded project id,
 * `PRIVATE-TOKEN`) requests and mappings, every failure kind, the 10 s timeout, no redirects
 * followed, and no request without a token.
 */
import { describe, expect, it } from 'vitest';
import { PrStatusOutcome } from '../../../../src/protocol/scm.ts';
import { checkPrStatus } from '../../../../src/town/scm/check-pr-status.ts';
import { callTimeoutMs, SCM_REQUEST_TIMEOUT_MS } from '../../../../src/town/scm/http-json.ts';
import { prApiRef, type PrApiRef } from '../../../../src/town/scm/pr-api-ref.ts';
import { parseRepoUrl } from '../../../../src/town/scm/parse-repo-url.ts';
import type { TokenResolution } from '../../../../src/town/scm/token-chain.ts';
import { stubFetch } from './stub-fetch.ts';

const TOKEN: TokenResolution = { token: 'ghp_test_token_value', source: 'github_cli_pat', trace: [{ source: 'github_cli_pat', outcome: 'used' }] };

function ref(gitUrl: string, prUrl: string, cfg: { github_api_url?: string; gitlab_instance_url?: string } = {}): PrApiRef {
  const rig = parseRepoUrl(gitUrl, { development: true, ...cfg });
  if (rig === null) throw new Error(`unparsable rig URL ${gitUrl}`);
  const target = prApiRef(rig, prUrl, true);
  if (!target.ok) throw new Error(`PR ${prUrl} does not match ${gitUrl}`);
  return target.ref;
}

const GH = ref('https://github.com/acme/my.app.git', 'https://github.com/acme/my.app/pull/42');
const GH_PULL = 'https://api.github.com/repos/acme/my.app/pulls/42';
const GHE = ref('https://ghe.corp.example/team/svc.git', 'https://ghe.corp.example/team/svc/pull/7', { github_api_url: 'https://ghe.corp.example/api/v3' });
const GL = ref('https://git.corp.example/top/mid/leaf/app.git', 'https://git.corp.example/top/mid/leaf/app/-/merge_requests/5', { gitlab_instance_url: 'https://git.corp.example' });
const GL_MR = 'https://git.corp.example/api/v4/projects/top%2Fmid%2Fleaf%2Fapp/merge_requests/5';

function pull(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return { state: 'open', merged: false, merged_at: null, draft: false, mergeable_state: 'clean', head: { sha: 'head123' }, base: { ref: 'main' }, title: 'ignored', ...patch };
}

describe('checkPrStatus: GitHub', () => {
  it('GETs the rig API pull URL with the bearer token and maps the answer', async () => {
    const stub = stubFetch().on('GET', GH_PULL, { json: pull() });
    const outcome = await checkPrStatus(GH, TOKEN, stub.fetch);
    expect(outcome).toEqual({ ok: true, state: 'open', mergeable: 'clean', head_sha: 'head123', base_ref: 'main', is_draft: false });
    expect(PrStatusOutcome.safeParse(outcome).success).toBe(true);
    expect(stub.calls).toHaveLength(1);
    expect(stub.calls[0]?.headers.authorization).toBe('Bearer ghp_test_token_value');
    expect(stub.calls[0]?.headers['user-agent']).toBe('gastown');
  });

  it('uses the Enterprise /api/v3 layout', async () => {
    const stub = stubFetch().on('GET', 'https://ghe.corp.example/api/v3/repos/team/svc/pulls/7', { json: pull({ draft: true }) });
    expect(await checkPrStatus(GHE, TOKEN, stub.fetch)).toMatchObject({ ok: true, is_draft: true });
  });

  const states: { name: string; patch: Record<string, unknown>; want: Partial<Record<string, unknown>> }[] = [
    { name: 'merged flag', patch: { state: 'closed', merged: true }, want: { state: 'merged' } },
    { name: 'merged_at without merged flag', patch: { state: 'closed', merged: undefined, merged_at: '2026-01-01T00:00:00Z' }, want: { state: 'merged' } },
    { name: 'closed unmerged', patch: { state: 'closed' }, want: { state: 'closed' } },
    { name: 'dirty', patch: { mergeable_state: 'dirty' }, want: { mergeable: 'dirty' } },
    { name: 'blocked', patch: { mergeable_state: 'blocked' }, want: { mergeable: 'blocked' } },
    { name: 'unknown', patch: { mergeable_state: 'unknown' }, want: { mergeable: 'unknown' } },
    { name: 'behind → clean', patch: { mergeable_state: 'behind' }, want: { mergeable: 'clean' } },
    { name: 'unstable → clean', patch: { mergeable_state: 'unstable' }, want: { mergeable: 'clean' } },
    { name: 'has_hooks → clean', patch: { mergeable_state: 'has_hooks' }, want: { mergeable: 'clean' } },
    { name: 'absent mergeable_state → unknown', patch: { mergeable_state: null }, want: { mergeable: 'unknown' } },
  ];
  it.each(states)('maps $name', async ({ patch, want }) => {
    const stub = stubFetch().on('GET', GH_PULL, { json: pull(patch) });
    expect(await checkPrStatus(GH, TOKEN, stub.fetch)).toMatchObject(want);
  });

  const failures: { name: string; answer: Parameters<ReturnType<typeof stubFetch>['on']>[2]; want: PrStatusOutcome }[] = [
    { name: '401', answer: { status: 401, json: { message: 'Bad credentials' } }, want: { ok: false, kind: 'http_error', status: 401, transient: false } },
    { name: '403', answer: { status: 403, json: { message: 'Resource not accessible' } }, want: { ok: false, kind: 'http_error', status: 403, transient: false } },
    { name: '404', answer: { status: 404, json: { message: 'Not Found' } }, want: { ok: false, kind: 'http_error', status: 404, transient: false } },
    { name: '429', answer: { status: 429, json: {} }, want: { ok: false, kind: 'http_error', status: 429, transient: true } },
    { name: '502', answer: { status: 502, text: '<html>bad gateway</html>' }, want: { ok: false, kind: 'http_error', status: 502, transient: true } },
    { name: 'network error', answer: { throws: 'fetch failed' }, want: { ok: false, kind: 'http_error', status: 0, transient: true } },
    { name: 'redirect (not followed)', answer: () => new Response(null, { status: 301, headers: { location: 'https://evil.example/' } }), want: { ok: false, kind: 'http_error', status: 301, transient: false } },
    { name: 'malformed JSON', answer: { text: '{"state": "op' }, want: { ok: false, kind: 'invalid_response', reason: 'json_parse' } },
    { name: 'schema mismatch', answer: { json: { state: 'weird', head: {} } }, want: { ok: false, kind: 'invalid_response', reason: 'schema_mismatch' } },
  ];
  it.each(failures)('classifies $name', async ({ answer, want }) => {
    const stub = stubFetch().on('GET', GH_PULL, answer);
    const outcome = await checkPrStatus(GH, TOKEN, stub.fetch);
    expect(outcome).toEqual(want);
    expect(PrStatusOutcome.safeParse(outcome).success).toBe(true);
  });

  it('asks fetch not to follow redirects', async () => {
    const stub = stubFetch().on('GET', GH_PULL, { json: pull() });
    let seen: RequestInit | undefined;
    await checkPrStatus(GH, TOKEN, (url, init) => {
      seen = init;
      return stub.fetch(url, init);
    });
    expect(seen?.redirect).toBe('manual');
  });

  it('gives up after the timeout with status 0 (transient), even when fetch ignores the signal', async () => {
    let aborted = false;
    const hanging = (_url: string, init: RequestInit): Promise<Response> => {
      init.signal?.addEventListener('abort', () => {
        aborted = true;
      });
      return new Promise<Response>(() => undefined);
    };
    expect(await checkPrStatus(GH, TOKEN, hanging, { timeout_ms: 20 })).toEqual({ ok: false, kind: 'http_error', status: 0, transient: true });
    expect(aborted).toBe(true);
  });

  it('without a token returns no_token with the trace and sends nothing', async () => {
    const stub = stubFetch();
    const trace = [
      { source: 'github_cli_pat', outcome: 'absent' },
      { source: 'integration', outcome: 'empty', detail: 'the token service returned an empty token' },
      { source: 'stored', outcome: 'absent' },
    ] as const;
    expect(await checkPrStatus(GH, { token: null, trace: [...trace] }, stub.fetch)).toEqual({ ok: false, kind: 'no_token', trace });
    expect(stub.calls).toEqual([]);
  });
});

describe('checkPrStatus: GitLab', () => {
  function mr(patch: Record<string, unknown> = {}): Record<string, unknown> {
    return { state: 'opened', draft: false, has_conflicts: false, merge_status: 'can_be_merged', detailed_merge_status: 'mergeable', sha: 'glsha1', target_branch: 'develop', ...patch };
  }

  it('GETs the URL-encoded nested project with PRIVATE-TOKEN and no Authorization', async () => {
    const stub = stubFetch().on('GET', GL_MR, { json: mr() });
    expect(await checkPrStatus(GL, TOKEN, stub.fetch)).toEqual({ ok: true, state: 'open', mergeable: 'clean', head_sha: 'glsha1', base_ref: 'develop', is_draft: false });
    expect(stub.calls[0]?.headers['private-token']).toBe('ghp_test_token_value');
    expect(stub.calls[0]?.headers.authorization).toBeUndefined();
  });

  const states: { name: string; patch: Record<string, unknown>; want: Record<string, unknown> }[] = [
    { name: 'conflicts → dirty', patch: { has_conflicts: true, detailed_merge_status: 'conflict' }, want: { mergeable: 'dirty' } },
    { name: 'still checking → unknown', patch: { merge_status: 'checking', detailed_merge_status: 'checking' }, want: { mergeable: 'unknown' } },
    { name: 'approvals missing → blocked', patch: { detailed_merge_status: 'not_approved' }, want: { mergeable: 'blocked' } },
    { name: 'legacy merge_status only', patch: { detailed_merge_status: undefined, merge_status: 'unchecked' }, want: { mergeable: 'unknown' } },
    { name: 'merged', patch: { state: 'merged' }, want: { state: 'merged' } },
    { name: 'closed', patch: { state: 'closed' }, want: { state: 'closed' } },
    { name: 'locked is open', patch: { state: 'locked' }, want: { state: 'open' } },
    { name: 'work_in_progress is a draft', patch: { draft: undefined, work_in_progress: true }, want: { is_draft: true } },
  ];
  it.each(states)('maps $name', async ({ patch, want }) => {
    const stub = stubFetch().on('GET', GL_MR, { json: mr(patch) });
    expect(await checkPrStatus(GL, TOKEN, stub.fetch)).toMatchObject(want);
  });

  it('classifies a 403 as non-transient', async () => {
    const stub = stubFetch().on('GET', GL_MR, { status: 403, json: { message: '403 Forbidden' } });
    expect(await checkPrStatus(GL, TOKEN, stub.fetch)).toEqual({ ok: false, kind: 'http_error', status: 403, transient: false });
  });
});

describe('request addressing and time limits', () => {
  it('addresses the rig’s API with the rig’s owner/repo, whatever the case in the PR URL', async () => {
    const rig = parseRepoUrl('https://github.com/acme/app.git', { development: false });
    if (rig === null) throw new Error('rig');
    const target = prApiRef(rig, 'https://github.com/ACME/App/pull/3', false);
    if (!target.ok) throw new Error('pr');
    const stub = stubFetch().on('GET', 'https://api.github.com/repos/acme/app/pulls/3', { json: pull() });
    expect(await checkPrStatus(target.ref, TOKEN, stub.fetch)).toMatchObject({ ok: true });
  });

  it('cuts the per-call timeout to the effect deadline', () => {
    expect(callTimeoutMs({}, 0)).toBe(SCM_REQUEST_TIMEOUT_MS);
    expect(callTimeoutMs({ timeout_ms: 3_000 }, 0)).toBe(3_000);
    expect(callTimeoutMs({ deadline: 1_500 }, 1_000)).toBe(500);
    expect(callTimeoutMs({ timeout_ms: 100, deadline: 5_000 }, 1_000)).toBe(100);
    expect(callTimeoutMs({ deadline: 500 }, 1_000)).toBe(0);
  });

  it('a call past the deadline fails as a network timeout without waiting', async () => {
    const stub = stubFetch().on('GET', GH_PULL, () => new Promise<Response>(() => undefined));
    expect(await checkPrStatus(GH, TOKEN, stub.fetch, { deadline: Date.now() - 1 })).toEqual({ ok: false, kind: 'http_error', status: 0, transient: true });
  });
});
