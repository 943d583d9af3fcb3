/**
 * Rule group 5.4, convoys (`reconciler.md` C1–C4): counter recount, one escalation per failed
 * member, landing (directly, or through a landing MR with cooldown, cap and the
 * awaiting-approval respawn guard) and the 24 h decision timeout. Called by `reconcile`; pure.
 */
import type { Action } from '../actions.ts';
import { isTerminalStatus, liveMrsOf, reason } from '../mr-facts.ts';
import type { RuleContext } from '../types.ts';
import type { BeadState, ConvoyState, TownView } from '../view.ts';
import { createLandingMr, landed, landingRules } from './convoy-landing.ts';

/** A convoy's counters recounted from its members (`domain.md` §6.3). */
export interface ConvoyRecount {
  members: BeadState[];
  total: number;
  closed: number;
  failed: number;
}

/** total = tracked issues; closed = closed members with no live MR; failed = failed members. */
export function recountConvoy(view: TownView, convoyId: string): ConvoyRecount {
  const members = view.trackedBy(convoyId, 'issue');
  const closed = members.filter((m) => m.status === 'closed' && liveMrsOf(view, m.id).length === 0).length;
  const failed = members.filter((m) => m.status === 'failed').length;
  return { members, total: members.length, closed, failed };
}

/** C1–C4 over every non-terminal convoy, in creation order. */
export function convoyRules(ctx: RuleContext): Action[] {
  const out: Action[] = [];
  for (const convoy of ctx.view.convoys(['staged', 'open', 'landing'])) {
    const count = recountConvoy(ctx.view, convoy.id);
    out.push(...recountRule(convoy, count), ...memberFailedRule(ctx, count));
    if (convoy.state === 'open') out.push(...landRule(ctx, convoy, count), ...decisionTimeoutRule(ctx, convoy, count));
    if (convoy.state === 'landing') out.push(...landingRules(ctx, convoy));
  }
  return out;
}

/** C1: stored counters differ from the recount → `update_convoy` + `convoy_progress`. */
function recountRule(convoy: ConvoyState, count: ConvoyRecount): Action[] {
  if (convoy.total_beads === count.total && convoy.closed_beads === count.closed && convoy.failed_beads === count.failed) return [];
  const data = { total: count.total, closed: count.closed, failed: count.failed };
  return [
    { type: 'update_convoy', convoy_id: convoy.id, patch: { total_beads: count.total, closed_beads: count.closed, failed_beads: count.failed } },
    { type: 'bead_event', bead_id: convoy.id, event_type: 'convoy_progress', data },
  ];
}

/** C2: a failed member with no `convoy_member_failed` escalation ever raised for it → one (high). */
function memberFailedRule(ctx: RuleContext, count: ConvoyRecount): Action[] {
  const out: Action[] = [];
  for (const member of count.members) {
    if (member.status !== 'failed' || ctx.view.escalationsFor(member.id, 'convoy_member_failed').length > 0) continue;
    out.push({
      type: 'escalate',
      category: 'convoy_member_failed',
      severity: 'high',
      parent_bead_id: member.id,
      title: `Convoy member failed: ${member.title}`,
      body: 'A failed member blocks its dependents. Retry it, remove it from the convoy, or cancel the convoy; without a decision in 24 hours the convoy fails.',
    });
  }
  return out;
}

/**
 * C3 for an `open` convoy: total > 0 and every member closed with no live MR. review-and-merge
 * (or a convoy without a feature branch) lands at once; review-then-land gets its landing MR.
 */
function landRule(ctx: RuleContext, convoy: ConvoyState, count: ConvoyRecount): Action[] {
  if (count.total === 0 || count.closed !== count.total) return [];
  if (convoy.merge_mode === 'review-and-merge' || convoy.feature_branch === null) {
    return landed(convoy, 'open', count, ctx.now);
  }
  const landing = createLandingMr(ctx, convoy, count.members);
  if (landing.length === 0) return [];
  return [...landing, { type: 'transition_bead', bead_id: convoy.id, from: 'open', to: 'in_progress', reason: reason('convoy_landing', 'every member closed: landing MR created') }];
}

/**
 * C4 for an `open` convoy: every member terminal, ≥ 1 failed, and the oldest member-failure
 * escalation is ≥ 24 h old → `failed` (`member_failed`) + a note to the mayor.
 */
function decisionTimeoutRule(ctx: RuleContext, convoy: ConvoyState, count: ConvoyRecount): Action[] {
  const { view, now, t } = ctx;
  if (count.failed === 0 || !count.members.every((m) => isTerminalStatus(m.status))) return [];
  const raised = count.members.filter((m) => m.status === 'failed').flatMap((m) => view.escalationsFor(m.id, 'convoy_member_failed').map((e) => e.created_at));
  if (raised.length === 0 || now - Math.min(...raised) < t.CONVOY_DECISION_MS) return [];
  return [
    { type: 'update_convoy', convoy_id: convoy.id, patch: { state: 'failed' } },
    { type: 'transition_bead', bead_id: convoy.id, from: 'open', to: 'failed', reason: reason('member_failed', 'a member failed and no decision was made within 24 hours') },
    {
      type: 'notify_mayor',
      subject: `Convoy failed: ${convoy.title}`,
      body: `Convoy "${convoy.title}" failed: ${count.failed} of ${count.total} members failed and nobody retried, removed them or cancelled the convoy within 24 hours.`,
      parent_bead_id: convoy.id,
    },
  ];
}
