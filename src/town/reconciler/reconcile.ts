/**
 * `reconcile(view, now, cfg) → Action[]` (`reconciler.md` §5): the gates (drain, breaker), then
 * the rule groups in section order. Pure: it reads the view and returns actions.
 */
import type { Action } from './actions.ts';
import type { ReconcileConfig, RuleContext } from './types.ts';
import type { TownView } from './view.ts';
import { agentRules } from './rules/agents.ts';
import { beadRules, breakerActions, breakerOpen } from './rules/beads.ts';
import { reviewRules } from './rules/review.ts';
import { convoyRules } from './rules/convoys.ts';
import { guppRules } from './rules/gupp.ts';
import { messageRules } from './rules/messages.ts';
import { escalationRules } from './rules/escalations.ts';
import { gcRules } from './rules/gc.ts';

/** Whether the container drain pauses dispatch, reaping and GUPP (at most DRAIN_MAX_MS). */
export function isDraining(view: TownView, now: number, cfg: ReconcileConfig): boolean {
  const drain = view.drain();
  if (!drain.draining) return false;
  return drain.drain_started_at === null || now - drain.drain_started_at < cfg.thresholds.DRAIN_MAX_MS;
}

export interface ReconcileResult {
  actions: Action[];
  breaker_open: boolean;
}

export function reconcileWithGates(view: TownView, now: number, cfg: ReconcileConfig): ReconcileResult {
  const t = cfg.thresholds;
  const open = breakerOpen(view, now, t);
  const ctx: RuleContext = { view, now, t, draining: isDraining(view, now, cfg), breakerOpen: open };
  const actions: Action[] = [
    ...breakerActions(view, now, t),
    ...agentRules(ctx),
    ...beadRules(ctx),
    ...reviewRules(ctx),
    ...convoyRules(ctx),
    ...guppRules(ctx),
    ...messageRules(ctx),
    ...escalationRules(ctx),
    ...gcRules(ctx),
  ];
  return { actions, breaker_open: open };
}

/** The rule actions for this tick, in section order. */
export function reconcile(view: TownView, now: number, cfg: ReconcileConfig): Action[] {
  return reconcileWithGates(view, now, cfg).actions;
}
