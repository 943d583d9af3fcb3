/**
 * Tests of `redact.ts` (`container.md` §9.3): URL userinfo, known secrets as `****` + last 4,
 * JWT-looking strings, short values ignored, and JSON log lines with every field redacted.
 */
import { describe, expect, it } from 'vitest';
import { createLogger, Redactor } from '../../container/src/redact.ts';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzY29wZSI6ImFnZW50In0.c2lnbmF0dXJlLXZhbHVl';

describe('Redactor', () => {
  it('masks URL userinfo', () => {
    const r = new Redactor();
    expect(r.redact('fatal: https://x-access-token:ghs_abc@github.com/a/b.git not found')).toBe('fatal: https://***@github.com/a/b.git not found');
    expect(r.redact('remote http://oauth2@gitlab.local/x')).toBe('remote http://***@gitlab.local/x');
    expect(r.redact('see https://github.com/a/b and mail a@b.c')).toBe('see https://github.com/a/b and mail a@b.c');
  });

  it('masks every known secret as **** + its last 4, everywhere it occurs', () => {
    const r = new Redactor();
    r.addSecret('super-secret-value-9876');
    r.addSecret('ghp_anotherone1234');
    expect(r.redact('a super-secret-value-9876 b super-secret-value-9876; ghp_anotherone1234')).toBe('a ****9876 b ****9876; ****1234');
  });

  it('masks a longer secret containing a shorter one whole', () => {
    const r = new Redactor();
    r.addSecret('abcdef');
    r.addSecret('abcdef-and-more-zzzz');
    expect(r.redact('x abcdef-and-more-zzzz y abcdef')).toBe('x ****zzzz y ****cdef');
  });

  it('ignores empty, missing and short values', () => {
    const r = new Redactor();
    r.addSecret('');
    r.addSecret(null);
    r.addSecret(undefined);
    r.addSecret('abc12');
    expect(r.redact('abc12 stays')).toBe('abc12 stays');
  });

  it('masks JWT-looking strings even when unknown', () => {
    const r = new Redactor();
    expect(r.redact(`Authorization: Bearer ${JWT}`)).toBe('Authorization: Bearer ****');
  });

  it('redacts nested values and errors', () => {
    const r = new Redactor();
    r.addSecret('tok-secret-5555');
    const err = new Error('failed with tok-secret-5555');
    expect(r.redactValue({ a: ['tok-secret-5555', 1, null], err })).toMatchObject({
      a: ['****5555', 1, null],
      err: { name: 'Error', message: 'failed with ****5555' },
    });
  });
});

describe('createLogger', () => {
  it('writes one JSON object per line with every field redacted', () => {
    const r = new Redactor();
    r.addSecret('control-secret-abcd');
    const lines: string[] = [];
    const log = createLogger(r, (l) => lines.push(l));
    log.info('worker.call', { url: 'https://u:p@h/x', nested: { token: JWT, s: 'control-secret-abcd' } });
    log.warn('w');
    log.error('e', { level: 'spoofed', msg: 'spoofed' });
    expect(lines).toHaveLength(3);
    const first = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(first).toMatchObject({ level: 'info', msg: 'worker.call', url: 'https://***@h/x', nested: { token: '****', s: '****abcd' } });
    expect(typeof first.at).toBe('string');
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ level: 'warn', msg: 'w' });
    expect(JSON.parse(lines[2] ?? '')).toMatchObject({ level: 'error', msg: 'e' });
    expect(lines.join('\n')).not.toContain('control-secret-abcd');
  });

  it('survives fields that cannot be serialised', () => {
    const lines: string[] = [];
    createLogger(new Redactor(), (l) => lines.push(l)).info('x', { n: 10n });
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ msg: 'x', log_error: 'fields not serialisable' });
  });
});
