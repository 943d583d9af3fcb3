/**
 * The town configuration defaults of `domain.md` §8, written once into a new town and used by
 * the merge patch when a field is reset with `null`. Read by the TownDO config module.
 */
import type { TownConfig } from '../../protocol/config.ts';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Defaults of every town config field (deeply frozen; copy before changing).
 * `merge_strategy` is null: §8 has no town default, each rig derives it from its `git_url`.
 */
export const DEFAULT_TOWN_CONFIG: TownConfig = deepFreeze({
  default_model: 'anthropic/claude-sonnet-4.6',
  small_model: 'anthropic/claude-haiku-4.5',
  role_models: { mayor: null, refinery: null, polecat: null },
  max_polecats_per_rig: 5,
  max_dispatch_attempts: 5,
  merge_strategy: null,
  refinery: {
    code_review: true,
    auto_merge: true,
    auto_resolve_pr_feedback: true,
    auto_resolve_merge_conflicts: true,
    review_mode: 'comments',
    auto_merge_delay_minutes: 5,
    gates: [],
  },
  staged_convoys_default: false,
  convoy_merge_mode: 'review-then-land',
  alarm: { active_interval_seconds: 5, idle_interval_seconds: 300 },
  custom_instructions: { mayor: '', polecat: '', refinery: '' },
  provider: null,
  env_vars: {},
  git_auth: {},
  github_cli_pat: null,
  github_api_url: null,
  git_author_name: null,
  git_author_email: null,
  disable_ai_coauthor: false,
});
