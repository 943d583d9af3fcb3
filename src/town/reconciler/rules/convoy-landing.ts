/**
 * C3's landing half (`reconciler.md` §5.4): creating a convoy's landing MR, landing a convoy, and
 * the `landing` state — wait on a live landing MR, land when one merged, never respawn over a PR
 * that awaited approval, fail at the attempt cap, else respawn after the cooldown. Called by `convoyRules`.
 */
import type { Action } from '../actions.ts';
import { landingCooldownMs } from '../constants.ts';
import { isLandingMr, isLiveStatus, reason } from '../mr-facts.ts';
import type { RuleContext } from '../types.ts';
import type { BeadState, ConvoyState } from '../view.ts';

/**
 * The landing MR (feature branch → the rig's default branch, label `gt:landing`, `tracks` the
 * convoy) plus the convoy's `landing` state and attempt bookkeeping. Empty when the members' rig
 * is unknown (nothing to land on).
 */
export function createLandingMr(ctx: RuleContext, convoy: ConvoyState, members: BeadState[]): Action[] {
  const rigId = members.find((m) => m.rig_id !== null)?.rig_id ?? null;
  const rig = rigId === null ? null : ctx.view.rig(rigId);
  if (rig === null) return [];
  return [
    {
      type: 'create_bead',
      fields: {
        type: 'merge_request',
        title: `Land convoy: ${convoy.title}`,
        body: `Merge the feature branch ${convoy.feature_branch ?? ''} of convoy "${convoy.title}" into ${rig.default_branch}.`,
        rig_id: rig.id,
        labels: ['gt:landing'],
        review: { branch: convoy.feature_branch, target_branch: rig.default_branch, pr_url: null },
      },
      edges: [{ type: 'tracks', direction: 'out', bead_id: convoy.id }],
    },
    { type: 'update_convoy', convoy_id: convoy.id, patch: { state: 'landing', landing_mr_attempts: convoy.landing_mr_attempts + 1, last_landing_mr_attempt_at: ctx.now } },
  ];
}

/** Convoy → `landed` (bead `closed`), a `convoy_landed` event and a note to the mayor. */
export function landed(convoy: ConvoyState, from: 'open' | 'in_progress', count: { total: number; closed: number; failed: number }, now: number): Action[] {
  return [
    { type: 'update_convoy', convoy_id: convoy.id, patch: { state: 'landed', landed_at: now } },
    { type: 'transition_bead', bead_id: convoy.id, from, to: 'closed', reason: reason('convoy_landed', 'every member landed') },
    { type: 'bead_event', bead_id: convoy.id, event_type: 'convoy_landed', data: { total: count.total, closed: count.closed, failed: count.failed } },
    { type: 'notify_mayor', subject: `Convoy landed: ${convoy.title}`, body: `All ${count.total} members of convoy "${convoy.title}" have landed.`, parent_bead_id: convoy.id },
  ];
}

/**
 * A convoy in `landing`: a live landing MR → wait; a merged one → `landed`; the latest failed one
 * awaited approval → no respawn (`respawn_suppressed` metric + one `pr_awaiting_approval`
 * escalation); attempts ≥ cap → `failed` (`landing_exhausted`) + escalation; else after
 * `landingCooldownMs(attempts)` → a new landing MR.
 */
export function landingRules(ctx: RuleContext, convoy: ConvoyState): Action[] {
  const { view, now, t } = ctx;
  const landingMrs = view.trackedBy(convoy.id, 'merge_request').filter(isLandingMr);
  if (landingMrs.some((mr) => isLiveStatus(mr.status))) return [];
  const members = view.trackedBy(convoy.id, 'issue');
  const count = { total: members.length, closed: members.filter((m) => m.status === 'closed').length, failed: members.filter((m) => m.status === 'failed').length };
  if (landingMrs.some((mr) => mr.status === 'closed')) return landed(convoy, 'in_progress', count, now);

  const latest = latestFailed(landingMrs);
  if (latest !== null && view.review(latest.id)?.awaiting_approval === true) {
    if (view.escalationsFor(latest.id, 'pr_awaiting_approval').length > 0) return [];
    return [
      { type: 'record_metric', name: 'respawn_suppressed', data: { convoy_id: convoy.id, bead_id: latest.id } },
      {
        type: 'escalate',
        category: 'pr_awaiting_approval',
        severity: 'low',
        parent_bead_id: latest.id,
        title: `Convoy landing awaits approval: ${convoy.title}`,
        body: `The landing PR of convoy "${convoy.title}" waits for a human approval; no new landing MR is created until a human acts.`,
      },
    ];
  }
  if (convoy.landing_mr_attempts >= t.LANDING_MR_MAX_ATTEMPTS) {
    return [
      { type: 'update_convoy', convoy_id: convoy.id, patch: { state: 'failed' } },
      { type: 'transition_bead', bead_id: convoy.id, from: 'in_progress', to: 'failed', reason: reason('landing_exhausted', `${convoy.landing_mr_attempts} landing attempts failed`) },
      {
        type: 'escalate',
        category: 'landing_exhausted',
        severity: 'high',
        parent_bead_id: convoy.id,
        title: `Convoy landing exhausted: ${convoy.title}`,
        body: `Convoy "${convoy.title}" could not land after ${convoy.landing_mr_attempts} landing MRs; the convoy failed.`,
      },
    ];
  }
  const last = convoy.last_landing_mr_attempt_at;
  if (last !== null && now - last < landingCooldownMs(t, convoy.landing_mr_attempts)) return [];
  return createLandingMr(ctx, convoy, members);
}

/** The most recently failed MR (by status change, then creation), or null. */
function latestFailed(mrs: BeadState[]): BeadState | null {
  let latest: BeadState | null = null;
  for (const mr of mrs) {
    if (mr.status !== 'failed') continue;
    if (latest === null || mr.status_changed_at > latest.status_changed_at || (mr.status_changed_at === latest.status_changed_at && mr.created_at > latest.created_at)) latest = mr;
  }
  return latest;
}
