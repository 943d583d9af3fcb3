/**
 * A rig's effective config (`domain.md` §8, `scm.md` §3): rig overrides win, everything else is
 * inherited from the town, and the merge strategy is derived from the rig's host when unset.
 */
import { describe, expect, it } from 'vitest';
import type { MergeStrategy, RigConfig, TownConfig } from '../../../../src/protocol/config.ts';
import { DEFAULT_TOWN_CONFIG } from '../../../../src/town/config/defaults.ts';
import { effectiveRigConfig } from '../../../../src/town/config/effective.ts';

const TOWN: TownConfig = {
  ...structuredClone(DEFAULT_TOWN_CONFIG),
  max_polecats_per_rig: 7,
  refinery: { ...DEFAULT_TOWN_CONFIG.refinery, review_mode: 'rework', gates: ['npm test'] },
  custom_instructions: { mayor: 'mayor text', polecat: 'town polecat', refinery: 'town refinery' },
  convoy_merge_mode: 'review-and-merge',
};

const GITHUB = 'https://github.com/acme/app.git';

describe('effectiveRigConfig', () => {
  it('inherits every field from the town when the rig sets nothing', () => {
    expect(effectiveRigConfig(TOWN, {}, GITHUB, false)).toEqual({
      max_polecats_per_rig: 7,
      max_dispatch_attempts: 5,
      merge_strategy: 'pr',
      refinery: TOWN.refinery,
      convoy_merge_mode: 'review-and-merge',
      custom_instructions: { polecat: 'town polecat', refinery: 'town refinery' },
      git_push_flags: [],
    });
  });

  it('rig overrides win, field by field', () => {
    const rig: RigConfig = {
      max_polecats_per_rig: 2,
      max_dispatch_attempts: 9,
      merge_strategy: 'direct',
      refinery: { code_review: false, gates: [], auto_merge_delay_minutes: null },
      convoy_merge_mode: 'review-then-land',
      custom_instructions: { refinery: '' },
      git_push_flags: ['--atomic'],
    };
    const eff = effectiveRigConfig(TOWN, rig, GITHUB, false);
    expect(eff).toEqual({
      max_polecats_per_rig: 2,
      max_dispatch_attempts: 9,
      merge_strategy: 'direct',
      refinery: { ...TOWN.refinery, code_review: false, gates: [], auto_merge_delay_minutes: null },
      convoy_merge_mode: 'review-then-land',
      custom_instructions: { polecat: 'town polecat', refinery: '' },
      git_push_flags: ['--atomic'],
    });
  });

  it('returns copies of arrays', () => {
    const rig: RigConfig = { git_push_flags: ['--atomic'] };
    const eff = effectiveRigConfig(TOWN, rig, GITHUB, false);
    expect(eff.refinery.gates).not.toBe(TOWN.refinery.gates);
    expect(eff.git_push_flags).not.toBe(rig.git_push_flags);
  });

  it.each<[string, string, Partial<TownConfig>, boolean, MergeStrategy]>([
    ['github.com', 'https://github.com/acme/app', {}, false, 'pr'],
    ['gitlab.com', 'https://gitlab.com/group/sub/app.git', {}, false, 'pr'],
    ['file://', 'file:///srv/repos/app', {}, true, 'direct'],
    ['unknown host', 'https://git.example.com/acme/app', {}, false, 'direct'],
    ['self-managed GitLab', 'https://gitlab.acme.dev/team/app', { git_auth: { gitlab_instance_url: 'https://gitlab.acme.dev' } }, false, 'pr'],
    ['fake GitHub in dev', 'http://127.0.0.1:9100/acme/app', { github_api_url: 'http://127.0.0.1:9100/api/v3' }, true, 'pr'],
  ])('derives the merge strategy for %s', (_name, gitUrl, over, development, expected) => {
    expect(effectiveRigConfig({ ...TOWN, ...over }, {}, gitUrl, development).merge_strategy).toBe(expected);
  });

  it.each<[string, MergeStrategy | null, MergeStrategy | undefined, string, MergeStrategy]>([
    ['town direct beats derivation', 'direct', undefined, GITHUB, 'direct'],
    ['rig pr beats town direct', 'direct', 'pr', GITHUB, 'pr'],
    ['rig direct beats town pr', 'pr', 'direct', GITHUB, 'direct'],
    ['town pr on a plain-git rig stays direct', 'pr', undefined, 'file:///srv/app', 'direct'],
    ['a stale rig pr on a plain-git rig stays direct', null, 'pr', 'https://git.example.com/a/b', 'direct'],
  ])('%s', (_name, townStrategy, rigStrategy, gitUrl, expected) => {
    const rig: RigConfig = rigStrategy === undefined ? {} : { merge_strategy: rigStrategy };
    expect(effectiveRigConfig({ ...TOWN, merge_strategy: townStrategy }, rig, gitUrl, true).merge_strategy).toBe(expected);
  });
});
