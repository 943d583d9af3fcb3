/**
 * `checkInvariants(view, now, cfg)` (`reconciler.md` §7): what must hold after every tick.
 * Violations are reported and counted, never repaired here — a violation means a rule is
 * missing. Pure over the view.
 */
import type { ReconcileConfig } from './types.ts';
import type { TownView } from './view.ts';
import { intervals } from './cadence.ts';

export type InvariantId = 'I1' | 'I2' | 'I3' | 'I4' | 'I5' | 'I6' | 'I7' | 'I8' | 'I9' | 'I10';

export interface Violation {
  invariant: InvariantId;
  ids: string[];
  detail: string;
}

export function checkInvariants(view: TownView, now: number, cfg: ReconcileConfig): Violation[] {
  const t = cfg.thresholds;
  // "One tick": the town's active interval after the timing profile (as the cadence uses it).
  const tickMs = intervals(view, t).active;
  const out: Violation[] = [];
  const agents = view.agents();

  // I1: one agent per bead, and a hooked bead's assignee is its holder.
  const holders = new Map<string, string[]>();
  for (const a of agents) if (a.hooked_bead_id !== null) holders.set(a.hooked_bead_id, [...(holders.get(a.hooked_bead_id) ?? []), a.id]);
  for (const [beadId, ids] of holders) {
    if (ids.length > 1) out.push({ invariant: 'I1', ids: [beadId, ...ids], detail: `bead ${beadId} is hooked by ${ids.length} agents` });
    const bead = view.bead(beadId);
    const holder = ids[0];
    if (bead !== null && holder !== undefined && (bead.status === 'open' || bead.status === 'in_progress') && bead.assignee_agent_id !== holder) {
      out.push({ invariant: 'I1', ids: [beadId, holder], detail: `bead ${beadId} is hooked by ${holder} but assigned to ${bead.assignee_agent_id ?? 'nobody'}` });
    }
  }

  // I2: every working polecat holds a hook.
  for (const a of agents) {
    if (a.role === 'polecat' && a.status === 'working' && a.hooked_bead_id === null) out.push({ invariant: 'I2', ids: [a.id], detail: `polecat ${a.id} is working without a hook` });
  }

  // I3: every in_progress issue has a live holder, or just entered in_progress.
  for (const bead of view.beads('issue', ['in_progress'])) {
    if (now - bead.status_changed_at < t.STALE_IN_PROGRESS_MS + tickMs) continue;
    const holder = view.holderOf(bead.id);
    const live =
      holder !== null &&
      (holder.status === 'working' || holder.status === 'stalled' || (holder.last_heartbeat_at !== null && now - holder.last_heartbeat_at < t.HEARTBEAT_STALE_MS));
    if (!live) out.push({ invariant: 'I3', ids: [bead.id], detail: `issue ${bead.id} is in_progress with nobody working on it` });
  }

  // I4: every in_review issue has a live MR tracking it, or just entered in_review.
  for (const bead of view.beads('issue', ['in_review'])) {
    if (now - bead.status_changed_at < t.IN_REVIEW_SAFETY_NET_MS + tickMs) continue;
    const live = view.trackedBy(bead.id, 'merge_request').some((mr) => mr.status === 'open' || mr.status === 'in_progress');
    if (!live) out.push({ invariant: 'I4', ids: [bead.id], detail: `issue ${bead.id} is in_review without a live merge request` });
  }

  // I5: at most one in_progress MR without a pr_url per rig.
  const reviewing = new Map<string, string[]>();
  for (const mr of view.beads('merge_request', ['in_progress'])) {
    if (mr.rig_id === null || (view.review(mr.id)?.pr_url ?? null) !== null) continue;
    reviewing.set(mr.rig_id, [...(reviewing.get(mr.rig_id) ?? []), mr.id]);
  }
  for (const [rigId, ids] of reviewing) if (ids.length > 1) out.push({ invariant: 'I5', ids: [rigId, ...ids], detail: `rig ${rigId} has ${ids.length} merge requests in review` });

  // I6: one non-dead mayor per town, one non-dead refinery per rig.
  const mayors = agents.filter((a) => a.role === 'mayor');
  if (mayors.length > 1) out.push({ invariant: 'I6', ids: mayors.map((a) => a.id), detail: `${mayors.length} mayors` });
  const refineries = new Map<string, string[]>();
  for (const a of agents) if (a.role === 'refinery' && a.rig_id !== null) refineries.set(a.rig_id, [...(refineries.get(a.rig_id) ?? []), a.id]);
  for (const [rigId, ids] of refineries) if (ids.length > 1) out.push({ invariant: 'I6', ids: [rigId, ...ids], detail: `rig ${rigId} has ${ids.length} refineries` });

  // I7: convoy bead status mirrors its state; counters equal a recount.
  const mirror: Record<string, string> = { staged: 'open', open: 'open', landing: 'in_progress', landed: 'closed', failed: 'failed' };
  for (const convoy of view.convoys(['staged', 'open', 'landing', 'landed', 'failed'])) {
    const bead = view.bead(convoy.id);
    if (bead !== null && bead.status !== mirror[convoy.state]) out.push({ invariant: 'I7', ids: [convoy.id], detail: `convoy ${convoy.id} is ${convoy.state} but its bead is ${bead.status}` });
    const members = view.trackedBy(convoy.id, 'issue');
    const failed = members.filter((m) => m.status === 'failed').length;
    const closed = members.filter((m) => m.status === 'closed' && !view.trackedBy(m.id, 'merge_request').some((mr) => mr.status === 'open' || mr.status === 'in_progress')).length;
    if (convoy.total_beads !== members.length || convoy.failed_beads !== failed || convoy.closed_beads !== closed) {
      out.push({ invariant: 'I7', ids: [convoy.id], detail: `convoy ${convoy.id} counters ${convoy.total_beads}/${convoy.closed_beads}/${convoy.failed_beads} ≠ recount ${members.length}/${closed}/${failed}` });
    }
  }

  // I8: terminal beads have closed_at, others do not.
  const mismatched = view.closedAtMismatches();
  if (mismatched.length > 0) out.push({ invariant: 'I8', ids: mismatched, detail: `${mismatched.length} beads with closed_at inconsistent with their status` });

  // I9: no stuck pending event; no poison event left undead-lettered.
  const pending = view.pendingEvents();
  if (pending.oldest_created_at !== null && now - pending.oldest_created_at > t.EVENT_STUCK_MS) {
    out.push({ invariant: 'I9', ids: [], detail: `the oldest pending event is ${Math.round((now - pending.oldest_created_at) / 1000)} s old` });
  }
  const poison = view.poisonNotDeadLettered(t.EVENT_MAX_ATTEMPTS);
  if (poison.length > 0) out.push({ invariant: 'I9', ids: poison, detail: `${poison.length} events failed ${t.EVENT_MAX_ATTEMPTS} times without being dead-lettered` });

  // I10: busy polecats per rig within capacity.
  for (const rig of view.rigs()) {
    const busy = agents.filter((a) => a.role === 'polecat' && a.rig_id === rig.id && (a.hooked_bead_id !== null || a.status === 'working' || a.status === 'stalled'));
    if (busy.length > rig.config.max_polecats_per_rig) {
      out.push({ invariant: 'I10', ids: [rig.id], detail: `rig ${rig.id} has ${busy.length} busy polecats (max ${rig.config.max_polecats_per_rig})` });
    }
  }
  return out;
}
