/**
 * Table tests of the container's pure workspace checks (`container.md` §9.2): path ids, data-root
 * containment, rig git URLs (https, loopback http, file:// only when allowed, never ssh or
 * userinfo), branch names, the push-flag guard, and that a refusal never echoes the URL.
 */
import { describe, expect, it } from 'vitest';
import { checkBranch, checkGitUrl, checkPathId, isInsideRoot, splitPushFlags } from '../../../container/src/workspaces/validation.ts';

describe('checkPathId', () => {
  it.each([
    ['22222222-2222-4222-8222-222222222222', true],
    ['merge-42', true],
    ['a.b_c-D', true],
    ['x'.repeat(128), true],
    ['x'.repeat(129), false],
    ['', false],
    ['.', false],
    ['..', false],
    ['../etc', false],
    ['a/b', false],
    ['a b', false],
    ['a\nb', false],
    ['%2e%2e', false],
  ])('%j → %s', (id, expected) => {
    expect(checkPathId('rig_id', id).ok).toBe(expected);
  });

  it('names the field', () => {
    const c = checkPathId('request_id', '../x');
    expect(c.ok ? '' : c.message).toContain('request_id');
  });
});

describe('isInsideRoot', () => {
  it.each([
    ['/data', '/data', true],
    ['/data', '/data/rigs/x/repo', true],
    ['/data/', '/data/a/../b', true],
    ['/data', '/data/../etc/passwd', false],
    ['/data', '/database', false],
    ['/data', '/', false],
    ['/data', '/data/rigs/../../x', false],
  ])('%s ⊇ %s → %s', (root, path, expected) => {
    expect(isInsideRoot(root, path)).toBe(expected);
  });
});

describe('checkGitUrl', () => {
  it.each([
    ['https://github.com/acme/app.git', false, 'https'],
    ['https://gitlab.example.com:8443/group/sub/app', false, 'https'],
    ['http://127.0.0.1:9999/acme/app.git', false, 'http'],
    ['http://localhost/acme/app.git', false, 'http'],
    ['http://[::1]:8080/acme/app.git', false, 'http'],
    ['file:///tmp/origin.git', true, 'file'],
  ] as const)('accepts %s (local=%s) as %s', (url, local, kind) => {
    expect(checkGitUrl(url, local)).toEqual({ ok: true, kind });
  });

  it.each([
    ['', true],
    ['-uhttps://github.com/a/b', true],
    ['--upload-pack=touch /tmp/x', true],
    ['ssh://git@github.com/acme/app.git', true],
    ['git@github.com:acme/app.git', true],
    ['git://github.com/acme/app.git', true],
    ['ext::sh -c touch% /tmp/pwned', true],
    ['https://x-access-token:ghp_secret123@github.com/acme/app.git', true],
    ['https://user@github.com/acme/app.git', true],
    ['https://github.com/acme/app.git?x=1', true],
    ['https://github.com/acme/app.git#frag', true],
    ['https://github.com', true],
    ['https://github.com/', true],
    ['https://github.com/acme/../app', true],
    ['https://github.com/acme/%2e%2e/app', true],
    ['https://github.com/acme/app .git', true],
    ['https://github.com/acme/app\n.git', true],
    ['https://github.com\\acme\\app', true],
    ['http://github.com/acme/app.git', true],
    ['http://10.0.0.1/acme/app.git', true],
    ['file:///tmp/origin.git', false],
    ['file://host/tmp/origin.git', true],
    ['file:///', true],
    ['file:///tmp/../etc', true],
    ['https://' + 'a'.repeat(2050), true],
  ])('refuses %j (local=%s)', (url, local) => {
    const c = checkGitUrl(url, local);
    expect(c.ok).toBe(false);
  });

  it('never echoes the URL (it could carry a token)', () => {
    const c = checkGitUrl('https://x-access-token:ghp_secret123@github.com/acme/app.git', true);
    expect(c.ok).toBe(false);
    expect(c.ok ? '' : c.message).not.toContain('ghp_secret123');
    expect(c.ok ? '' : c.message).toContain('git_url');
  });
});

describe('checkBranch', () => {
  it.each([
    'main',
    'gt/toast/abcd1234',
    'convoy/big-thing/0a1b2c3d/head',
    'convoy/big-thing/0a1b2c3d/gt/toast/abcd1234',
    'release-1.2',
    'a'.repeat(255),
  ])('accepts %j', (branch) => {
    expect(checkBranch('branch', branch)).toEqual({ ok: true });
  });

  it.each([
    '',
    '-x',
    '--upload-pack=evil',
    'a..b',
    'a b',
    'a\tb',
    'a\u0000b',
    'a\u007fb',
    'x@{1}',
    '@',
    'a~1',
    'a^',
    'a:b',
    'a?',
    'a*',
    'a[b',
    'a\\b',
    '/a',
    'a/',
    'a//b',
    'a.',
    'a/.hidden',
    '.a',
    'a.lock',
    'a/b.lock/c',
    'HEAD',
    'a'.repeat(256),
  ])('refuses %j', (branch) => {
    const c = checkBranch('branch', branch);
    expect(c.ok).toBe(false);
    expect(c.ok ? '' : c.message).toMatch(/^branch /);
  });
});

describe('splitPushFlags', () => {
  it('keeps plain long options and refuses force, delete, hooks, remotes and non-flags', () => {
    const { accepted, refused } = splitPushFlags([
      '--atomic',
      '--no-progress',
      '--recurse-submodules=check',
      '--force',
      '--force-with-lease',
      '-f',
      '+main',
      '--no-verify',
      '--delete',
      '--mirror',
      '--receive-pack=evil',
      '--exec=evil',
      '--repo=http://evil',
      'origin',
      '--push-option=$(x)',
    ]);
    expect(accepted).toEqual(['--atomic', '--no-progress', '--recurse-submodules=check']);
    expect(refused).toHaveLength(12);
  });
});
