/**
 * The bead state machine (`domain.md` §2 types table, §3.1, §3.2, §3.4 "Other beads"): which
 * status changes each bead type allows, as data, plus the lookup that enforces it.
 * Called by `transitionBead` before every status write; the tables are also read by tests.
 */
import { IllegalTransition } from '../../errors.ts';
import type { BeadStatus, BeadType } from '../../protocol/common.ts';

/** A legal `[from, to]` status pair. */
export type BeadTransition = readonly [from: BeadStatus, to: BeadStatus];

/** The statuses each bead type ever takes (`domain.md` §2, "statuses used"). */
export const BEAD_STATUSES_BY_TYPE: Readonly<Record<BeadType, ReadonlyArray<BeadStatus>>> = {
  issue: ['open', 'in_progress', 'in_review', 'closed', 'failed'],
  merge_request: ['open', 'in_progress', 'closed', 'failed'],
  convoy: ['open', 'in_progress', 'closed', 'failed'],
  escalation: ['open', 'closed'],
  message: ['open', 'closed', 'failed'],
  agent: ['open', 'closed'],
};

/** Every legal status change per bead type; a pair not listed is an `IllegalTransition`. */
export const BEAD_TRANSITIONS: Readonly<Record<BeadType, ReadonlyArray<BeadTransition>>> = {
  issue: [
    // dispatch applied (agent hooked and set working)
    ['open', 'in_progress'],
    // closed without work or cancelled; dispatch attempts exhausted, cancel as failed, rig deleted
    ['open', 'closed'],
    ['open', 'failed'],
    // polecat gt_done with a branch (MR created in the same apply)
    ['in_progress', 'in_review'],
    // gt_done on a follow-up or with no_changes
    ['in_progress', 'closed'],
    // exit/eviction without gt_done, stale recovery, stalled release, unhook
    ['in_progress', 'open'],
    // recovery with attempts exhausted; cancel
    ['in_progress', 'failed'],
    // a tracking MR merged; every tracking MR failed; cancel
    ['in_review', 'closed'],
    ['in_review', 'open'],
    ['in_review', 'failed'],
  ],
  merge_request: [
    // refinery claims it (R5); fast-track when review is off (R3)
    ['open', 'in_progress'],
    // pr strategy without a PR and review off; superseded; source cancelled; follow-up cap
    ['open', 'failed'],
    // refinery requested changes; review abandoned (R2)
    ['in_progress', 'open'],
    // refinery gt_done under direct strategy; PR merged
    ['in_progress', 'closed'],
    // PR closed unmerged, poll failure, review attempts exhausted, orphaned review, …
    ['in_progress', 'failed'],
  ],
  convoy: [
    // mirrors convoy_metadata.state: open → landing
    ['open', 'in_progress'],
    // open → landed (review-and-merge); landing → landed (landing MR merged)
    ['open', 'closed'],
    ['in_progress', 'closed'],
    // open → failed (C4, close = cancel); landing → failed (attempts exhausted, cancel)
    ['open', 'failed'],
    ['in_progress', 'failed'],
  ],
  escalation: [
    // acknowledged
    ['open', 'closed'],
  ],
  message: [
    // delivered; recipient is dead
    ['open', 'closed'],
    ['open', 'failed'],
  ],
  agent: [
    // the agent became dead
    ['open', 'closed'],
  ],
};

/** `closed` and `failed` are terminal and immutable (`domain.md` §3). */
export const TERMINAL_BEAD_STATUSES: ReadonlyArray<BeadStatus> = ['closed', 'failed'];

/** Whether a bead in `status` can never change again. */
export function isTerminalBead(status: BeadStatus): boolean {
  return TERMINAL_BEAD_STATUSES.includes(status);
}

/**
 * Checks a bead status change: `'noop'` when `from === to`, `'ok'` for a listed pair.
 * Throws `IllegalTransition('bead', id, from, to)` for anything else, including leaving a
 * terminal status and any status the type never uses (even as a same-state write).
 */
export function checkBeadTransition(type: BeadType, id: string, from: BeadStatus, to: BeadStatus): 'noop' | 'ok' {
  const used = BEAD_STATUSES_BY_TYPE[type];
  if (!used.includes(from) || !used.includes(to)) throw new IllegalTransition('bead', id, from, to);
  if (from === to) return 'noop';
  if (isTerminalBead(from)) throw new IllegalTransition('bead', id, from, to);
  if (BEAD_TRANSITIONS[type].some(([f, t]) => f === from && t === to)) return 'ok';
  throw new IllegalTransition('bead', id, from, to);
}
