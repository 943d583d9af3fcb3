/**
 * Rule group 5.3, the review queue (`reconciler.md` R1–R8): PR polling and auto-merge, abandoned
 * and orphaned reviews, the review-off fast track, refinery claims and re-dispatch, refinery
 * clean-up and the approval nag. Called by `reconcile` after the bead rules; pure.
 */
import type { Action } from '../actions.ts';
import { isTerminalStatus, reason, rigOf } from '../mr-facts.ts';
import type { RuleContext } from '../types.ts';
import type { BeadState } from '../view.ts';
import { claimRules, fastTrackRules, type ReviewTick } from './review-queue.ts';

/**
 * R1–R8 in order. MRs a rule already moved this tick are skipped by the later rules, so the
 * group never emits two transitions for one MR.
 */
export function reviewRules(ctx: RuleContext): Action[] {
  const inProgress = ctx.view.beads('merge_request', ['in_progress']);
  const tick: ReviewTick = { touched: new Set<string>(), busyRigs: new Set<string>() };
  // A rig with an MR in review or in a direct merge (in_progress, no pr_url) claims nothing more (I5).
  for (const mr of inProgress) if (mr.rig_id !== null && prUrl(ctx, mr) === null) tick.busyRigs.add(mr.rig_id);
  return [
    ...pollRule(ctx, inProgress),
    ...abandonedRule(ctx, inProgress, tick),
    ...fastTrackRules(ctx, tick),
    ...orphanedReviewRule(ctx, inProgress, tick),
    ...claimRules(ctx, tick),
    ...refineryCleanupRule(ctx),
    ...approvalNagRule(ctx),
  ];
}

function prUrl(ctx: RuleContext, mr: BeadState): string | null {
  return ctx.view.review(mr.id)?.pr_url ?? null;
}

/** R1: poll PR-phase MRs (60 s; 5 min while awaiting approval); merge when auto-merge is pending. */
function pollRule(ctx: RuleContext, inProgress: BeadState[]): Action[] {
  const { view, now, t } = ctx;
  const out: Action[] = [];
  for (const mr of inProgress) {
    const review = view.review(mr.id);
    if (review === null || review.pr_url === null) continue;
    const interval = review.awaiting_approval ? t.PR_POLL_AWAITING_APPROVAL_MS : t.PR_POLL_INTERVAL_MS;
    if (review.last_poll_at === null || now - review.last_poll_at >= interval) out.push({ type: 'poll_pr', bead_id: mr.id });
    const codeReview = rigOf(view, mr)?.config.refinery.code_review ?? true;
    if (review.auto_merge_pending && !review.awaiting_approval && (!codeReview || review.reviewed_at !== null)) {
      out.push({ type: 'merge_pr', bead_id: mr.id });
    }
  }
  return out;
}

/** R2: an in-review MR (no pr_url) nobody holds for ≥ 2 min goes back to the queue. */
function abandonedRule(ctx: RuleContext, inProgress: BeadState[], tick: ReviewTick): Action[] {
  const { view, now, t } = ctx;
  const out: Action[] = [];
  for (const mr of inProgress) {
    if (prUrl(ctx, mr) !== null || view.holderOf(mr.id) !== null) continue;
    if (now - mr.status_changed_at < t.MR_ABANDONED_MS) continue;
    tick.touched.add(mr.id);
    out.push({ type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'open', reason: reason('mr_abandoned', 'review abandoned: no agent holds the merge request; re-queued') });
  }
  return out;
}

/**
 * R4: a PR-phase MR of a review-on rig never reviewed, with no live refinery for ≥ 30 min, fails
 * (the apply side reopens its source). Never while the PR awaits a human approval.
 */
function orphanedReviewRule(ctx: RuleContext, inProgress: BeadState[], tick: ReviewTick): Action[] {
  const { view, now, t } = ctx;
  const out: Action[] = [];
  for (const mr of inProgress) {
    if (tick.touched.has(mr.id)) continue;
    const review = view.review(mr.id);
    if (review === null || review.pr_url === null || review.reviewed_at !== null || review.awaiting_approval) continue;
    if (rigOf(view, mr)?.config.refinery.code_review !== true) continue;
    const holder = view.holderOf(mr.id);
    if (holder !== null && holder.role === 'refinery' && (holder.status === 'working' || holder.status === 'stalled')) continue;
    if (now - mr.status_changed_at < t.MR_REVIEW_ORPHAN_MS) continue;
    tick.touched.add(mr.id);
    out.push({ type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'failed', reason: reason('pr_review_orphaned', 'the PR was never reviewed: no refinery worked on it for 30 minutes') });
  }
  return out;
}

/** R7: a working/stalled refinery hooked to a terminal (or vanished) MR is stopped, unhooked and idled. */
function refineryCleanupRule(ctx: RuleContext): Action[] {
  const out: Action[] = [];
  for (const agent of ctx.view.agents()) {
    if (agent.role !== 'refinery' || agent.hooked_bead_id === null) continue;
    if (agent.status !== 'working' && agent.status !== 'stalled') continue;
    const mr = ctx.view.bead(agent.hooked_bead_id);
    if (mr !== null && !isTerminalStatus(mr.status)) continue;
    out.push(
      { type: 'stop_agent', agent_id: agent.id, reason: 'merge request finished' },
      { type: 'unhook', agent_id: agent.id, reason: 'merge_request_terminal' },
      { type: 'transition_agent', agent_id: agent.id, from: agent.status, to: 'idle', reason: reason('merge_request_terminal', 'its merge request is closed or failed') },
    );
  }
  return out;
}

/** R8: a live MR awaiting human approval for ≥ 24 h → one low escalation per approval episode. */
function approvalNagRule(ctx: RuleContext): Action[] {
  const { view, now, t } = ctx;
  const out: Action[] = [];
  for (const mr of view.beads('merge_request', ['open', 'in_progress'])) {
    const review = view.review(mr.id);
    const since = review?.awaiting_approval_since ?? null;
    if (review === null || !review.awaiting_approval || since === null || now - since < t.PR_APPROVAL_NAG_MS) continue;
    if (view.openEscalation('pr_awaiting_approval', mr.id) !== null) continue;
    if (view.escalationsFor(mr.id, 'pr_awaiting_approval').some((e) => e.created_at >= since)) continue;
    out.push({
      type: 'escalate',
      category: 'pr_awaiting_approval',
      severity: 'low',
      parent_bead_id: mr.id,
      title: `PR awaiting approval: ${mr.title}`,
      body: `${review.pr_url ?? 'The PR'} has waited for a human approval (branch protection) for over 24 hours.`,
    });
  }
  return out;
}
