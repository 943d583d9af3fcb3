/**
 * Config checks beyond the schema (`domain.md` §8, `scm.md` §1/§3): development-only http URLs,
 * the rig push-flag allow-list with its issue path, and `pr` refused on a plain-git rig.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RigConfig, TownConfig } from '../../../../src/protocol/config.ts';
import { DEFAULT_TOWN_CONFIG } from '../../../../src/town/config/defaults.ts';
import { issuesFromZod, validateConfigForEnvironment, validateRigConfig } from '../../../../src/town/config/validate.ts';

function town(over: Partial<TownConfig>): TownConfig {
  return { ...structuredClone(DEFAULT_TOWN_CONFIG), ...over };
}

const LOOPBACK = town({
  github_api_url: 'http://127.0.0.1:9100/api/v3',
  git_auth: { gitlab_instance_url: 'http://127.0.0.1:9200' },
  provider: { kind: 'openai-compatible', id: 'dev', base_url: 'http://localhost:8080/v1', api_key: 'sk-dev-1234' },
});

describe('validateConfigForEnvironment', () => {
  it('accepts loopback http URLs in development', () => {
    expect(validateConfigForEnvironment(LOOPBACK, true)).toEqual([]);
  });

  it('refuses each loopback http URL outside development, at its path', () => {
    const issues = validateConfigForEnvironment(LOOPBACK, false);
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      [['git_auth', 'gitlab_instance_url'], 'development_only_url'],
      [['github_api_url'], 'development_only_url'],
      [['provider', 'base_url'], 'development_only_url'],
    ]);
  });

  it('accepts https URLs and absent URLs everywhere', () => {
    const cfg = town({
      github_api_url: 'https://ghe.example.com/api/v3',
      git_auth: { gitlab_instance_url: 'https://gitlab.example.com' },
      provider: { kind: 'kilo', token: 'tok' },
    });
    expect(validateConfigForEnvironment(cfg, false)).toEqual([]);
    expect(validateConfigForEnvironment(structuredClone(DEFAULT_TOWN_CONFIG), false)).toEqual([]);
  });
});

describe('validateRigConfig', () => {
  const townCfg = structuredClone(DEFAULT_TOWN_CONFIG);

  it.each<[string[], number | null]>([
    [['--atomic', '--follow-tags'], null],
    [[], null],
    [['--atomic', '--force'], 1],
    [['-f'], 0],
    [['--quiet', '--tags', '--no-verify'], 2],
    [['+main'], 0],
  ])('git_push_flags %j → bad index %s', (flags, index) => {
    const issues = validateRigConfig({ git_push_flags: flags }, 'https://github.com/o/r', townCfg, false);
    if (index === null) {
      expect(issues).toEqual([]);
    } else {
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ path: ['config', 'git_push_flags', index], code: 'invalid_push_flag' });
      expect(issues[0]?.message).not.toBe('');
    }
  });

  it.each<[string, string, TownConfig, boolean, boolean]>([
    ['github.com', 'https://github.com/o/r.git', townCfg, false, true],
    ['gitlab.com', 'https://gitlab.com/g/sub/r', townCfg, false, true],
    ['file://', 'file:///srv/repos/r', townCfg, true, false],
    ['unknown host', 'https://git.example.com/o/r', townCfg, false, false],
    ['GHE host', 'https://ghe.example.com/o/r', town({ github_api_url: 'https://ghe.example.com/api/v3' }), false, true],
    ['fake host in dev', 'http://127.0.0.1:9100/o/r', town({ github_api_url: 'http://127.0.0.1:9100/api/v3' }), true, true],
  ])('merge_strategy pr on %s → allowed %s', (_name, gitUrl, cfg, development, allowed) => {
    const issues = validateRigConfig({ merge_strategy: 'pr' }, gitUrl, cfg, development);
    expect(issues).toEqual(allowed ? [] : [expect.objectContaining({ path: ['config', 'merge_strategy'], code: 'pr_requires_scm_host' })]);
  });

  it('direct is fine on any rig, and both problems are reported together', () => {
    expect(validateRigConfig({ merge_strategy: 'direct' }, 'file:///srv/r', townCfg, true)).toEqual([]);
    const rig: RigConfig = { merge_strategy: 'pr', git_push_flags: ['--force-with-lease'] };
    expect(validateRigConfig(rig, 'file:///srv/r', townCfg, true).map((i) => i.path)).toEqual([
      ['config', 'git_push_flags', 0],
      ['config', 'merge_strategy'],
    ]);
  });
});

describe('issuesFromZod', () => {
  it('keeps the zod path and code, below the prefix', () => {
    const r = z.strictObject({ a: z.array(z.number()) }).safeParse({ a: [1, 'x'] });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(issuesFromZod(r.error, ['config'])).toEqual([
        { path: ['config', 'a', 1], code: 'invalid_type', message: expect.any(String) },
      ]);
    }
  });
});
