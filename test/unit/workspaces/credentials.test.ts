/**
 * The pure parts of the container's git credentials and git output handling (`container.md` §9.3,
 * §9.4): host kind and token choice, the credential-store line (`x-access-token` GitHub, `oauth2`
 * GitLab, nothing for `file://`), the helper `-c` arguments with shell quoting, the auth-failure
 * and rejected-push classifiers, and the `git worktree list --porcelain` parser.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ContainerConfig } from '../../../src/protocol/control.ts';
import { configTokenFor, credentialHelperArgs, credentialStoreText, hostKindOf, shellQuote } from '../../../container/src/workspaces/credentials.ts';
import { isAuthFailure, isPushRejected } from '../../../container/src/workspaces/git-errors.ts';
import { parseWorktreeList } from '../../../container/src/workspaces/worktrees.ts';

function config(gitAuth: ContainerConfig['git_auth'], pat?: string): ContainerConfig {
  return {
    version: 1,
    town_id: '11111111-1111-4111-8111-111111111111',
    api_url: 'http://127.0.0.1:8787',
    provider: null,
    git_auth: gitAuth,
    ...(pat === undefined ? {} : { github_cli_pat: pat }),
    disable_ai_coauthor: false,
    env_vars: {},
  };
}

describe('hostKindOf and configTokenFor', () => {
  it.each([
    ['https://github.com/acme/app.git', config({}), undefined, 'github'],
    ['https://gitlab.com/group/sub/app.git', config({}), undefined, 'gitlab'],
    ['https://git.corp.example/group/app.git', config({ gitlab_instance_url: 'https://git.corp.example' }), undefined, 'gitlab'],
    ['http://127.0.0.1:9000/acme/app.git', config({ gitlab_instance_url: 'http://127.0.0.1:9000' }), undefined, 'gitlab'],
    ['http://127.0.0.1:9000/acme/app.git', config({ gitlab_instance_url: 'http://127.0.0.1:9001' }), undefined, 'github'],
    ['https://ghe.corp.example/acme/app.git', config({}), 'gitlab', 'gitlab'],
    ['file:///tmp/origin.git', config({}), 'github', 'local'],
  ] as const)('%s → %s', (url, cfg, hint, kind) => {
    expect(hostKindOf(url, cfg, hint)).toBe(kind);
  });

  it('takes the resolved GitHub token, else the CLI PAT; the GitLab token for GitLab; nothing for local', () => {
    expect(configTokenFor('github', config({ github_token: 'ghs_aaaaaa' }, 'ghp_bbbbbb'))).toBe('ghs_aaaaaa');
    expect(configTokenFor('github', config({}, 'ghp_bbbbbb'))).toBe('ghp_bbbbbb');
    expect(configTokenFor('github', config({ gitlab_token: 'glpat-x' }))).toBeNull();
    expect(configTokenFor('gitlab', config({ gitlab_token: 'glpat-x', github_token: 'ghs_a' }))).toBe('glpat-x');
    expect(configTokenFor('local', config({ github_token: 'ghs_a' }))).toBeNull();
  });
});

describe('credentialStoreText', () => {
  it('writes one scheme://user:token@host[:port] line, percent-encoding the token', () => {
    expect(credentialStoreText('https://github.com/acme/app.git', 'github', 'ghs_abc')).toBe('https://x-access-token:ghs_abc@github.com\n');
    expect(credentialStoreText('http://127.0.0.1:9000/g/app.git', 'gitlab', 'glpat-x/y@z')).toBe('http://oauth2:glpat-x%2Fy%40z@127.0.0.1:9000\n');
  });

  it('is empty for a local repo, without a token, or for a URL that does not parse', () => {
    expect(credentialStoreText('file:///tmp/o.git', 'local', 'ghs_abc')).toBe('');
    expect(credentialStoreText('https://github.com/a/b.git', 'github', null)).toBe('');
    expect(credentialStoreText('https://github.com/a/b.git', 'github', '')).toBe('');
    expect(credentialStoreText('not a url', 'github', 'ghs_abc')).toBe('');
  });
});

describe('credentialHelperArgs', () => {
  it('resets every helper, then uses only the store file, quoted for sh', () => {
    expect(credentialHelperArgs('/data/rigs/r/cred/git-credentials')).toEqual(['-c', 'credential.helper=', '-c', "credential.helper=store --file='/data/rigs/r/cred/git-credentials'"]);
  });

  it.each(["/tmp/it's here", '/tmp/$(touch x)', '/tmp/a b;c', '/tmp/`id`'])('shellQuote(%j) is one literal sh word', (path) => {
    expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(path)}`], { encoding: 'utf8' })).toBe(path);
  });
});

describe('git output classifiers', () => {
  it.each([
    ["fatal: Authentication failed for 'https://github.com/a/b.git/'", true],
    ["fatal: could not read Username for 'https://github.com': terminal prompts disabled", true],
    ['remote: Invalid username or password.', true],
    ["fatal: unable to access 'https://github.com/a/b.git/': The requested URL returned error: 403", true],
    ["fatal: unable to access 'https://x/': The requested URL returned error: 401", true],
    ["fatal: repository 'https://github.com/a/b.git/' not found", false],
    ['fatal: unable to access: Could not resolve host: github.com', false],
  ])('isAuthFailure(%j) = %s', (stderr, expected) => {
    expect(isAuthFailure(stderr)).toBe(expected);
  });

  it.each([
    [' ! [rejected]        HEAD -> main (fetch first)', true],
    [' ! [rejected]        HEAD -> main (non-fast-forward)', true],
    ['hint: Updates were rejected because the tip of your current branch is behind', false],
    [' ! [remote rejected] HEAD -> main (pre-receive hook declined)', false],
    ["fatal: Authentication failed for 'https://x/'", false],
  ])('isPushRejected(%j) = %s', (stderr, expected) => {
    expect(isPushRejected(stderr)).toBe(expected);
  });
});

describe('parseWorktreeList', () => {
  it('reads paths, heads and branches; detached entries have no branch', () => {
    const text = [
      'worktree /data/rigs/r/repo',
      'HEAD 1111111111111111111111111111111111111111',
      'detached',
      '',
      'worktree /data/rigs/r/worktrees/gt__toast__abcd1234',
      'HEAD 2222222222222222222222222222222222222222',
      'branch refs/heads/gt/toast/abcd1234',
      '',
      'worktree /data/rigs/r/refinery/a',
      'HEAD 3333333333333333333333333333333333333333',
      'detached',
      'prunable gitdir file points to non-existent location',
      '',
    ].join('\n');
    expect(parseWorktreeList(text)).toEqual([
      { path: '/data/rigs/r/repo', head: '1111111111111111111111111111111111111111', branch: null },
      { path: '/data/rigs/r/worktrees/gt__toast__abcd1234', head: '2222222222222222222222222222222222222222', branch: 'gt/toast/abcd1234' },
      { path: '/data/rigs/r/refinery/a', head: '3333333333333333333333333333333333333333', branch: null },
    ]);
  });
});
