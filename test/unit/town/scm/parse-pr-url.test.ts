/**
 * Tests for `parsePrUrl` (`scm.md` §1): GitHub pulls, GitLab merge requests, loopback rules.
 */
import { describe, expect, it } from 'vitest';
import { parsePrUrl } from '../../../../src/town/scm/parse-pr-url.ts';
import type { PrRef } from '../../../../src/town/scm/parse-pr-url.ts';

describe('parsePrUrl: recognised', () => {
  const cases: { url: string; development?: boolean; want: PrRef }[] = [
    {
      url: 'https://github.com/acme/widgets/pull/42',
      want: { provider: 'github', host: 'github.com', owner: 'acme', repo: 'widgets', path: 'acme/widgets', number: 42 },
    },
    {
      url: 'https://GitHub.com/Acme/my.repo/pull/7/',
      want: { provider: 'github', host: 'github.com', owner: 'Acme', repo: 'my.repo', path: 'Acme/my.repo', number: 7 },
    },
    {
      url: 'https://ghe.example.com:8443/team/svc/pull/1',
      want: { provider: 'github', host: 'ghe.example.com:8443', owner: 'team', repo: 'svc', path: 'team/svc', number: 1 },
    },
    {
      url: 'https://gitlab.com/a/b/c/repo/-/merge_requests/12',
      want: { provider: 'gitlab', host: 'gitlab.com', owner: 'a/b/c', repo: 'repo', path: 'a/b/c/repo', number: 12 },
    },
    {
      url: 'https://gitlab.com/my.org/sub.team/app.v2/-/merge_requests/8',
      want: { provider: 'gitlab', host: 'gitlab.com', owner: 'my.org/sub.team', repo: 'app.v2', path: 'my.org/sub.team/app.v2', number: 8 },
    },
    {
      url: 'https://github.com/acme.inc/acme.github.io/pull/3',
      want: { provider: 'github', host: 'github.com', owner: 'acme.inc', repo: 'acme.github.io', path: 'acme.inc/acme.github.io', number: 3 },
    },
    {
      url: 'https://git.corp.example/grp/proj/-/merge_requests/3',
      want: { provider: 'gitlab', host: 'git.corp.example', owner: 'grp', repo: 'proj', path: 'grp/proj', number: 3 },
    },
    {
      url: 'http://127.0.0.1:8123/acme/app/pull/5',
      development: true,
      want: { provider: 'github', host: '127.0.0.1:8123', owner: 'acme', repo: 'app', path: 'acme/app', number: 5 },
    },
    {
      url: 'http://localhost:9000/grp/proj/-/merge_requests/9',
      development: true,
      want: { provider: 'gitlab', host: 'localhost:9000', owner: 'grp', repo: 'proj', path: 'grp/proj', number: 9 },
    },
  ];
  it.each(cases)('$url', ({ url, development, want }) => {
    expect(parsePrUrl(url, development)).toEqual({ ok: true, pr: want });
  });
});

describe('parsePrUrl: unrecognized_url', () => {
  const cases: { name: string; url: string; development?: boolean }[] = [
    { name: 'loopback http outside development', url: 'http://127.0.0.1:8123/acme/app/pull/5' },
    { name: 'loopback http with the default (false)', url: 'http://localhost/acme/app/pull/5' },
    { name: 'remote http in development', url: 'http://github.com/acme/app/pull/5', development: true },
    { name: 'issue, not a pull', url: 'https://github.com/acme/app/issues/5' },
    { name: 'pull list', url: 'https://github.com/acme/app/pulls' },
    { name: 'pull files tab', url: 'https://github.com/acme/app/pull/5/files' },
    { name: 'zero number', url: 'https://github.com/acme/app/pull/0' },
    { name: 'leading zero', url: 'https://github.com/acme/app/pull/05' },
    { name: 'non-numeric', url: 'https://github.com/acme/app/pull/abc' },
    { name: 'huge number', url: 'https://github.com/acme/app/pull/99999999999999999' },
    { name: 'query', url: 'https://github.com/acme/app/pull/5?tab=files' },
    { name: 'fragment', url: 'https://github.com/acme/app/pull/5#discussion' },
    { name: 'userinfo', url: 'https://tok@github.com/acme/app/pull/5' },
    { name: 'GitLab with one project segment', url: 'https://gitlab.com/proj/-/merge_requests/1' },
    { name: 'GitLab extra tail', url: 'https://gitlab.com/a/b/-/merge_requests/1/diffs' },
    { name: 'GitLab issues', url: 'https://gitlab.com/a/b/-/issues/1' },
    { name: 'dot-dot', url: 'https://github.com/acme/../app/pull/5' },
    { name: 'ssh', url: 'git@github.com:acme/app.git' },
    { name: 'whitespace', url: 'https://github.com/acme/app/pull/5 ' },
    { name: 'empty', url: '' },
  ];
  it.each(cases)('$name', ({ url, development }) => {
    expect(parsePrUrl(url, development)).toEqual({ ok: false, kind: 'unrecognized_url' });
  });
});
