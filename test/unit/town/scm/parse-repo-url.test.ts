/**
 * Tests for `parseRepoUrl`, `detectProvider` and `defaultMergeStrategy` (`scm.md` §1).
 */
import { describe, expect, it } from 'vitest';
import { defaultMergeStrategy, detectProvider, parseRepoUrl } from '../../../../src/town/scm/parse-repo-url.ts';
import type { RepoRef, ScmHostConfig } from '../../../../src/town/scm/repo-ref.ts';

const PROD: ScmHostConfig = { development: false };
const DEV: ScmHostConfig = { development: true };
const GHE: ScmHostConfig = { development: false, github_api_url: 'https://ghe.example.com/api/v3' };
const FAKE_GH: ScmHostConfig = { development: true, github_api_url: 'http://127.0.0.1:8123/api/v3' };
const SELF_GL: ScmHostConfig = { development: false, gitlab_instance_url: 'https://git.corp.example/' };
const FAKE_GL: ScmHostConfig = { development: true, gitlab_instance_url: 'http://127.0.0.1:9000' };
const PREFIX_GL: ScmHostConfig = { development: false, gitlab_instance_url: 'https://corp.example/gitlab' };

describe('parseRepoUrl: accepted URLs', () => {
  const cases: { name: string; url: string; cfg: ScmHostConfig; want: RepoRef }[] = [
    {
      name: 'github.com with .git',
      url: 'https://github.com/acme/widgets.git',
      cfg: PROD,
      want: {
        provider: 'github', host: 'github.com', owner: 'acme', repo: 'widgets', path: 'acme/widgets',
        web_base: 'https://github.com', api_base: 'https://api.github.com', graphql_url: 'https://api.github.com/graphql',
      },
    },
    {
      name: 'github.com without .git, upper-case host, trailing slash',
      url: 'https://GitHub.COM/Acme/Widgets/',
      cfg: PROD,
      want: {
        provider: 'github', host: 'github.com', owner: 'Acme', repo: 'Widgets', path: 'Acme/Widgets',
        web_base: 'https://github.com', api_base: 'https://api.github.com', graphql_url: 'https://api.github.com/graphql',
      },
    },
    {
      name: 'dotted repository name',
      url: 'https://github.com/acme/my.repo.git',
      cfg: PROD,
      want: {
        provider: 'github', host: 'github.com', owner: 'acme', repo: 'my.repo', path: 'acme/my.repo',
        web_base: 'https://github.com', api_base: 'https://api.github.com', graphql_url: 'https://api.github.com/graphql',
      },
    },
    {
      name: 'GitHub Enterprise via github_api_url',
      url: 'https://ghe.example.com/team/svc.git',
      cfg: GHE,
      want: {
        provider: 'github', host: 'ghe.example.com', owner: 'team', repo: 'svc', path: 'team/svc',
        web_base: 'https://ghe.example.com', api_base: 'https://ghe.example.com/api/v3',
        graphql_url: 'https://ghe.example.com/api/graphql',
      },
    },
    {
      name: 'fake GitHub host on loopback in development, port kept',
      url: 'http://127.0.0.1:8123/acme/app.git',
      cfg: FAKE_GH,
      want: {
        provider: 'github', host: '127.0.0.1:8123', owner: 'acme', repo: 'app', path: 'acme/app',
        web_base: 'http://127.0.0.1:8123', api_base: 'http://127.0.0.1:8123/api/v3',
        graphql_url: 'http://127.0.0.1:8123/api/graphql',
      },
    },
    {
      name: 'gitlab.com nested groups',
      url: 'https://gitlab.com/a/b/c/repo.git',
      cfg: PROD,
      want: {
        provider: 'gitlab', host: 'gitlab.com', owner: 'a/b/c', repo: 'repo', path: 'a/b/c/repo',
        web_base: 'https://gitlab.com', api_base: 'https://gitlab.com/api/v4',
      },
    },
    {
      name: 'gitlab.com dotted nested groups and a dotted repository ending in .git',
      url: 'https://gitlab.com/my.org/sub.team/app.v2.git',
      cfg: PROD,
      want: {
        provider: 'gitlab', host: 'gitlab.com', owner: 'my.org/sub.team', repo: 'app.v2', path: 'my.org/sub.team/app.v2',
        web_base: 'https://gitlab.com', api_base: 'https://gitlab.com/api/v4',
      },
    },
    {
      name: 'GitHub repository named like a file (.github.io), dotted owner',
      url: 'https://github.com/acme.inc/acme.github.io',
      cfg: PROD,
      want: {
        provider: 'github', host: 'github.com', owner: 'acme.inc', repo: 'acme.github.io', path: 'acme.inc/acme.github.io',
        web_base: 'https://github.com', api_base: 'https://api.github.com', graphql_url: 'https://api.github.com/graphql',
      },
    },
    {
      name: 'self-managed GitLab (trailing slash in config)',
      url: 'https://git.corp.example/platform/infra/deploy.git',
      cfg: SELF_GL,
      want: {
        provider: 'gitlab', host: 'git.corp.example', owner: 'platform/infra', repo: 'deploy', path: 'platform/infra/deploy',
        web_base: 'https://git.corp.example', api_base: 'https://git.corp.example/api/v4',
      },
    },
    {
      name: 'self-managed GitLab under a path prefix',
      url: 'https://corp.example/gitlab/grp/proj.git',
      cfg: PREFIX_GL,
      want: {
        provider: 'gitlab', host: 'corp.example', owner: 'grp', repo: 'proj', path: 'grp/proj',
        web_base: 'https://corp.example/gitlab', api_base: 'https://corp.example/gitlab/api/v4',
      },
    },
    {
      name: 'fake GitLab host on loopback in development',
      url: 'http://127.0.0.1:9000/grp/sub/proj.git',
      cfg: FAKE_GL,
      want: {
        provider: 'gitlab', host: '127.0.0.1:9000', owner: 'grp/sub', repo: 'proj', path: 'grp/sub/proj',
        web_base: 'http://127.0.0.1:9000', api_base: 'http://127.0.0.1:9000/api/v4',
      },
    },
    {
      name: 'unknown https host → provider none, port kept',
      url: 'https://Git.Example.org:8443/scm/team/repo.git',
      cfg: PROD,
      want: {
        provider: 'none', host: 'git.example.org:8443', owner: 'scm/team', repo: 'repo', path: 'scm/team/repo',
        web_base: 'https://git.example.org:8443', api_base: '',
      },
    },
    {
      name: 'loopback http on an unconfigured port → none in development',
      url: 'http://localhost:3000/o/r.git',
      cfg: DEV,
      want: {
        provider: 'none', host: 'localhost:3000', owner: 'o', repo: 'r', path: 'o/r',
        web_base: 'http://localhost:3000', api_base: '',
      },
    },
    {
      name: 'IPv6 loopback in development',
      url: 'http://[::1]:4000/o/r',
      cfg: DEV,
      want: {
        provider: 'none', host: '[::1]:4000', owner: 'o', repo: 'r', path: 'o/r',
        web_base: 'http://[::1]:4000', api_base: '',
      },
    },
  ];
  it.each(cases)('$name', ({ url, cfg, want }) => {
    expect(parseRepoUrl(url, cfg)).toEqual(want);
  });
});

describe('parseRepoUrl: refused URLs', () => {
  const cases: { name: string; url: string; cfg: ScmHostConfig }[] = [
    { name: 'ssh scp form', url: 'git@github.com:acme/widgets.git', cfg: DEV },
    { name: 'ssh scheme', url: 'ssh://git@github.com/acme/widgets.git', cfg: DEV },
    { name: 'userinfo', url: 'https://user:tok@github.com/acme/widgets.git', cfg: DEV },
    { name: 'bare user', url: 'https://x-access-token@github.com/acme/widgets.git', cfg: DEV },
    { name: 'query', url: 'https://github.com/acme/widgets.git?ref=main', cfg: DEV },
    { name: 'fragment', url: 'https://github.com/acme/widgets.git#main', cfg: DEV },
    { name: 'loopback http outside development', url: 'http://127.0.0.1:8123/acme/app.git', cfg: { ...FAKE_GH, development: false } },
    { name: 'non-loopback http in development', url: 'http://github.com/acme/widgets.git', cfg: DEV },
    { name: 'file URL', url: 'file:///srv/git/repo.git', cfg: DEV },
    { name: 'one path segment', url: 'https://git.example.org/repo.git', cfg: PROD },
    { name: 'GitHub with extra segments', url: 'https://github.com/acme/widgets/tree/main', cfg: PROD },
    { name: 'only .git as repo', url: 'https://github.com/acme/.git', cfg: PROD },
    { name: 'dot-dot segment', url: 'https://github.com/acme/../widgets', cfg: PROD },
    { name: 'encoded dot-dot segment', url: 'https://github.com/acme/%2e%2E/widgets', cfg: PROD },
    { name: 'empty middle segment', url: 'https://gitlab.com/a//repo', cfg: PROD },
    { name: 'whitespace', url: 'https://github.com/acme/wid gets', cfg: PROD },
    { name: 'tab (URL parser would strip it)', url: 'https://github.com/acme/wid\tgets', cfg: PROD },
    { name: 'leading dash', url: '-https://github.com/acme/widgets', cfg: PROD },
    { name: 'backslash', url: 'https://github.com\\acme\\widgets', cfg: PROD },
    { name: 'not a URL', url: 'widgets', cfg: PROD },
    { name: 'GitLab project outside the instance prefix', url: 'https://corp.example/other/grp/proj.git', cfg: PREFIX_GL },
  ];
  it.each(cases)('$name → null', ({ url, cfg }) => {
    expect(parseRepoUrl(url, cfg)).toBeNull();
  });
});

describe('parseRepoUrl: configured API URLs', () => {
  it('ignores a plain-http github_api_url on a remote host, so no token goes out in clear text', () => {
    const cfg: ScmHostConfig = { development: true, github_api_url: 'http://ghe.example.com/api/v3' };
    expect(parseRepoUrl('https://ghe.example.com/team/svc.git', cfg)?.provider).toBe('none');
  });
  it('ignores a loopback http github_api_url outside development', () => {
    const cfg: ScmHostConfig = { development: false, github_api_url: 'http://127.0.0.1:8123/api/v3' };
    expect(parseRepoUrl('https://127.0.0.1:8123/acme/app.git', cfg)?.provider).toBe('none');
  });
  it('keeps github.com on api.github.com when a GHE url is configured', () => {
    expect(parseRepoUrl('https://github.com/acme/widgets', GHE)?.api_base).toBe('https://api.github.com');
  });
  it('treats the port of the configured host as significant', () => {
    expect(parseRepoUrl('http://127.0.0.1:8124/acme/app.git', FAKE_GH)?.provider).toBe('none');
  });
  it('matches the configured host case-insensitively', () => {
    const cfg: ScmHostConfig = { development: false, github_api_url: 'https://GHE.Example.com/api/v3' };
    const ref = parseRepoUrl('https://ghe.EXAMPLE.com/team/svc.git', cfg);
    expect(ref?.provider).toBe('github');
    expect(ref?.api_base).toBe('https://ghe.example.com/api/v3');
  });
});

describe('detectProvider and defaultMergeStrategy', () => {
  const cases: { url: string; cfg: ScmHostConfig; provider: string; strategy: 'pr' | 'direct' }[] = [
    { url: 'https://github.com/acme/widgets.git', cfg: PROD, provider: 'github', strategy: 'pr' },
    { url: 'https://gitlab.com/a/b/c/repo.git', cfg: PROD, provider: 'gitlab', strategy: 'pr' },
    { url: 'https://ghe.example.com/team/svc.git', cfg: GHE, provider: 'github', strategy: 'pr' },
    { url: 'https://ghe.example.com/team/svc.git', cfg: PROD, provider: 'none', strategy: 'direct' },
    { url: 'https://git.corp.example/p/deploy.git', cfg: SELF_GL, provider: 'gitlab', strategy: 'pr' },
    { url: 'file:///srv/git/repo.git', cfg: DEV, provider: 'none', strategy: 'direct' },
    { url: 'https://git.example.org/o/r.git', cfg: PROD, provider: 'none', strategy: 'direct' },
    { url: 'not a url', cfg: PROD, provider: 'none', strategy: 'direct' },
  ];
  it.each(cases)('$url → $provider / $strategy', ({ url, cfg, provider, strategy }) => {
    expect(detectProvider(url, cfg)).toBe(provider);
    expect(defaultMergeStrategy(url, cfg)).toBe(strategy);
  });
});
