/**
 * Facts about merge requests and their follow-ups that the review rules (R1–R8), the convoy rules
 * (C1–C4) and the event handlers share: liveness, landing MRs, follow-up labels, source issues
 * and the effective merge strategy of one MR. Pure reads of a `TownView`.
 */
import type { BeadStatus } from '../../protocol/common.ts';
import type { MergeStrategy } from '../../protocol/config.ts';
import type { Reason } from './actions.ts';
import type { BeadState, RigState, TownView } from './view.ts';

/** The label of a convoy's landing MR (`domain.md` §6.2). */
export const LANDING_LABEL = 'gt:landing';

/** Labels of follow-up issues: they run on their parent MR's branch and end without a new MR. */
export const FOLLOWUP_LABELS: readonly string[] = ['gt:rework', 'gt:pr-feedback', 'gt:pr-conflict', 'gt:pr-fixup'];

/** An action reason `{code, message}`. */
export function reason(code: string, message: string): Reason {
  return { code, message };
}

/** `open` or `in_progress`: a merge request that can still merge. */
export function isLiveStatus(status: BeadStatus): boolean {
  return status === 'open' || status === 'in_progress';
}

/** `closed` or `failed`. */
export function isTerminalStatus(status: BeadStatus): boolean {
  return status === 'closed' || status === 'failed';
}

/** A convoy's landing MR (label `gt:landing`). */
export function isLandingMr(bead: BeadState): boolean {
  return bead.labels.includes(LANDING_LABEL);
}

/** A follow-up issue (`gt:rework`, `gt:pr-feedback`, `gt:pr-conflict`, `gt:pr-fixup`). */
export function isFollowUp(bead: BeadState): boolean {
  return bead.labels.some((l) => FOLLOWUP_LABELS.includes(l));
}

/** The bead's rig, or null when it has none or the rig is gone. */
export function rigOf(view: TownView, bead: BeadState): RigState | null {
  return bead.rig_id === null ? null : view.rig(bead.rig_id);
}

/** The issue an MR `tracks` (its source), or null (landing MRs track a convoy). */
export function sourceIssueOf(view: TownView, mrId: string): BeadState | null {
  return view.tracks(mrId).find((b) => b.type === 'issue') ?? null;
}

/** Live (`open`/`in_progress`) MRs tracking an issue. */
export function liveMrsOf(view: TownView, issueId: string): BeadState[] {
  return view.trackedBy(issueId, 'merge_request').filter((mr) => isLiveStatus(mr.status));
}

/**
 * The strategy an MR merges with (`scm.md` §3): members of a review-then-land convoy merge into
 * the feature branch as `direct` whatever the rig says; everything else (landing MRs included)
 * follows the rig's effective `merge_strategy`.
 */
export function mrStrategy(view: TownView, mr: BeadState, rig: RigState): MergeStrategy {
  const source = sourceIssueOf(view, mr.id);
  const convoy = source === null ? null : view.convoyOf(source.id);
  if (convoy !== null && convoy.merge_mode === 'review-then-land' && convoy.feature_branch !== null) return 'direct';
  return rig.config.merge_strategy;
}

/** Live follow-up issues of an MR (children), optionally with one label. */
export function liveFollowUpsOf(view: TownView, mrId: string, label?: string): BeadState[] {
  return view
    .children(mrId, 'issue')
    .filter((b) => !isTerminalStatus(b.status) && isFollowUp(b) && (label === undefined || b.labels.includes(label)));
}
