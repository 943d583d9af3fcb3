/**
 * Helpers for the event-handler tests: build a `TownEvent` row and apply it with `applyEvent`
 * over a `TownBuilder`'s view at an explicit `now` (`NOW`) with production thresholds.
 */
import { applyEvent, type EventResult } from '../../../../../src/town/reconciler/events/apply-event.ts';
import type { TownEvent } from '../../../../../src/town/reconciler/types.ts';
import type { TownBuilder } from '../town-builder.ts';
import { NOW, T } from '../rules/rule-ctx.ts';

export { HOUR, MIN, NOW, SEC, T, ofType, types } from '../rules/rule-ctx.ts';

/** A town event row. */
export function townEvent(event_type: string, payload: Record<string, unknown>, ids: { agent_id?: string | null; bead_id?: string | null } = {}): TownEvent {
  return { event_id: crypto.randomUUID(), event_type, agent_id: ids.agent_id ?? null, bead_id: ids.bead_id ?? null, payload, created_at: NOW - 1000 };
}

/** Applies one event to the builder's current rows. */
export function run(b: TownBuilder, event: TownEvent, now = NOW): EventResult {
  return applyEvent(b.view(), event, now, T);
}
