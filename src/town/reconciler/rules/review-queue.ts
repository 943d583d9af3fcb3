/**
 * The queue-moving part of rule group 5.3: R3 (review off: PR phase, `no_pr`, deterministic
 * direct merge), R5 (the refinery claims the first ready MR of its rig) and R6 (an idle refinery
 * still hooked to its MR is re-dispatched, or the MR fails at the cap). Called by `reviewRules`.
 */
import type { Action } from '../actions.ts';
import { isLandingMr, mrStrategy, reason, rigOf } from '../mr-facts.ts';
import { backoffElapsed } from './bead-dispatch.ts';
import { exhaustActions, isAtCap } from './release.ts';
import type { RuleContext } from '../types.ts';
import type { BeadState, RigState } from '../view.ts';

/** What the rules of one `reviewRules` call share: MRs already moved, rigs whose queue is busy. */
export interface ReviewTick {
  touched: Set<string>;
  busyRigs: Set<string>;
}

/**
 * Request id of a direct merge, `<bead_id>.<attempt>` (`RequestId` allows `[A-Za-z0-9._-]`): the
 * MR and the attempt this merge is. Deterministic, so a replayed tick asks for the same merge.
 */
export function mergeRequestId(mr: BeadState): string {
  return `${mr.id}.${mr.dispatch_attempts + 1}`;
}

/**
 * R3, rigs with `code_review` off (landing MRs excluded: they go through R5). An open MR with a
 * pr_url and no live blocker enters the PR phase; without one under `pr` it fails (`no_pr`);
 * under `direct` it is merged by the container (`git_merge`), one per rig at a time, with the
 * dispatch cap and backoff, and not while the container drains.
 */
export function fastTrackRules(ctx: RuleContext, tick: ReviewTick): Action[] {
  const { view, now, t } = ctx;
  const out: Action[] = [];
  for (const mr of view.beads('merge_request', ['open'])) {
    const rig = rigOf(view, mr);
    if (rig === null || rig.config.refinery.code_review || isLandingMr(mr) || tick.touched.has(mr.id)) continue;
    const review = view.review(mr.id);
    if (review !== null && review.pr_url !== null) {
      if (view.openBlockers(mr.id).length > 0) continue;
      tick.touched.add(mr.id);
      out.push({ type: 'transition_bead', bead_id: mr.id, from: 'open', to: 'in_progress', reason: reason('pr_phase', 'code review is off: the PR goes straight to polling') });
      continue;
    }
    if (mrStrategy(view, mr, rig) === 'pr') {
      tick.touched.add(mr.id);
      out.push({ type: 'transition_bead', bead_id: mr.id, from: 'open', to: 'failed', reason: reason('no_pr', 'merge strategy is pr but no pull request was opened') });
      continue;
    }
    if (ctx.draining || tick.busyRigs.has(rig.id) || view.openBlockers(mr.id).length > 0) continue;
    if (isAtCap(view, mr)) {
      tick.touched.add(mr.id);
      out.push(...exhaustActions(view, mr));
      continue;
    }
    if (!backoffElapsed(mr, now, t)) continue;
    tick.touched.add(mr.id);
    tick.busyRigs.add(rig.id);
    out.push(
      { type: 'transition_bead', bead_id: mr.id, from: 'open', to: 'in_progress', reason: reason('direct_merge', 'code review is off: merging directly') },
      { type: 'git_merge', bead_id: mr.id, request_id: mergeRequestId(mr) },
    );
  }
  return out;
}

/**
 * R5, per rig whose refinery is absent or idle and unhooked, and whose queue is not busy: the
 * first open MR without a live `blocks` dependency that needs the refinery (review on, or a
 * landing MR) is claimed and dispatched — or failed at the cap (then the next one is tried).
 * Dispatch is off while draining or while the breaker is open; failing at the cap is not.
 */
export function claimRules(ctx: RuleContext, tick: ReviewTick): Action[] {
  const { view } = ctx;
  const out: Action[] = [];
  const open = view.beads('merge_request', ['open']);
  const agents = view.agents();
  for (const rig of view.rigs()) {
    const refinery = agents.find((a) => a.role === 'refinery' && a.rig_id === rig.id) ?? null;
    if (refinery !== null && (refinery.status !== 'idle' || refinery.hooked_bead_id !== null)) continue;
    if (tick.busyRigs.has(rig.id)) continue;
    for (const mr of open) {
      if (mr.rig_id !== rig.id || tick.touched.has(mr.id) || !needsRefinery(rig, mr)) continue;
      if (view.openBlockers(mr.id).length > 0) continue;
      if (isAtCap(view, mr)) {
        tick.touched.add(mr.id);
        out.push(...exhaustActions(view, mr));
        continue;
      }
      if (ctx.draining || ctx.breakerOpen) break;
      tick.touched.add(mr.id);
      tick.busyRigs.add(rig.id);
      out.push(
        { type: 'transition_bead', bead_id: mr.id, from: 'open', to: 'in_progress', reason: reason('refinery_claimed', 'the refinery claimed the merge request') },
        { type: 'dispatch_agent', bead_id: mr.id, agent_id: null, role: 'refinery' },
      );
      break;
    }
  }
  return [...out, ...redispatchRule(ctx, tick)];
}

function needsRefinery(rig: RigState, mr: BeadState): boolean {
  return rig.config.refinery.code_review || isLandingMr(mr);
}

/**
 * R6: an idle refinery hooked to an `in_progress` MR, unless the PR awaits a human approval
 * (re-dispatching cannot get past branch protection and would burn attempts). At the cap the MR
 * fails (`review_exhausted`) and the refinery is unhooked; else after backoff it is re-dispatched.
 */
function redispatchRule(ctx: RuleContext, tick: ReviewTick): Action[] {
  const { view, now, t } = ctx;
  const out: Action[] = [];
  for (const agent of view.agents()) {
    if (agent.role !== 'refinery' || agent.status !== 'idle' || agent.hooked_bead_id === null) continue;
    const mr = view.bead(agent.hooked_bead_id);
    if (mr === null || mr.type !== 'merge_request' || mr.status !== 'in_progress' || tick.touched.has(mr.id)) continue;
    if (view.review(mr.id)?.awaiting_approval === true) continue;
    if (isAtCap(view, mr)) {
      tick.touched.add(mr.id);
      out.push(...exhaustActions(view, mr), { type: 'unhook', agent_id: agent.id, reason: 'review_exhausted' });
      continue;
    }
    if (ctx.draining || ctx.breakerOpen || !backoffElapsed(mr, now, t)) continue;
    tick.touched.add(mr.id);
    out.push({ type: 'dispatch_agent', bead_id: mr.id, agent_id: agent.id, role: 'refinery' });
  }
  return out;
}
