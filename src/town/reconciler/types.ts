/**
 * Shared shapes of the pure reconciler: the context every rule and event handler receives,
 * and a town event as read from `town_events`.
 */
import type { Thresholds } from './constants.ts';
import type { TownView } from './view.ts';

/** What `reconcile`, `applyEvent` and `checkInvariants` receive besides the view. */
export interface ReconcileConfig {
  thresholds: Thresholds;
}

/** Per-call inputs of a rule group: the view, the time, thresholds and the tick's gates. */
export interface RuleContext {
  view: TownView;
  now: number;
  t: Thresholds;
  /** While the container drains, dispatch (B1, B2, R5, R6), reaping (A1, A4) and GUPP are off. */
  draining: boolean;
  /** While the breaker is open no `dispatch_agent` is emitted. */
  breakerOpen: boolean;
}

/** A `town_events` row, payload parsed as JSON (validated per type by the handler). */
export interface TownEvent {
  event_id: string;
  event_type: string;
  agent_id: string | null;
  bead_id: string | null;
  payload: Record<string, unknown>;
  created_at: number;
}
