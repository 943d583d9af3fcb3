/**
 * A rig's effective settings (`domain.md` §8, `scm.md` §3): rig override → town config → default
 * for every rig-settable field, the merge strategy derived from the rig's host when neither sets
 * it. Called by dispatch, the refinery flow, convoy creation and the container config serializer.
 */
import type { MergeMode } from '../../protocol/common.ts';
import type { MergeStrategy, RefineryConfig, RigConfig, TownConfig } from '../../protocol/config.ts';
import { detectProvider } from '../scm/parse-repo-url.ts';

/** Every rig-settable (¹) field with its effective value, plus the rig-only push flags. */
export interface EffectiveRigConfig {
  max_polecats_per_rig: number;
  max_dispatch_attempts: number;
  merge_strategy: MergeStrategy;
  refinery: RefineryConfig;
  convoy_merge_mode: MergeMode;
  custom_instructions: { polecat: string; refinery: string };
  git_push_flags: string[];
}

/**
 * Resolves rig → town → default. `merge_strategy` = rig ?? town ?? (`pr` on a GitHub/GitLab host,
 * else `direct`), except that a rig whose host is `none` is always `direct`: it has no PR API, so
 * an inherited (or since-invalidated) `pr` could never merge. `auto_merge_delay_minutes: null` on
 * the rig is an override (never auto-merge), not an absence. Arrays are copies. Pure.
 */
export function effectiveRigConfig(town: TownConfig, rig: RigConfig, gitUrl: string, development: boolean): EffectiveRigConfig {
  const provider = detectProvider(gitUrl, {
    github_api_url: town.github_api_url,
    gitlab_instance_url: town.git_auth.gitlab_instance_url ?? null,
    development,
  });
  const chosen = rig.merge_strategy ?? town.merge_strategy ?? (provider === 'none' ? 'direct' : 'pr');
  const r = rig.refinery ?? {};
  const t = town.refinery;
  return {
    max_polecats_per_rig: rig.max_polecats_per_rig ?? town.max_polecats_per_rig,
    max_dispatch_attempts: rig.max_dispatch_attempts ?? town.max_dispatch_attempts,
    merge_strategy: provider === 'none' ? 'direct' : chosen,
    refinery: {
      code_review: r.code_review ?? t.code_review,
      auto_merge: r.auto_merge ?? t.auto_merge,
      auto_resolve_pr_feedback: r.auto_resolve_pr_feedback ?? t.auto_resolve_pr_feedback,
      auto_resolve_merge_conflicts: r.auto_resolve_merge_conflicts ?? t.auto_resolve_merge_conflicts,
      review_mode: r.review_mode ?? t.review_mode,
      auto_merge_delay_minutes: r.auto_merge_delay_minutes !== undefined ? r.auto_merge_delay_minutes : t.auto_merge_delay_minutes,
      gates: [...(r.gates ?? t.gates)],
    },
    convoy_merge_mode: rig.convoy_merge_mode ?? town.convoy_merge_mode,
    custom_instructions: {
      polecat: rig.custom_instructions?.polecat ?? town.custom_instructions.polecat,
      refinery: rig.custom_instructions?.refinery ?? town.custom_instructions.refinery,
    },
    git_push_flags: [...(rig.git_push_flags ?? [])],
  };
}
