/**
 * Branch naming for rig agents (`domain.md` §6.2, `container.md` §9.2): `gt/<name-slug>/<bead8>`;
 * review-then-land convoy members `convoy/<slug>/<id8>/gt/<name-slug>/<bead8>` based on (and
 * targeting) the feature branch, merged `direct`; follow-ups reuse the parent MR's branch and
 * target; a bead evicted mid-work resumes on its saved WIP branch. Pure.
 */
import type { MergeStrategy } from '../../protocol/config.ts';
import { nameSlug } from '../agents/get-or-create.ts';
import { id8 } from '../context.ts';
import type { ConvoyState, FollowupContext, ReviewState } from '../reconciler/view.ts';

/** Labels of follow-up issues: they run on the parent MR's branch (`domain.md` §6.2). */
export const FOLLOWUP_LABELS: readonly string[] = ['gt:rework', 'gt:pr-feedback', 'gt:pr-conflict', 'gt:pr-fixup'];

/** Where a rig agent works and where its work goes. */
export interface Checkout {
  branch: string;
  base_branch?: string;
  target_branch: string;
  merge_strategy: MergeStrategy;
  pr_url?: string;
}

export interface PolecatBranchInput {
  agentName: string;
  bead: { id: string; labels: readonly string[]; followup_context: FollowupContext | null };
  convoy: Pick<ConvoyState, 'merge_mode' | 'feature_branch'> | null;
  defaultBranch: string;
  rigStrategy: MergeStrategy;
}

/** The polecat's branch, base and target for one issue. */
export function polecatCheckout(input: PolecatBranchInput): Checkout {
  const fc = input.bead.followup_context;
  const tail = `gt/${nameSlug(input.agentName) || 'polecat'}/${id8(input.bead.id)}`;
  const isFollowup = input.bead.labels.some((l) => FOLLOWUP_LABELS.includes(l));
  if (isFollowup && fc?.branch !== undefined && fc.branch.length > 0) {
    const target = fc.target_branch ?? input.defaultBranch;
    return {
      branch: fc.branch,
      base_branch: target,
      target_branch: target,
      merge_strategy: input.rigStrategy,
      ...(typeof fc.pr_url === 'string' && fc.pr_url.length > 0 ? { pr_url: fc.pr_url } : {}),
    };
  }
  const feature = input.convoy?.merge_mode === 'review-then-land' ? input.convoy.feature_branch : null;
  const evicted = fc?.eviction?.branch;
  if (feature !== null && feature !== undefined && feature.length > 0) {
    const prefix = feature.replace(/\/head$/, '');
    return { branch: evicted ?? `${prefix}/${tail}`, base_branch: feature, target_branch: feature, merge_strategy: 'direct' };
  }
  return { branch: evicted ?? tail, target_branch: input.defaultBranch, merge_strategy: input.rigStrategy };
}

/** The refinery's checkout of a merge request: its branch and target; convoy members merge `direct`. */
export function refineryCheckout(review: Pick<ReviewState, 'branch' | 'target_branch' | 'pr_url'>, defaultBranch: string, rigStrategy: MergeStrategy): Checkout | null {
  if (review.branch === null || review.branch.length === 0) return null;
  const target = review.target_branch ?? defaultBranch;
  const intoFeature = target !== defaultBranch && /^convoy\/.+\/head$/.test(target);
  return {
    branch: review.branch,
    base_branch: target,
    target_branch: target,
    merge_strategy: intoFeature ? 'direct' : rigStrategy,
    ...(review.pr_url === null ? {} : { pr_url: review.pr_url }),
  };
}
