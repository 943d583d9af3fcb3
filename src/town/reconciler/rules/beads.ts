/**
 * Rule group 5.2, beads (`reconciler.md` §5.2): the B0 dispatch breaker, B1/B2 dispatch
 * (bead-dispatch.ts), B3 stale `in_progress`, B4 the `in_review` safety net, B5 stray assignees.
 * Called by `reconcile` after the agent rules: `breakerOpen` first (it sets
 * `RuleContext.breakerOpen`), then `breakerActions` and `beadRules`.
 */
import type { Thresholds } from '../constants.ts';
import type { Action } from '../actions.ts';
import type { RuleContext } from '../types.ts';
import type { TownView } from '../view.ts';
import { a4ReleasesHeldIssue } from './agents.ts';
import { dispatchHooked, dispatchReady } from './bead-dispatch.ts';
import { heartbeatedRecently } from './liveness.ts';
import { releaseBead } from './release.ts';

/**
 * B0: open when ≥ `BREAKER_BEADS` non-terminal beads have ≥ `BREAKER_MIN_ATTEMPTS` dispatches,
 * the last within `BREAKER_WINDOW_MS` (an attempt exactly that long ago still counts).
 */
export function breakerOpen(view: TownView, now: number, t: Thresholds): boolean {
  return view.recentlyRetriedBeads(t.BREAKER_MIN_ATTEMPTS, now - t.BREAKER_WINDOW_MS) >= t.BREAKER_BEADS;
}

/**
 * B0's escalation: `escalate(circuit_breaker, high)` on every tick the breaker is open; applying
 * it bumps the one open escalation, so there is one per episode.
 */
export function breakerActions(view: TownView, now: number, t: Thresholds): Action[] {
  const count = view.recentlyRetriedBeads(t.BREAKER_MIN_ATTEMPTS, now - t.BREAKER_WINDOW_MS);
  if (count < t.BREAKER_BEADS) return [];
  return [
    {
      type: 'escalate',
      category: 'circuit_breaker',
      severity: 'high',
      parent_bead_id: null,
      title: 'Dispatch circuit breaker open',
      body: `${count} beads were re-dispatched at least ${t.BREAKER_MIN_ATTEMPTS} times in the last ${t.BREAKER_WINDOW_MS} ms; dispatch is paused until fewer than ${t.BREAKER_BEADS} are.`,
    },
  ];
}

/** B1, B2, B3, B4, B5 in that order (B1/B2 off while draining; no dispatch while the breaker is open). */
export function beadRules(ctx: RuleContext): Action[] {
  return [...dispatchReady(ctx), ...dispatchHooked(ctx), ...staleInProgress(ctx), ...inReviewSafetyNet(ctx), ...strayAssignees(ctx)];
}

/**
 * B3: an issue `in_progress` ≥ `STALE_IN_PROGRESS_MS` whose holder (if any) is neither
 * `working`/`stalled` nor heartbeated < `HEARTBEAT_STALE_MS` ago → `open` or `failed` at cap,
 * then the idle holder is unhooked. Beads A4 releases this tick are left to A4.
 */
function staleInProgress(ctx: RuleContext): Action[] {
  const out: Action[] = [];
  for (const bead of ctx.view.beads('issue', ['in_progress'])) {
    const age = ctx.now - bead.status_changed_at;
    if (age < ctx.t.STALE_IN_PROGRESS_MS) continue;
    const holder = ctx.view.holderOf(bead.id);
    if (holder !== null) {
      if (holder.status === 'working' || holder.status === 'stalled' || heartbeatedRecently(holder, ctx.now, ctx.t)) continue;
      if (a4ReleasesHeldIssue(holder, bead, ctx)) continue;
    }
    out.push(...releaseBead(ctx.view, bead, { code: 'stale_in_progress', message: `in_progress for ${age} ms without a live agent` }));
    if (holder !== null) out.push({ type: 'unhook', agent_id: holder.id, reason: 'stale_in_progress' });
  }
  return out;
}

/**
 * B4: an issue `in_review` ≥ `IN_REVIEW_SAFETY_NET_MS` with no `open`/`in_progress` MR tracking
 * it → `closed` if one of its MRs merged (`closed`), else back to `open`.
 */
function inReviewSafetyNet(ctx: RuleContext): Action[] {
  const out: Action[] = [];
  for (const bead of ctx.view.beads('issue', ['in_review'])) {
    const age = ctx.now - bead.status_changed_at;
    if (age < ctx.t.IN_REVIEW_SAFETY_NET_MS) continue;
    const mrs = ctx.view.trackedBy(bead.id, 'merge_request');
    if (mrs.some((mr) => mr.status === 'open' || mr.status === 'in_progress')) continue;
    const merged = mrs.some((mr) => mr.status === 'closed');
    out.push({
      type: 'transition_bead',
      bead_id: bead.id,
      from: 'in_review',
      to: merged ? 'closed' : 'open',
      reason: merged
        ? { code: 'mr_merged', message: 'a merge request for it merged' }
        : { code: 'no_live_mr', message: `in_review for ${age} ms with no live merge request` },
    });
  }
  return out;
}

/** B5: an `open` issue whose assignee (missing, dead, or hooked elsewhere) holds no hook on it. */
function strayAssignees(ctx: RuleContext): Action[] {
  const out: Action[] = [];
  for (const bead of ctx.view.assignedBeads('issue', ['open'])) {
    if (bead.assignee_agent_id === null) continue;
    const agent = ctx.view.agent(bead.assignee_agent_id);
    if (agent !== null && agent.status !== 'dead' && agent.hooked_bead_id === bead.id) continue;
    out.push({ type: 'clear_assignee', bead_id: bead.id });
  }
  return out;
}
