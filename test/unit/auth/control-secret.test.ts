/**
 * Tests of `src/auth/control-secret.ts`: the per-town control secret against an independent
 * HMAC, and the constant-time comparison.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { controlSecretFor, timingSafeEqualHex } from '../../../src/auth/control-secret.ts';

const SECRET = 'jwt-secret-for-tests';
const TOWN_A = '11111111-1111-4111-8111-111111111111';
const TOWN_B = '22222222-2222-4222-8222-222222222222';

describe('controlSecretFor', () => {
  it('is the lowercase hex HMAC-SHA256 of "gastown-control:" + townId', async () => {
    const expected = createHmac('sha256', SECRET).update(`gastown-control:${TOWN_A}`).digest('hex');
    const actual = await controlSecretFor(SECRET, TOWN_A);
    expect(actual).toBe(expected);
    expect(actual).toMatch(/^[0-9a-f]{64}$/);
  });

  it('matches a fixed known value', async () => {
    // Computed once with: printf 'gastown-control:<TOWN_A>' | openssl dgst -sha256 -hmac 'jwt-secret-for-tests'
    expect(await controlSecretFor(SECRET, TOWN_A)).toBe('bfd8a1cc74033ae8a3eca8a02f94439cf05a7a560d387fbceac67eaa13d8eaea');
  });

  it('differs per town and per secret', async () => {
    const a = await controlSecretFor(SECRET, TOWN_A);
    expect(await controlSecretFor(SECRET, TOWN_B)).not.toBe(a);
    expect(await controlSecretFor('another-secret', TOWN_A)).not.toBe(a);
    expect(await controlSecretFor(SECRET, TOWN_A)).toBe(a);
  });

  it('refuses an empty jwt secret', async () => {
    await expect(controlSecretFor('', TOWN_A)).rejects.toThrow('GASTOWN_JWT_SECRET is empty');
  });
});

describe('timingSafeEqualHex', () => {
  it('is true for equal strings', async () => {
    const s = await controlSecretFor(SECRET, TOWN_A);
    expect(await timingSafeEqualHex(s, `${s}`)).toBe(true);
    expect(await timingSafeEqualHex('', '')).toBe(true);
  });

  it('is false for different strings, lengths, or case', async () => {
    const s = await controlSecretFor(SECRET, TOWN_A);
    const flipped = `${s.slice(0, -1)}${s.endsWith('0') ? '1' : '0'}`;
    expect(await timingSafeEqualHex(s, flipped)).toBe(false);
    expect(await timingSafeEqualHex(s, s.slice(0, -1))).toBe(false);
    expect(await timingSafeEqualHex(s, '')).toBe(false);
    expect(await timingSafeEqualHex('abcdef', 'ABCDEF')).toBe(false);
    expect(await timingSafeEqualHex(s, await controlSecretFor(SECRET, TOWN_B))).toBe(false);
  });
});
