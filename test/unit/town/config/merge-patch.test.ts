/**
 * Config merge patch (`domain.md` §8, `http-api.md` §3): objects merge, arrays replace, null
 * resets (town: default; rig: inherit), masked secrets keep the stored value, provider kind
 * changes replace the provider whole, and failures are `ValidationFailed` with issue paths.
 */
import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../../../src/errors.ts';
import type { RigConfig, RigConfigPatch, TownConfig, TownConfigPatch } from '../../../../src/protocol/config.ts';
import { DEFAULT_TOWN_CONFIG } from '../../../../src/town/config/defaults.ts';
import { maskTownConfig } from '../../../../src/town/config/mask.ts';
import { applyRigConfigPatch, applyTownConfigPatch } from '../../../../src/town/config/merge-patch.ts';

const STORED: TownConfig = {
  ...structuredClone(DEFAULT_TOWN_CONFIG),
  max_polecats_per_rig: 8,
  merge_strategy: 'pr',
  refinery: { ...DEFAULT_TOWN_CONFIG.refinery, code_review: false, gates: ['npm test', 'npm run lint'] },
  alarm: { active_interval_seconds: 10, idle_interval_seconds: 600 },
  provider: { kind: 'kilo', token: 'kilo-secret-token-0001', organization_id: 'org-1' },
  env_vars: { NPM_TOKEN: 'npm_secret_abcdef', SHORT: 'abc' },
  git_auth: { github_token: 'ghp_stored_token_9999', platform_integration_id: 'int-1' },
  github_cli_pat: 'github_pat_stored_7777',
  git_author_name: 'Dev',
};

type IssueLike = { path: (string | number)[]; code: string };

function issuesOf(fn: () => unknown): IssueLike[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationFailed);
    if (e instanceof ValidationFailed) {
      const issues = e.details?.issues;
      expect(Array.isArray(issues)).toBe(true);
      return Array.isArray(issues) ? issues : [];
    }
  }
  throw new Error('expected a ValidationFailed');
}

describe('applyTownConfigPatch', () => {
  it('round-trips the masked config: the stored secrets are unchanged', () => {
    const masked = maskTownConfig(STORED);
    expect(masked.provider).toMatchObject({ token: '****0001' });
    expect(applyTownConfigPatch(STORED, masked)).toEqual(STORED);
  });

  it('an empty patch changes nothing and the input is not mutated', () => {
    const before = structuredClone(STORED);
    const out = applyTownConfigPatch(STORED, { refinery: { gates: ['make check'] } });
    expect(STORED).toEqual(before);
    expect(applyTownConfigPatch(STORED, {})).toEqual(STORED);
    expect(out.refinery.gates).toEqual(['make check']);
  });

  it('objects merge: untouched siblings keep their values', () => {
    const out = applyTownConfigPatch(STORED, { refinery: { review_mode: 'rework' }, alarm: { active_interval_seconds: 3 } });
    expect(out.refinery).toEqual({ ...STORED.refinery, review_mode: 'rework' });
    expect(out.alarm).toEqual({ active_interval_seconds: 3, idle_interval_seconds: 600 });
  });

  it('arrays replace', () => {
    expect(applyTownConfigPatch(STORED, { refinery: { gates: ['cargo test'] } }).refinery.gates).toEqual(['cargo test']);
    expect(applyTownConfigPatch(STORED, { refinery: { gates: [] } }).refinery.gates).toEqual([]);
  });

  it.each<[string, TownConfigPatch, (c: TownConfig) => unknown, unknown]>([
    ['a scalar', { max_polecats_per_rig: null }, (c) => c.max_polecats_per_rig, 5],
    ['a nested scalar', { refinery: { code_review: null } }, (c) => c.refinery.code_review, true],
    ['an array', { refinery: { gates: null } }, (c) => c.refinery.gates, []],
    ['a whole object', { alarm: null }, (c) => c.alarm, { active_interval_seconds: 5, idle_interval_seconds: 300 }],
    ['a nullable field', { merge_strategy: null }, (c) => c.merge_strategy, null],
    ['the provider', { provider: null }, (c) => c.provider, null],
    ['all env vars', { env_vars: null }, (c) => c.env_vars, {}],
    ['one env var', { env_vars: { SHORT: null } }, (c) => c.env_vars, { NPM_TOKEN: 'npm_secret_abcdef' }],
    ['a git_auth key', { git_auth: { github_token: null } }, (c) => c.git_auth, { platform_integration_id: 'int-1' }],
    ['a secret', { github_cli_pat: null }, (c) => c.github_cli_pat, null],
    ['a provider option', { provider: { organization_id: null } }, (c) => c.provider, { kind: 'kilo', token: 'kilo-secret-token-0001' }],
  ])('null resets %s to its default', (_name, patch, pick, expected) => {
    expect(pick(applyTownConfigPatch(STORED, patch))).toEqual(expected);
  });

  it('a masked secret keeps the stored value; a new value replaces it', () => {
    const kept = applyTownConfigPatch(STORED, {
      github_cli_pat: '****7777',
      git_auth: { github_token: '****' },
      env_vars: { NPM_TOKEN: '****cdef', SHORT: '****', NEW_VAR: 'plain' },
      provider: { token: '****0001', organization_id: 'org-2' },
    });
    expect(kept.github_cli_pat).toBe(STORED.github_cli_pat);
    expect(kept.git_auth).toEqual(STORED.git_auth);
    expect(kept.env_vars).toEqual({ ...STORED.env_vars, NEW_VAR: 'plain' });
    expect(kept.provider).toEqual({ kind: 'kilo', token: 'kilo-secret-token-0001', organization_id: 'org-2' });
    expect(applyTownConfigPatch(STORED, { github_cli_pat: 'github_pat_new' }).github_cli_pat).toBe('github_pat_new');
  });

  it.each<[string, TownConfigPatch, (string | number)[]]>([
    ['env var new key', { env_vars: { NEW_VAR: '****abcd' } }, ['env_vars', 'NEW_VAR']],
    ['unset git token', { git_auth: { gitlab_token: '****' } }, ['git_auth', 'gitlab_token']],
    ['unset cli pat', { github_cli_pat: '****' }, ['github_cli_pat']],
  ])('a masked value with nothing stored is refused: %s', (_name, patch, path) => {
    const base: TownConfig = { ...STORED, github_cli_pat: null };
    expect(issuesOf(() => applyTownConfigPatch(base, patch))).toEqual([expect.objectContaining({ path, code: 'masked_secret_unknown' })]);
  });

  it('a provider kind change replaces the provider whole', () => {
    const out = applyTownConfigPatch(STORED, {
      provider: { kind: 'openai-compatible', id: 'vllm', base_url: 'https://llm.example.com/v1', api_key: 'sk-new-key-1234' },
    });
    expect(out.provider).toEqual({ kind: 'openai-compatible', id: 'vllm', base_url: 'https://llm.example.com/v1', api_key: 'sk-new-key-1234' });
  });

  it('a provider kind change drops the masked secret', () => {
    const patch: TownConfigPatch = { provider: { kind: 'openai-compatible', id: 'vllm', base_url: 'https://llm.example.com/v1', api_key: '****0001' } };
    expect(issuesOf(() => applyTownConfigPatch(STORED, patch))).toEqual([
      expect.objectContaining({ path: ['provider', 'api_key'], code: 'masked_secret_unknown' }),
    ]);
    const openai: TownConfig = { ...STORED, provider: { kind: 'openai-compatible', id: 'vllm', base_url: 'https://llm.example.com/v1', api_key: 'sk-1234567890' } };
    expect(issuesOf(() => applyTownConfigPatch(openai, { provider: { kind: 'kilo', token: '****7890' } }))).toEqual([
      expect.objectContaining({ path: ['provider', 'token'], code: 'masked_secret_unknown' }),
    ]);
  });

  it('the same kind sent again merges and keeps the masked secret', () => {
    const out = applyTownConfigPatch(STORED, { provider: { kind: 'kilo', token: '****0001' } });
    expect(out.provider).toEqual(STORED.provider);
  });

  it('re-validates the merged result with the full schema', () => {
    const bare: TownConfig = { ...STORED, provider: null };
    expect(issuesOf(() => applyTownConfigPatch(bare, { provider: { token: 'tok-123456789' } })).map((i) => i.path)).toEqual([
      ['provider', 'kind'],
    ]);
    expect(issuesOf(() => applyTownConfigPatch(STORED, { provider: { id: 'x' } })).map((i) => i.path)).toEqual([['provider']]);
  });

  it('refuses an invalid patch with zod issue paths', () => {
    const bad: unknown = { refinery: { gates: ['ok'], surprise: 1 }, alarm: { idle_interval_seconds: 10 } };
    // Deliberately untyped input: the function re-parses its patch.
    const issues = issuesOf(() => applyTownConfigPatch(STORED, bad as TownConfigPatch));
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      [['refinery'], 'unrecognized_keys'],
      [['alarm', 'idle_interval_seconds'], 'too_small'],
    ]);
  });
});

describe('applyRigConfigPatch', () => {
  const rig: RigConfig = {
    max_polecats_per_rig: 2,
    refinery: { code_review: false, gates: ['npm test'] },
    custom_instructions: { polecat: 'small commits' },
    git_push_flags: ['--atomic'],
  };

  it('objects merge, arrays replace', () => {
    const out = applyRigConfigPatch(rig, { refinery: { auto_merge: false, gates: ['make'] }, git_push_flags: ['--follow-tags'] });
    expect(out).toEqual({ ...rig, refinery: { code_review: false, auto_merge: false, gates: ['make'] }, git_push_flags: ['--follow-tags'] });
  });

  it('null removes the override so the rig inherits', () => {
    const out = applyRigConfigPatch(rig, { max_polecats_per_rig: null, refinery: { gates: null }, git_push_flags: null, custom_instructions: null });
    expect(out).toEqual({ refinery: { code_review: false } });
    expect('max_polecats_per_rig' in out).toBe(false);
  });

  it('adds overrides to an empty rig config', () => {
    expect(applyRigConfigPatch({}, { merge_strategy: 'direct', refinery: { review_mode: 'rework' } })).toEqual({
      merge_strategy: 'direct',
      refinery: { review_mode: 'rework' },
    });
  });

  it('reports issues below config', () => {
    const bad: unknown = { max_polecats_per_rig: 0, alarm: {} };
    const issues = issuesOf(() => applyRigConfigPatch(rig, bad as RigConfigPatch));
    expect(issues.map((i) => i.path)).toEqual([['config', 'max_polecats_per_rig'], ['config']]);
  });
});
