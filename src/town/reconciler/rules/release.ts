/**
 * "Open, or failed at the attempt cap" (`reconciler.md` §5.1 A3/A4, §5.2 B1–B3): the cap is the
 * rig's effective `max_dispatch_attempts`, and a bead failed at it raises the exhaustion
 * escalation. Pure helpers shared by the agent and bead rule groups.
 */
import type { Action, Reason } from '../actions.ts';
import type { BeadState, TownView } from '../view.ts';

/** The attempt cap of a bead's rig (`max_dispatch_attempts`, rig → town → default). */
export function attemptCap(view: TownView, rigId: string | null): number {
  const rig = rigId === null ? null : view.rig(rigId);
  return rig?.config.max_dispatch_attempts ?? view.config().max_dispatch_attempts;
}

/** Whether the bead has used every dispatch its rig allows. */
export function isAtCap(view: TownView, bead: BeadState): boolean {
  return bead.dispatch_attempts >= attemptCap(view, bead.rig_id);
}

/**
 * The bead → `failed` at the cap, plus its escalation: an issue `dispatch_exhausted` (medium),
 * a merge request `review_exhausted` (high, as R6). Compare-and-set on the current status.
 */
export function exhaustActions(view: TownView, bead: BeadState): Action[] {
  const cap = attemptCap(view, bead.rig_id);
  const isMr = bead.type === 'merge_request';
  const code = isMr ? 'review_exhausted' : 'dispatch_exhausted';
  const message = `${bead.dispatch_attempts} dispatch attempts used (cap ${cap})`;
  return [
    { type: 'transition_bead', bead_id: bead.id, from: bead.status, to: 'failed', reason: { code, message } },
    {
      type: 'escalate',
      category: code,
      severity: isMr ? 'high' : 'medium',
      parent_bead_id: bead.id,
      title: `${isMr ? 'Review' : 'Dispatch'} attempts exhausted: ${bead.title}`,
      body: `Bead ${bead.id} failed after ${message}. Retry it as a new bead or reset its attempts.`,
    },
  ];
}

/** The bead back to `open` with `reason`, or `failed` (with its escalation) at the cap. */
export function releaseBead(view: TownView, bead: BeadState, reason: Reason): Action[] {
  if (isAtCap(view, bead)) return exhaustActions(view, bead);
  return [{ type: 'transition_bead', bead_id: bead.id, from: bead.status, to: 'open', reason }];
}
