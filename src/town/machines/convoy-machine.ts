/**
 * The convoy state machine (`domain.md` §3.4, `convoy_metadata.state` = the API's
 * `Convoy.status`): legal changes as data, the lookup that enforces them, and the bead status
 * each state mirrors. Called by the convoy module and the reconciler's convoy rules (C3, C4).
 */
import { IllegalTransition } from '../../errors.ts';
import type { BeadStatus, ConvoyStatus } from '../../protocol/common.ts';

/** A legal `[from, to]` state pair. */
export type ConvoyTransition = readonly [from: ConvoyStatus, to: ConvoyStatus];

/** Every legal convoy state change; a pair not listed is an `IllegalTransition`. */
export const CONVOY_TRANSITIONS: ReadonlyArray<ConvoyTransition> = [
  // start (mayor gt_convoy_start, user)
  ['staged', 'open'],
  // every member closed: review-then-land creates the landing MR; review-and-merge lands directly (C3)
  ['open', 'landing'],
  ['open', 'landed'],
  // landing MR merged
  ['landing', 'landed'],
  // landing MR attempts exhausted (C3); close = cancel
  ['landing', 'failed'],
  // members terminal with ≥ 1 failed and no decision for 24 h (C4); close = cancel
  ['open', 'failed'],
  // close = cancel
  ['staged', 'failed'],
];

/** `landed` and `failed` are terminal. */
export const TERMINAL_CONVOY_STATES: ReadonlyArray<ConvoyStatus> = ['landed', 'failed'];

/** The bead status that mirrors each convoy state. */
export const CONVOY_BEAD_STATUS: Readonly<Record<ConvoyStatus, BeadStatus>> = {
  staged: 'open',
  open: 'open',
  landing: 'in_progress',
  landed: 'closed',
  failed: 'failed',
};

/** Whether a convoy in `state` can never change again. */
export function isTerminalConvoy(state: ConvoyStatus): boolean {
  return TERMINAL_CONVOY_STATES.includes(state);
}

/** The status the convoy's bead takes while the convoy is in `state`. */
export function convoyBeadStatusFor(state: ConvoyStatus): BeadStatus {
  return CONVOY_BEAD_STATUS[state];
}

/**
 * Checks a convoy state change: `'noop'` when `from === to` (so a repeated close is
 * idempotent), `'ok'` for a listed pair; throws `IllegalTransition('convoy', id, from, to)`
 * otherwise, including leaving a terminal state.
 */
export function checkConvoyTransition(id: string, from: ConvoyStatus, to: ConvoyStatus): 'noop' | 'ok' {
  if (from === to) return 'noop';
  if (isTerminalConvoy(from)) throw new IllegalTransition('convoy', id, from, to);
  if (CONVOY_TRANSITIONS.some(([f, t]) => f === from && t === to)) return 'ok';
  throw new IllegalTransition('convoy', id, from, to);
}
