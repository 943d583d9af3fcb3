/**
 * The token chain of `scm.md` §2: order (PAT → integration → stored), the trace of every source
 * tried (never a token), an unbound service recorded as `unbound`, empty and throwing services
 * falling through, and fresh resolution on every call.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOWN_CONFIG } from '../../../../src/town/config/index.ts';
import type { TownConfig } from '../../../../src/protocol/config.ts';
import { describeTrace, redactTokenLike, resolveGitHubToken, resolveGitLabToken, type GitTokenService } from '../../../../src/town/scm/token-chain.ts';

function config(patch: { github_cli_pat?: string | null; git_auth?: TownConfig['git_auth'] } = {}): TownConfig {
  return { ...DEFAULT_TOWN_CONFIG, github_cli_pat: patch.github_cli_pat ?? null, git_auth: patch.git_auth ?? {} };
}

function service(answers: (string | Error)[]): GitTokenService & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async getToken(id) {
      calls.push(id);
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return next ?? '';
    },
  };
}

describe('resolveGitHubToken', () => {
  it('prefers the CLI PAT and never calls the service', async () => {
    const svc = service(['ghs_integration']);
    const r = await resolveGitHubToken(config({ github_cli_pat: 'ghp_pat', git_auth: { platform_integration_id: 'int-1', github_token: 'stored' } }), { GIT_TOKEN_SERVICE: svc });
    expect(r).toEqual({ token: 'ghp_pat', source: 'github_cli_pat', trace: [{ source: 'github_cli_pat', outcome: 'used' }] });
    expect(svc.calls).toEqual([]);
  });

  it('uses a fresh integration token over a stale stored one', async () => {
    const svc = service(['ghs_fresh']);
    const r = await resolveGitHubToken(config({ git_auth: { platform_integration_id: 'int-1', github_token: 'ghp_stale' } }), { GIT_TOKEN_SERVICE: svc });
    expect(r.token).toBe('ghs_fresh');
    expect(r.source).toBe('integration');
    expect(r.trace).toEqual([
      { source: 'github_cli_pat', outcome: 'absent' },
      { source: 'integration', outcome: 'used' },
    ]);
    expect(svc.calls).toEqual(['int-1']);
  });

  it('an empty integration token falls through to the stored one', async () => {
    const r = await resolveGitHubToken(config({ git_auth: { platform_integration_id: 'int-1', github_token: 'ghp_stored' } }), { GIT_TOKEN_SERVICE: service(['']) });
    expect(r.token).toBe('ghp_stored');
    expect(r.source).toBe('stored');
    expect(r.trace.map((e) => e.outcome)).toEqual(['absent', 'empty', 'used']);
  });

  it('a throwing service is recorded as error, redacted, and falls through', async () => {
    const leaked = 'ghs_0123456789abcdefghijklmnopqrstuv';
    const r = await resolveGitHubToken(config({ git_auth: { platform_integration_id: 'int-1', github_token: 'ghp_stored' } }), { GIT_TOKEN_SERVICE: service([new Error(`mint failed for ${leaked}`)]) });
    expect(r.token).toBe('ghp_stored');
    const entry = r.trace[1];
    expect(entry?.outcome).toBe('error');
    expect(entry?.detail).toContain('mint failed');
    expect(entry?.detail).not.toContain(leaked);
    expect(entry?.detail).toContain('****stuv');
  });

  it('records an unbound service as unbound, not absent', async () => {
    const r = await resolveGitHubToken(config({ git_auth: { platform_integration_id: 'int-1' } }), {});
    expect(r.token).toBeNull();
    expect(r.source).toBeUndefined();
    expect(r.trace).toEqual([
      { source: 'github_cli_pat', outcome: 'absent' },
      { source: 'integration', outcome: 'unbound', detail: 'integration configured but GIT_TOKEN_SERVICE not bound' },
      { source: 'stored', outcome: 'absent' },
    ]);
    expect(describeTrace(r.trace)).toBe('github_cli_pat: absent; integration: unbound; stored: absent');
  });

  it('no integration id is absent and the service is not called', async () => {
    const svc = service(['ghs_x']);
    const r = await resolveGitHubToken(config(), { GIT_TOKEN_SERVICE: svc });
    expect(describeTrace(r.trace)).toBe('github_cli_pat: absent; integration: absent; stored: absent');
    expect(svc.calls).toEqual([]);
  });

  it('resolves fresh on every call (nothing cached)', async () => {
    const svc = service(['ghs_one', 'ghs_two']);
    const cfg = config({ git_auth: { platform_integration_id: 'int-1' } });
    expect((await resolveGitHubToken(cfg, { GIT_TOKEN_SERVICE: svc })).token).toBe('ghs_one');
    expect((await resolveGitHubToken(cfg, { GIT_TOKEN_SERVICE: svc })).token).toBe('ghs_two');
    expect(svc.calls).toEqual(['int-1', 'int-1']);
  });

  it('never puts a token value into the trace', async () => {
    const r = await resolveGitHubToken(config({ github_cli_pat: null, git_auth: { platform_integration_id: 'i', github_token: 'ghp_secretvalue' } }), { GIT_TOKEN_SERVICE: service(['ghs_other_secret']) });
    expect(JSON.stringify(r.trace)).not.toContain('secret');
  });
});

describe('resolveGitLabToken', () => {
  it('returns the stored token in the same shape', async () => {
    expect(await resolveGitLabToken(config({ git_auth: { gitlab_token: 'glpat-x' } }))).toEqual({ token: 'glpat-x', source: 'stored', trace: [{ source: 'stored', outcome: 'used' }] });
    expect(await resolveGitLabToken(config())).toEqual({ token: null, trace: [{ source: 'stored', outcome: 'absent' }] });
  });
});

describe('redactTokenLike', () => {
  it('masks userinfo and long token runs, and bounds the length', () => {
    expect(redactTokenLike('https://x-access-token:abc@github.com/a/b')).toBe('https://***@github.com/a/b');
    expect(redactTokenLike('token ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaa1234 rejected')).toBe('token ****1234 rejected');
    expect(redactTokenLike('x'.repeat(10) + ' ' + 'y '.repeat(300)).length).toBeLessThanOrEqual(201);
  });
});
