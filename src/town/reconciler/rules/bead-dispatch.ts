/**
 * The dispatching bead rules (`reconciler.md` §5.2 B1, B2): ready issues within each rig's
 * polecat capacity, and idle polecats already hooked to an open issue; both capped and backed
 * off. Rules only emit `dispatch_agent`; the agent is chosen when it is applied (§6).
 * Called by `beadRules` (beads.ts).
 */
import { dispatchBackoffMs, type Thresholds } from '../constants.ts';
import type { Action } from '../actions.ts';
import type { RuleContext } from '../types.ts';
import type { AgentState, BeadState, RigState } from '../view.ts';
import { exhaustActions, isAtCap } from './release.ts';

/** Whether the backoff after the bead's last dispatch attempt has fully elapsed. */
export function backoffElapsed(bead: BeadState, now: number, t: Thresholds): boolean {
  if (bead.last_dispatch_attempt_at === null) return true;
  return now - bead.last_dispatch_attempt_at >= dispatchBackoffMs(t, bead.dispatch_attempts);
}

/**
 * Busy polecats of a rig (`domain.md` §5, I10): non-dead polecats that hold a hook or are
 * `working`/`stalled`. Idle unhooked polecats are reusable and not counted.
 */
export function busyPolecats(agents: readonly AgentState[], rigId: string): number {
  return agents.filter((a) => a.role === 'polecat' && a.rig_id === rigId && a.status !== 'dead' && (a.hooked_bead_id !== null || a.status === 'working' || a.status === 'stalled')).length;
}

/**
 * B1 for every rig. Off while draining. Ready beads are read in dispatch order, page by page,
 * until the rig's free capacity is used: a bead at the cap is failed (and escalated) without
 * using capacity, one still in backoff is passed over, any other takes one slot. While the
 * breaker is open the slots are still counted (the scan stays bounded) but nothing is emitted.
 */
export function dispatchReady(ctx: RuleContext): Action[] {
  if (ctx.draining) return [];
  const agents = ctx.view.agents();
  return ctx.view.rigs().flatMap((rig) => dispatchRig(ctx, rig, rig.config.max_polecats_per_rig - busyPolecats(agents, rig.id)));
}

function dispatchRig(ctx: RuleContext, rig: RigState, freeSlots: number): Action[] {
  const out: Action[] = [];
  let free = freeSlots;
  let seen = 0;
  let limit = free;
  while (free > 0) {
    const page = ctx.view.readyBeads(rig.id, limit);
    for (const bead of page.slice(seen)) {
      if (free === 0) break;
      if (isAtCap(ctx.view, bead)) out.push(...exhaustActions(ctx.view, bead));
      else if (backoffElapsed(bead, ctx.now, ctx.t)) {
        free -= 1;
        if (!ctx.breakerOpen) out.push({ type: 'dispatch_agent', bead_id: bead.id, agent_id: null, role: 'polecat' });
      }
    }
    // A short page means the rig has no more ready beads; otherwise widen (the view is unchanged,
    // so the first `seen` rows repeat) by at least the slots still free, doubling each time.
    if (page.length < limit) break;
    seen = page.length;
    limit = seen + Math.max(seen, free);
  }
  return out;
}

/**
 * B2: an idle polecat hooked to an `open` issue → `dispatch_agent` with that agent once the
 * backoff elapsed; at the cap the issue fails (escalated) and the polecat lets go of it.
 * It already counts as busy, so it needs no capacity. Off while draining.
 */
export function dispatchHooked(ctx: RuleContext): Action[] {
  if (ctx.draining) return [];
  const out: Action[] = [];
  for (const agent of ctx.view.agents()) {
    if (agent.role !== 'polecat' || agent.status !== 'idle' || agent.hooked_bead_id === null) continue;
    const bead = ctx.view.bead(agent.hooked_bead_id);
    if (bead === null || bead.type !== 'issue' || bead.status !== 'open') continue;
    if (isAtCap(ctx.view, bead)) {
      out.push(...exhaustActions(ctx.view, bead), { type: 'unhook', agent_id: agent.id, reason: 'dispatch_exhausted' }, { type: 'clear_checkpoint', agent_id: agent.id });
    } else if (backoffElapsed(bead, ctx.now, ctx.t) && !ctx.breakerOpen) {
      out.push({ type: 'dispatch_agent', bead_id: bead.id, agent_id: agent.id, role: 'polecat' });
    }
  }
  return out;
}
