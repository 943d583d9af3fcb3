/**
 * What an event handler returns (`reconciler.md` §3) and the input every handler receives: the
 * view, the event, its validated payload, the resolved agent and bead, the time and thresholds.
 * Shared by `apply-event.ts` and each handler file.
 */
import type { Action } from '../actions.ts';
import type { Thresholds } from '../constants.ts';
import type { TownEvent } from '../types.ts';
import type { AgentState, BeadState, TownView } from '../view.ts';

/** The actions to apply for one event; `skip` marks a missing subject or a stale report. */
export interface EventResult {
  actions: Action[];
  skip?: 'stale' | 'missing';
  warning?: string;
}

/** A handler's input: `agent`/`bead` are the event's subjects, already checked to exist. */
export interface EventInput<P> {
  view: TownView;
  event: TownEvent;
  payload: P;
  agent: AgentState | null;
  bead: BeadState | null;
  now: number;
  t: Thresholds;
}

/** Actions to apply. */
export function apply(actions: Action[]): EventResult {
  return { actions };
}

/** Nothing to do, with a warning for the event report. */
export function warn(warning: string): EventResult {
  return { actions: [], warning };
}
