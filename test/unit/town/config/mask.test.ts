/**
 * Secret masking (`domain.md` §8): `****` + last 4 chars, every `SECRET_PATHS` entry masked in a
 * deep copy, and the masked-form recogniser used by PATCH.
 */
import { describe, expect, it } from 'vitest';
import type { TownConfig } from '../../../../src/protocol/config.ts';
import { DEFAULT_TOWN_CONFIG } from '../../../../src/town/config/defaults.ts';
import { SECRET_PATHS, isMaskedValue, isSecretPath, maskSecret, maskTownConfig } from '../../../../src/town/config/mask.ts';

function town(over: Partial<TownConfig>): TownConfig {
  return { ...structuredClone(DEFAULT_TOWN_CONFIG), ...over };
}

describe('maskSecret', () => {
  it.each([
    ['', '****'],
    ['abc', '****'],
    ['1234567', '****'],
    ['12345678', '****5678'],
    ['ghp_abcdefghijklmnop', '****mnop'],
  ])('%j → %j', (secret, masked) => {
    expect(maskSecret(secret)).toBe(masked);
    expect(isMaskedValue(masked)).toBe(true);
  });
});

describe('isMaskedValue', () => {
  it.each([
    ['****', true],
    ['****abcd', true],
    ['****ab', true],
    ['****abcde', false],
    ['***abcd', false],
    ['ghp_****', false],
    [null, false],
    [42, false],
  ])('%j → %s', (v, expected) => {
    expect(isMaskedValue(v)).toBe(expected);
  });
});

describe('isSecretPath', () => {
  it.each([
    [['provider', 'token'], true],
    [['provider', 'api_key'], true],
    [['provider', 'base_url'], false],
    [['git_auth', 'github_token'], true],
    [['git_auth', 'gitlab_instance_url'], false],
    [['github_cli_pat'], true],
    [['env_vars', 'ANY_NAME'], true],
    [['env_vars'], false],
    [['github_api_url'], false],
  ])('%j → %s', (path, expected) => {
    expect(isSecretPath(path)).toBe(expected);
  });
});

describe('maskTownConfig', () => {
  const cfg = town({
    provider: { kind: 'kilo', token: 'kilo-token-abcd1234', organization_id: 'org-12345678' },
    env_vars: { NPM_TOKEN: 'npm_secret_value', SHORT: 'abc', EMPTY: '' },
    git_auth: { github_token: 'ghp_0123456789', gitlab_token: 'glp-xyz', gitlab_instance_url: 'https://gitlab.example.com' },
    github_cli_pat: 'github_pat_ZZZZ9999',
    github_api_url: 'https://ghe.example.com/api/v3',
    git_author_name: 'Dev Person',
  });

  it('masks every secret and nothing else', () => {
    const masked = maskTownConfig(cfg);
    expect(masked.provider).toEqual({ kind: 'kilo', token: '****1234', organization_id: 'org-12345678' });
    expect(masked.env_vars).toEqual({ NPM_TOKEN: '****alue', SHORT: '****', EMPTY: '****' });
    expect(masked.git_auth).toEqual({ github_token: '****6789', gitlab_token: '****', gitlab_instance_url: 'https://gitlab.example.com' });
    expect(masked.github_cli_pat).toBe('****9999');
    expect(masked.github_api_url).toBe('https://ghe.example.com/api/v3');
    expect(masked.git_author_name).toBe('Dev Person');
    expect(masked.refinery).toEqual(cfg.refinery);
  });

  it('masks the api_key of an OpenAI-compatible provider', () => {
    const masked = maskTownConfig(
      town({ provider: { kind: 'openai-compatible', id: 'llm', base_url: 'https://llm.example.com/v1', api_key: 'sk-live-00001111' } }),
    );
    expect(masked.provider).toEqual({ kind: 'openai-compatible', id: 'llm', base_url: 'https://llm.example.com/v1', api_key: '****1111' });
  });

  it('returns a deep copy and leaves the input unchanged', () => {
    const before = structuredClone(cfg);
    const masked = maskTownConfig(cfg);
    expect(cfg).toEqual(before);
    expect(masked.refinery).not.toBe(cfg.refinery);
    expect(masked.refinery.gates).not.toBe(cfg.refinery.gates);
  });

  it('leaves absent and null secrets alone', () => {
    expect(maskTownConfig(structuredClone(DEFAULT_TOWN_CONFIG))).toEqual(DEFAULT_TOWN_CONFIG);
  });

  it('covers exactly the secret paths of domain.md §8', () => {
    expect(SECRET_PATHS.map((p) => p.join('.')).sort()).toEqual(
      ['env_vars.*', 'git_auth.github_token', 'git_auth.gitlab_token', 'github_cli_pat', 'provider.api_key', 'provider.token'],
    );
  });
});
