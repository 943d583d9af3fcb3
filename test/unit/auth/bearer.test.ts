/**
 * Tests of `src/auth/bearer.ts`: extracting the token from `Authorization: Bearer <token>`.
 */
import { describe, expect, it } from 'vitest';
import { readBearer } from '../../../src/auth/bearer.ts';
import { Unauthorized } from '../../../src/errors.ts';

function reasonOf(header: string | undefined): string {
  try {
    return `ok:${readBearer(header)}`;
  } catch (e) {
    return e instanceof Unauthorized ? e.reason : 'other';
  }
}

describe('readBearer', () => {
  it('returns the token of a Bearer credential', () => {
    expect(readBearer('Bearer aaa.bbb.ccc')).toBe('aaa.bbb.ccc');
    expect(readBearer('Bearer   a-b_c.d~e+f/g==')).toBe('a-b_c.d~e+f/g==');
  });

  it('matches the scheme case-insensitively (RFC 7235 §2.1)', () => {
    expect(readBearer('bearer x')).toBe('x');
    expect(readBearer('BEARER x')).toBe('x');
  });

  it('is missing when the header is absent or blank', () => {
    expect(reasonOf(undefined)).toBe('missing');
    expect(reasonOf('')).toBe('missing');
    expect(reasonOf('   ')).toBe('missing');
  });

  it('is malformed for other schemes, a bare scheme, or a token with illegal characters', () => {
    expect(reasonOf('Basic x')).toBe('malformed');
    expect(reasonOf('Token abc')).toBe('malformed');
    expect(reasonOf('Bearer')).toBe('malformed');
    expect(reasonOf('Bearer ')).toBe('malformed');
    expect(reasonOf('Bearerx')).toBe('malformed');
    expect(reasonOf('Bearer a b')).toBe('malformed');
    expect(reasonOf('Bearer a,b')).toBe('malformed');
    expect(reasonOf('abc.def.ghi')).toBe('malformed');
  });
});
