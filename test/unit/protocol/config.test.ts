/**
 * The config wire schemas (`src/protocol/config.ts`): strictness with zod issue paths, every
 * range boundary, model/URL/provider rules, reserved env var names, and the patch/rig shapes.
 */
import { describe, expect, it } from 'vitest';
import {
  RESERVED_ENV_NAMES,
  RESERVED_ENV_PREFIXES,
  RigConfig,
  RigConfigPatch,
  TownConfig,
  TownConfigPatch,
  isReservedEnvName,
} from '../../../src/protocol/config.ts';
import { DEFAULT_TOWN_CONFIG } from '../../../src/town/config/defaults.ts';

function withField(patch: Record<string, unknown>): unknown {
  return { ...structuredClone(DEFAULT_TOWN_CONFIG), ...patch };
}

function issuePaths(input: unknown): PropertyKey[][] {
  const r = TownConfig.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.path);
}

describe('TownConfig strictness', () => {
  it('accepts the defaults', () => {
    expect(TownConfig.safeParse(DEFAULT_TOWN_CONFIG).success).toBe(true);
  });

  it.each([
    ['top level', { surprise: 1 }, []],
    ['role_models', { role_models: { mayor: null, refinery: null, polecat: null, titler: null } }, ['role_models']],
    ['refinery', { refinery: { ...DEFAULT_TOWN_CONFIG.refinery, extra: true } }, ['refinery']],
    ['alarm', { alarm: { active_interval_seconds: 5, idle_interval_seconds: 300, x: 1 } }, ['alarm']],
    ['git_auth', { git_auth: { github_token: 'ghp_x', ssh_key: 'k' } }, ['git_auth']],
    ['provider', { provider: { kind: 'kilo', token: 'tok', api_key: 'k' } }, ['provider']],
    ['git_push_flags is rig only', { git_push_flags: [] }, []],
  ])('rejects an unknown key: %s', (_name, patch, path) => {
    const r = TownConfig.safeParse(withField(patch));
    expect(r.success).toBe(false);
    const issue = r.error?.issues.find((i) => i.code === 'unrecognized_keys');
    expect(issue?.path).toEqual(path);
  });

  it('requires every field in the full form', () => {
    const { alarm: _alarm, ...rest } = structuredClone(DEFAULT_TOWN_CONFIG);
    expect(issuePaths(rest)).toEqual([['alarm']]);
  });
});

describe('TownConfig ranges', () => {
  const base = DEFAULT_TOWN_CONFIG;
  it.each([
    ['max_polecats_per_rig', 0, false],
    ['max_polecats_per_rig', 1, true],
    ['max_polecats_per_rig', 50, true],
    ['max_polecats_per_rig', 51, false],
    ['max_polecats_per_rig', 2.5, false],
    ['max_dispatch_attempts', 0, false],
    ['max_dispatch_attempts', 1, true],
    ['max_dispatch_attempts', 10, true],
    ['max_dispatch_attempts', 11, false],
  ])('%s = %s → valid %s', (field, value, ok) => {
    expect(TownConfig.safeParse(withField({ [field]: value })).success).toBe(ok);
  });

  it.each([
    ['active_interval_seconds', 1, false],
    ['active_interval_seconds', 2, true],
    ['active_interval_seconds', 60, true],
    ['active_interval_seconds', 61, false],
    ['idle_interval_seconds', 59, false],
    ['idle_interval_seconds', 60, true],
    ['idle_interval_seconds', 3600, true],
    ['idle_interval_seconds', 3601, false],
  ])('alarm.%s = %s → valid %s', (field, value, ok) => {
    const r = TownConfig.safeParse(withField({ alarm: { ...base.alarm, [field]: value } }));
    expect(r.success).toBe(ok);
    if (!ok) expect(r.error?.issues[0]?.path).toEqual(['alarm', field]);
  });

  it.each([
    [-1, false],
    [0, true],
    [1440, true],
    [1441, false],
    [null, true],
  ])('refinery.auto_merge_delay_minutes = %s → valid %s', (value, ok) => {
    expect(TownConfig.safeParse(withField({ refinery: { ...base.refinery, auto_merge_delay_minutes: value } })).success).toBe(ok);
  });

  it.each([
    [Array.from({ length: 10 }, () => 'npm test'), true],
    [Array.from({ length: 11 }, () => 'npm test'), false],
    [['x'.repeat(500)], true],
    [['x'.repeat(501)], false],
    [[''], false],
  ])('refinery.gates (%#) → valid %s', (gates, ok) => {
    expect(TownConfig.safeParse(withField({ refinery: { ...base.refinery, gates } })).success).toBe(ok);
  });

  it.each([
    ['x'.repeat(2000), true],
    ['x'.repeat(2001), false],
  ])('custom_instructions length %# → valid %s', (text, ok) => {
    const r = TownConfig.safeParse(withField({ custom_instructions: { ...base.custom_instructions, polecat: text } }));
    expect(r.success).toBe(ok);
  });

  it.each([
    ['x'.repeat(100), true],
    ['x'.repeat(101), false],
    ['', false],
  ])('git_author_name length %# → valid %s', (name, ok) => {
    expect(TownConfig.safeParse(withField({ git_author_name: name })).success).toBe(ok);
  });

  it.each([
    ['dev@example.com', true],
    ['not-an-email', false],
  ])('git_author_email %s → valid %s', (email, ok) => {
    expect(TownConfig.safeParse(withField({ git_author_email: email })).success).toBe(ok);
  });

  it('accepts merge_strategy null (derive per rig), direct and pr, nothing else', () => {
    for (const v of [null, 'direct', 'pr']) expect(TownConfig.safeParse(withField({ merge_strategy: v })).success).toBe(true);
    expect(TownConfig.safeParse(withField({ merge_strategy: 'squash' })).success).toBe(false);
  });
});

describe('model names', () => {
  it.each([
    ['anthropic/claude-sonnet-4.6', true],
    ['openrouter/meta/llama-3', true],
    [`a/${'x'.repeat(198)}`, true],
    [`a/${'x'.repeat(199)}`, false],
    ['claude', false],
    ['/claude', false],
    ['anthropic/', false],
    ['anthropic/claude sonnet', false],
    ['', false],
  ])('%s → valid %s', (model, ok) => {
    expect(TownConfig.safeParse(withField({ default_model: model })).success).toBe(ok);
    expect(TownConfig.safeParse(withField({ role_models: { mayor: model, refinery: null, polecat: null } })).success).toBe(ok);
  });
});

describe('provider', () => {
  const openai = { kind: 'openai-compatible', id: 'my-llm', base_url: 'https://llm.example.com/v1', api_key: 'sk-123456789' };
  it.each([
    ['kilo', { kind: 'kilo', token: 'kilo-token' }, true],
    ['kilo with org', { kind: 'kilo', token: 'kilo-token', organization_id: 'org-1' }, true],
    ['kilo without token', { kind: 'kilo' }, false],
    ['openai-compatible', openai, true],
    ['id local reserved', { ...openai, id: 'local' }, false],
    ['id uppercase', { ...openai, id: 'MyLLM' }, false],
    ['id 32 chars', { ...openai, id: 'a'.repeat(32) }, true],
    ['id 33 chars', { ...openai, id: 'a'.repeat(33) }, false],
    ['http loopback', { ...openai, base_url: 'http://127.0.0.1:8080/v1' }, true],
    ['http localhost', { ...openai, base_url: 'http://localhost:8080/v1' }, true],
    ['http remote', { ...openai, base_url: 'http://llm.example.com/v1' }, false],
    ['userinfo', { ...openai, base_url: 'https://u:p@llm.example.com/v1' }, false],
    ['not a url', { ...openai, base_url: 'llm.example.com' }, false],
    ['unknown kind', { kind: 'anthropic', token: 'x' }, false],
  ])('%s → valid %s', (_name, provider, ok) => {
    expect(TownConfig.safeParse(withField({ provider })).success).toBe(ok);
  });
});

describe('URLs', () => {
  it.each([
    ['https://ghe.example.com/api/v3', true],
    ['http://127.0.0.1:9000', true],
    ['http://ghe.example.com/api/v3', false],
    ['ftp://ghe.example.com', false],
    ['https://ghe.example.com/?q=1', false],
    ['https://ghe.example.com/\n', false],
  ])('github_api_url %j → valid %s', (url, ok) => {
    expect(TownConfig.safeParse(withField({ github_api_url: url })).success).toBe(ok);
    expect(TownConfig.safeParse(withField({ git_auth: { gitlab_instance_url: url } })).success).toBe(ok);
  });
});

describe('env_vars', () => {
  it.each([...RESERVED_ENV_NAMES, ...RESERVED_ENV_PREFIXES.map((p) => `${p}THING`)])('refuses reserved %s', (name) => {
    expect(isReservedEnvName(name)).toBe(true);
    const r = TownConfig.safeParse(withField({ env_vars: { [name]: 'v' } }));
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['env_vars', name]);
    expect(r.error?.issues[0]?.message).toContain('reserved');
  });

  it.each(['MY_VAR', '_PRIVATE', 'NPM_TOKEN', 'GIT_SSL_NO_VERIFY', 'KILOMETERS', 'HOMEDIR', 'PATHS'])('accepts %s', (name) => {
    expect(isReservedEnvName(name)).toBe(false);
    expect(TownConfig.safeParse(withField({ env_vars: { [name]: 'v' } })).success).toBe(true);
  });

  it.each(['lower', '1ABC', 'A-B', 'A B', ''])('refuses the malformed name %j', (name) => {
    const r = TownConfig.safeParse(withField({ env_vars: { [name]: 'v' } }));
    expect(r.error?.issues[0]?.path).toEqual(['env_vars', name]);
  });

  it('caps values at 4096 chars and keys at 50', () => {
    expect(TownConfig.safeParse(withField({ env_vars: { A: 'x'.repeat(4096) } })).success).toBe(true);
    expect(issuePaths(withField({ env_vars: { A: 'x'.repeat(4097) } }))).toEqual([['env_vars', 'A']]);
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`V${i}`, 'x']));
    expect(TownConfig.safeParse(withField({ env_vars: keys(50) })).success).toBe(true);
    expect(issuePaths(withField({ env_vars: keys(51) }))).toEqual([['env_vars']]);
  });
});

describe('patch and rig shapes', () => {
  it('TownConfigPatch: every field optional, null allowed, strict when nested', () => {
    expect(TownConfigPatch.safeParse({}).success).toBe(true);
    expect(TownConfigPatch.safeParse({ refinery: { gates: null }, provider: null, env_vars: { A: null } }).success).toBe(true);
    const r = TownConfigPatch.safeParse({ refinery: { gatez: [] } });
    expect(r.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', path: ['refinery'] });
    expect(TownConfigPatch.safeParse({ max_polecats_per_rig: 51 }).error?.issues[0]?.path).toEqual(['max_polecats_per_rig']);
    expect(TownConfigPatch.safeParse({ env_vars: { HOME: '/x' } }).error?.issues[0]?.path).toEqual(['env_vars', 'HOME']);
  });

  it('RigConfig: only the rig-settable fields plus git_push_flags', () => {
    expect(RigConfig.safeParse({}).success).toBe(true);
    expect(
      RigConfig.safeParse({
        max_polecats_per_rig: 3,
        merge_strategy: 'direct',
        refinery: { code_review: false, auto_merge_delay_minutes: null, gates: ['npm test'] },
        convoy_merge_mode: 'review-and-merge',
        custom_instructions: { polecat: 'be brief' },
        git_push_flags: ['--atomic'],
      }).success,
    ).toBe(true);
    for (const [input, path] of [
      [{ default_model: 'a/b' }, []],
      [{ alarm: {} }, []],
      [{ custom_instructions: { mayor: 'x' } }, ['custom_instructions']],
      [{ refinery: { code_review: true, extra: 1 } }, ['refinery']],
    ] as const) {
      expect(RigConfig.safeParse(input).error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', path });
    }
    expect(RigConfig.safeParse({ max_dispatch_attempts: 11 }).success).toBe(false);
  });

  it('RigConfigPatch accepts null for every override', () => {
    const r = RigConfigPatch.safeParse({ max_polecats_per_rig: null, refinery: { gates: null }, git_push_flags: null, custom_instructions: null });
    expect(r.success).toBe(true);
  });
});
