/**
 * The alarm cadence (`reconciler.md` §2): active while anything is moving, PR-watch while a PR
 * is polled, idle otherwise (a waiting mayor, PRs awaiting approval, staged convoys, beads in
 * backoff — no container calls). Deadline hints pull the alarm earlier, never sooner than the
 * active interval. Pure over the view.
 */
import type { TownView } from './view.ts';
import { dispatchBackoffMs, type Thresholds } from './constants.ts';

export type Cadence = 'active' | 'pr_watch' | 'idle';

export interface CadenceDecision {
  cadence: Cadence;
  /** Delay until the next alarm. */
  next_alarm_ms: number;
}

/** The town's intervals in ms, after the timing profile. */
export function intervals(view: TownView, t: Thresholds): { active: number; idle: number } {
  const alarm = view.config().alarm;
  return {
    active: Math.max(t.MIN_TICK_GAP_MS, Math.round((alarm.active_interval_seconds * 1000) / t.INTERVAL_DIVISOR)),
    idle: Math.max(t.MIN_TICK_GAP_MS, Math.round((alarm.idle_interval_seconds * 1000) / t.INTERVAL_DIVISOR)),
  };
}

function isActive(view: TownView, now: number, t: Thresholds): boolean {
  if (view.pendingEvents().count > 0) return true;
  if (view.drain().draining) return true;
  for (const a of view.agents()) {
    if (a.role === 'mayor' && a.status === 'working') return true;
    if (a.role !== 'mayor' && (a.status === 'working' || a.status === 'stalled')) return true;
    if (a.status === 'idle' && a.hooked_bead_id !== null) return true;
  }
  for (const rig of view.rigs()) {
    const ready = view.readyBeads(rig.id, 20);
    if (ready.some((b) => b.last_dispatch_attempt_at === null || now - b.last_dispatch_attempt_at >= dispatchBackoffMs(t, b.dispatch_attempts))) return true;
    const refinery = view.agents().find((a) => a.role === 'refinery' && a.rig_id === rig.id);
    const refineryFree = refinery === undefined || (refinery.status === 'idle' && refinery.hooked_bead_id === null);
    if (refineryFree) {
      const claimable = view
        .beads('merge_request', ['open'])
        .some((mr) => mr.rig_id === rig.id && view.openBlockers(mr.id).length === 0 && (rig.config.refinery.code_review || mr.labels.includes('gt:landing')));
      if (claimable) return true;
    }
  }
  return false;
}

function hasPolledPr(view: TownView): boolean {
  return view.beads('merge_request', ['in_progress']).some((mr) => {
    const review = view.review(mr.id);
    return review !== null && review.pr_url !== null && !review.awaiting_approval;
  });
}

/** The earliest future deadline a rule waits for (backoff expiry, auto-merge, stalled release, re-escalation). */
function earliestDeadline(view: TownView, now: number, t: Thresholds): number | null {
  const deadlines: number[] = [];
  for (const rig of view.rigs()) {
    for (const b of view.readyBeads(rig.id, 20)) {
      if (b.last_dispatch_attempt_at !== null) deadlines.push(b.last_dispatch_attempt_at + dispatchBackoffMs(t, b.dispatch_attempts));
    }
  }
  for (const a of view.agents()) if (a.status === 'stalled' && a.stalled_at !== null) deadlines.push(a.stalled_at + t.STALLED_RELEASE_MS);
  for (const e of view.openEscalations()) {
    if (!e.acknowledged && e.re_escalation_count < t.MAX_RE_ESCALATIONS && e.last_escalated_at !== null) deadlines.push(e.last_escalated_at + t.RE_ESCALATE_MS);
  }
  for (const mr of view.beads('merge_request', ['in_progress'])) {
    const review = view.review(mr.id);
    const delay = view.rig(mr.rig_id ?? '')?.config.refinery.auto_merge_delay_minutes;
    if (review?.auto_merge_ready_since != null && typeof delay === 'number') deadlines.push(review.auto_merge_ready_since + delay * 60_000);
  }
  const future = deadlines.filter((d) => d > now);
  return future.length === 0 ? null : Math.min(...future);
}

export function computeCadence(view: TownView, now: number, t: Thresholds): CadenceDecision {
  const { active, idle } = intervals(view, t);
  if (isActive(view, now, t)) return { cadence: 'active', next_alarm_ms: active };
  const base: CadenceDecision = hasPolledPr(view) ? { cadence: 'pr_watch', next_alarm_ms: Math.max(active, t.PR_POLL_INTERVAL_MS) } : { cadence: 'idle', next_alarm_ms: idle };
  const deadline = earliestDeadline(view, now, t);
  if (deadline !== null && deadline - now < base.next_alarm_ms) base.next_alarm_ms = Math.max(active, deadline - now);
  return base;
}
