/**
 * `failureMessageFor` (`scm.md` §4 message table): each outcome's actionable text, with GitHub
 * and GitLab wording (403: Pull requests vs read_api) and the PR named.
 */
import { describe, expect, it } from 'vitest';
import type { PrStatusFailure } from '../../../../src/protocol/scm.ts';
import { failureMessageFor } from '../../../../src/town/scm/failure-message.ts';
import type { Provider } from '../../../../src/town/scm/repo-ref.ts';

const GH_PR = 'https://github.com/acme/app/pull/12';
const GL_MR = 'https://gitlab.com/grp/sub/app/-/merge_requests/4';

describe('failureMessageFor', () => {
  const cases: { name: string; outcome: PrStatusFailure; provider: Provider; pr_url: string; count?: number; says: RegExp[]; never?: RegExp[] }[] = [
    {
      name: 'no_token (GitHub) lists the trace and the fix',
      outcome: { ok: false, kind: 'no_token', trace: [{ source: 'github_cli_pat', outcome: 'absent' }, { source: 'integration', outcome: 'unbound', detail: 'integration configured but GIT_TOKEN_SERVICE not bound' }, { source: 'stored', outcome: 'absent' }] },
      provider: 'github',
      pr_url: GH_PR,
      says: [/^GitHub: no token found/, /PR #12/, /tried: github_cli_pat: absent; integration: unbound; stored: absent/, /connect the integration or set a personal access token/],
    },
    {
      name: 'no_token (GitLab) names the GitLab token',
      outcome: { ok: false, kind: 'no_token', trace: [{ source: 'stored', outcome: 'absent' }] },
      provider: 'gitlab',
      pr_url: GL_MR,
      says: [/^GitLab: no token found/, /MR !4/, /tried: stored: absent/, /gitlab_token/],
    },
    { name: '401', outcome: { ok: false, kind: 'http_error', status: 401, transient: false }, provider: 'github', pr_url: GH_PR, says: [/GitHub rejected the token/, /expired or been revoked/] },
    {
      name: '403 GitHub names Pull requests and Contents',
      outcome: { ok: false, kind: 'http_error', status: 403, transient: false },
      provider: 'github',
      pr_url: GH_PR,
      says: [/^GitHub/, /Pull requests: read/, /Contents: read/, /repo/, /rate limit/],
      never: [/read_api/],
    },
    {
      name: '403 GitLab names read_api and Reporter',
      outcome: { ok: false, kind: 'http_error', status: 403, transient: false },
      provider: 'gitlab',
      pr_url: GL_MR,
      says: [/^GitLab/, /read_api/, /Reporter/],
      never: [/Pull requests/],
    },
    { name: '404', outcome: { ok: false, kind: 'http_error', status: 404, transient: false }, provider: 'gitlab', pr_url: GL_MR, says: [/^GitLab answered 404/, /does not exist or the token cannot see the repository/] },
    { name: 'other 4xx', outcome: { ok: false, kind: 'http_error', status: 410, transient: false }, provider: 'github', pr_url: GH_PR, says: [/HTTP 410/] },
    { name: 'transient with a status', outcome: { ok: false, kind: 'http_error', status: 503, transient: true }, provider: 'github', pr_url: GH_PR, count: 10, says: [/failed 10 times in a row/, /last: HTTP 503/] },
    { name: 'transient network error', outcome: { ok: false, kind: 'http_error', status: 0, transient: true }, provider: 'gitlab', pr_url: GL_MR, count: 10, says: [/^GitLab's API failed 10 times/, /network error/] },
    { name: 'invalid_response', outcome: { ok: false, kind: 'invalid_response', reason: 'json_parse' }, provider: 'github', pr_url: GH_PR, count: 3, says: [/unexpected response/, /3 times in a row/, /json_parse/] },
    { name: 'unrecognized_url', outcome: { ok: false, kind: 'unrecognized_url' }, provider: 'github', pr_url: 'https://example.com/x', says: [/not a GitHub\/GitLab PR URL/, /no token was sent/] },
    {
      name: 'host_mismatch',
      outcome: { ok: false, kind: 'host_mismatch', pr_host: 'evil.example', rig_host: 'github.com' },
      provider: 'github',
      pr_url: 'https://evil.example/acme/app/pull/1',
      says: [/evil\.example/, /github\.com/, /no token was sent/],
    },
  ];
  it.each(cases)('$name', ({ outcome, provider, pr_url, count, says, never }) => {
    const message = failureMessageFor(outcome, provider, count === undefined ? { pr_url } : { pr_url, count });
    for (const re of says) expect(message).toMatch(re);
    for (const re of never ?? []) expect(message).not.toMatch(re);
  });

  it('names the PR even without a URL, and never prints a token from a trace detail', () => {
    const message = failureMessageFor({ ok: false, kind: 'no_token', trace: [{ source: 'integration', outcome: 'error', detail: 'boom' }] }, 'github');
    expect(message).toContain('the PR');
    expect(message).not.toContain('boom');
  });
});
