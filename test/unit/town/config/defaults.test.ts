/**
 * `DEFAULT_TOWN_CONFIG` (`domain.md` §8): a valid full config holding the spec's defaults,
 * frozen so no caller can change it for everyone.
 */
import { describe, expect, it } from 'vitest';
import { TownConfig } from '../../../../src/protocol/config.ts';
import { DEFAULT_TOWN_CONFIG } from '../../../../src/town/config/defaults.ts';

describe('DEFAULT_TOWN_CONFIG', () => {
  it('is a valid full TownConfig', () => {
    expect(TownConfig.parse(DEFAULT_TOWN_CONFIG)).toEqual(DEFAULT_TOWN_CONFIG);
  });

  it.each([
    ['default_model', 'anthropic/claude-sonnet-4.6'],
    ['small_model', 'anthropic/claude-haiku-4.5'],
    ['max_polecats_per_rig', 5],
    ['max_dispatch_attempts', 5],
    ['merge_strategy', null],
    ['staged_convoys_default', false],
    ['convoy_merge_mode', 'review-then-land'],
    ['provider', null],
    ['github_cli_pat', null],
    ['disable_ai_coauthor', false],
  ] as const)('%s = %j', (field, value) => {
    expect(DEFAULT_TOWN_CONFIG[field]).toEqual(value);
  });

  it('holds the nested defaults', () => {
    expect(DEFAULT_TOWN_CONFIG.refinery).toEqual({
      code_review: true,
      auto_merge: true,
      auto_resolve_pr_feedback: true,
      auto_resolve_merge_conflicts: true,
      review_mode: 'comments',
      auto_merge_delay_minutes: 5,
      gates: [],
    });
    expect(DEFAULT_TOWN_CONFIG.alarm).toEqual({ active_interval_seconds: 5, idle_interval_seconds: 300 });
    expect(DEFAULT_TOWN_CONFIG.custom_instructions).toEqual({ mayor: '', polecat: '', refinery: '' });
    expect(DEFAULT_TOWN_CONFIG.env_vars).toEqual({});
    expect(DEFAULT_TOWN_CONFIG.git_auth).toEqual({});
  });

  it('is deeply frozen', () => {
    expect(Object.isFrozen(DEFAULT_TOWN_CONFIG)).toBe(true);
    expect(Object.isFrozen(DEFAULT_TOWN_CONFIG.refinery)).toBe(true);
    expect(Object.isFrozen(DEFAULT_TOWN_CONFIG.refinery.gates)).toBe(true);
  });
});
