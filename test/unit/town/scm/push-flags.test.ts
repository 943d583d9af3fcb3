/**
 * Tests for the `git_push_flags` allow-list (`scm.md` §3).
 */
import { describe, expect, it } from 'vitest';
import { ALLOWED_PUSH_FLAGS, validatePushFlags } from '../../../../src/town/scm/push-flags.ts';

describe('validatePushFlags: accepted', () => {
  it('accepts an empty list', () => {
    expect(validatePushFlags([])).toEqual({ ok: true });
  });

  it.each(ALLOWED_PUSH_FLAGS.map((f) => [f]))('accepts %s', (flag) => {
    expect(validatePushFlags([flag])).toEqual({ ok: true });
  });

  it('accepts the whole list at once', () => {
    expect(validatePushFlags([...ALLOWED_PUSH_FLAGS])).toEqual({ ok: true });
  });

  it('lists exactly the flags of scm.md §3', () => {
    expect([...ALLOWED_PUSH_FLAGS].sort()).toEqual(
      [
        '--atomic', '--follow-tags', '--signed', '--no-signed', '--progress', '--no-progress', '--verbose',
        '--quiet', '--tags', '--porcelain', '--ipv4', '--ipv6', '--recurse-submodules=check',
        '--recurse-submodules=on-demand', '--recurse-submodules=no',
      ].sort(),
    );
  });
});

describe('validatePushFlags: rejected', () => {
  const cases: { flag: string; says: RegExp }[] = [
    { flag: '-f', says: /force pushes are not allowed/ },
    { flag: '-qf', says: /force pushes are not allowed/ },
    { flag: '--force', says: /force pushes are not allowed/ },
    { flag: '--force-with-lease', says: /force pushes are not allowed/ },
    { flag: '--force-with-lease=main:abc123', says: /force pushes are not allowed/ },
    { flag: '--force-if-includes', says: /force pushes are not allowed/ },
    { flag: '+main', says: /force refspec/ },
    { flag: '+refs/heads/a:refs/heads/b', says: /force refspec/ },
    { flag: '--no-verify', says: /pre-push hook/ },
    { flag: '--recurse-submodules=yes', says: /=on-demand or =no/ },
    { flag: '--recurse-submodules', says: /=on-demand or =no/ },
    { flag: 'origin', says: /not a flag/ },
    { flag: 'main:main', says: /not a flag/ },
    { flag: '--mirror', says: /not in the allowed list/ },
    { flag: '--delete', says: /not in the allowed list/ },
    { flag: '--receive-pack=/bin/sh', says: /not in the allowed list/ },
    { flag: '-o', says: /not in the allowed list/ },
    { flag: '--ATOMIC', says: /not in the allowed list/ },
    { flag: ' --atomic', says: /not a flag/ },
    { flag: '', says: /empty/ },
  ];
  it.each(cases)('rejects $flag', ({ flag, says }) => {
    const r = validatePushFlags(['--atomic', flag, '--force']);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.index).toBe(1);
      expect(r.message).toMatch(says);
    }
  });

  it('cuts a very long flag in its message', () => {
    const r = validatePushFlags([`--${'x'.repeat(500)}`]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.length).toBeLessThan(400);
  });
});
