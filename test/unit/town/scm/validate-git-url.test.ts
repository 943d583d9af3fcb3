/**
 * Tests for `validateRigGitUrl` and the shared URL checks (`domain.md` §2).
 */
import { describe, expect, it } from 'vitest';
import {
  hasDotSegment,
  hasUnsafeChars,
  isLoopbackHostname,
  validateRigGitUrl,
} from '../../../../src/town/scm/validate-git-url.ts';

describe('validateRigGitUrl: accepted', () => {
  const cases: { url: string; development: boolean }[] = [
    { url: 'https://github.com/acme/widgets.git', development: false },
    { url: 'https://gitlab.com/a/b/c/repo.git', development: false },
    { url: 'https://git.example.org:8443/scm/repo', development: false },
    { url: 'https://github.com/acme/widgets.git', development: true },
    { url: 'http://127.0.0.1:8123/acme/app.git', development: true },
    { url: 'http://localhost/acme/app.git', development: true },
    { url: 'http://[::1]:9000/acme/app.git', development: true },
    { url: 'file:///srv/git/repo.git', development: true },
  ];
  it.each(cases)('$url (development=$development)', ({ url, development }) => {
    expect(validateRigGitUrl(url, development)).toEqual({ ok: true });
  });
});

describe('validateRigGitUrl: refused', () => {
  const cases: { name: string; url: string; development: boolean; says: RegExp }[] = [
    { name: 'empty', url: '', development: true, says: /empty/ },
    { name: 'too long', url: `https://github.com/${'a'.repeat(2100)}`, development: true, says: /longer than 2048/ },
    { name: 'leading dash', url: '-uhttps://github.com/a/b', development: true, says: /must not start with "-"/ },
    { name: 'space', url: 'https://github.com/a/b c', development: true, says: /whitespace or control/ },
    { name: 'newline', url: 'https://github.com/a/b\n', development: true, says: /whitespace or control/ },
    { name: 'NUL', url: 'https://github.com/a/\u0000b', development: true, says: /whitespace or control/ },
    { name: 'backslash', url: 'https://github.com\\a\\b', development: true, says: /backslash/ },
    { name: 'scp-like ssh', url: 'git@github.com:acme/widgets.git', development: true, says: /SSH/ },
    { name: 'scp-like ssh without user', url: 'github.com:acme/widgets.git', development: true, says: /SSH/ },
    { name: 'ssh scheme', url: 'ssh://git@github.com/acme/widgets.git', development: true, says: /SSH/ },
    { name: 'git+ssh scheme', url: 'git+ssh://github.com/acme/widgets.git', development: true, says: /SSH/ },
    { name: 'git scheme', url: 'git://github.com/acme/widgets.git', development: true, says: /"git:" is not supported/ },
    { name: 'relative path', url: 'acme/widgets', development: true, says: /absolute https/ },
    { name: 'userinfo user:password', url: 'https://bob:hunter2@github.com/a/b', development: true, says: /credentials/ },
    { name: 'userinfo token only', url: 'https://ghp_secret@github.com/a/b', development: true, says: /credentials/ },
    { name: 'query', url: 'https://github.com/a/b?x=1', development: true, says: /query string/ },
    { name: 'empty query', url: 'https://github.com/a/b?', development: true, says: /query string/ },
    { name: 'fragment', url: 'https://github.com/a/b#main', development: true, says: /fragment/ },
    { name: 'no path', url: 'https://github.com', development: true, says: /repository path/ },
    { name: 'root path', url: 'https://github.com/', development: true, says: /repository path/ },
    { name: 'dot-dot segment', url: 'https://github.com/a/../b', development: true, says: /"\.\."/ },
    { name: 'bad host', url: 'https://exa mple/a', development: true, says: /whitespace/ },
    { name: 'invalid port', url: 'https://github.com:99999/a/b', development: true, says: /not a valid URL/ },
    { name: 'http outside development', url: 'http://127.0.0.1:8123/a/b', development: false, says: /only in development/ },
    { name: 'http remote in development', url: 'http://github.com/a/b', development: true, says: /only for loopback/ },
    { name: 'http 127.0.0.2', url: 'http://127.0.0.2/a/b', development: true, says: /only for loopback/ },
    { name: 'file outside development', url: 'file:///srv/git/repo.git', development: false, says: /only in development/ },
    { name: 'file with host', url: 'file://server/srv/repo', development: true, says: /absolute local path/ },
    { name: 'file relative', url: 'file:repo', development: true, says: /absolute local path/ },
    { name: 'file root', url: 'file:///', development: true, says: /not the root/ },
    { name: 'file with dot-dot', url: 'file:///srv/../etc', development: true, says: /"\.\."/ },
    { name: 'file with query', url: 'file:///srv/repo?x', development: true, says: /query/ },
  ];
  it.each(cases)('$name', ({ url, development, says }) => {
    const r = validateRigGitUrl(url, development);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(says);
  });

  it('never echoes a URL that carries credentials', () => {
    const r = validateRigGitUrl('https://bob:hunter2@github.com/a/b?x#y', true);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).not.toContain('hunter2');
      expect(r.message).not.toContain('bob');
      expect(r.message).toMatch(/credentials/);
    }
  });
});

describe('shared URL checks', () => {
  it.each([
    ['127.0.0.1', true],
    ['LOCALHOST', true],
    ['[::1]', true],
    ['127.0.0.2', false],
    ['localhost.example.com', false],
    ['github.com', false],
  ])('isLoopbackHostname(%s) = %s', (host, want) => {
    expect(isLoopbackHostname(host)).toBe(want);
  });

  it.each([
    ['abc', false],
    ['a b', true],
    ['a\tb', true],
    ['a\u007fb', true],
    ['a\u00a0b', true],
    ['a\u2028b', true],
  ])('hasUnsafeChars(%j) = %s', (text, want) => {
    expect(hasUnsafeChars(text)).toBe(want);
  });

  it.each([
    ['/a/b', false],
    ['/a/.b', false],
    ['/a/b..c', false],
    ['/a/./b', true],
    ['/a/..', true],
    ['/a/%2E%2e/b', true],
    ['/a/%2e', true],
  ])('hasDotSegment(%s) = %s', (path, want) => {
    expect(hasDotSegment(path)).toBe(want);
  });
});
