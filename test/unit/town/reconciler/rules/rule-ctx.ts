/**
 * The `RuleContext` the rule-group tests pass: a `TownBuilder`'s view, an explicit `now`
 * (`NOW`, days after `T0` so every seeded time is in the past), production thresholds and
 * the drain / breaker gates (closed unless a test opens them).
 */
import { thresholdsFor } from '../../../../../src/town/reconciler/constants.ts';
import type { Action } from '../../../../../src/town/reconciler/actions.ts';
import type { RuleContext } from '../../../../../src/town/reconciler/types.ts';
import { T0, type TownBuilder } from '../town-builder.ts';

export const T = thresholdsFor('production');
export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const NOW = T0 + 72 * HOUR;

/** A rule context over the builder's current rows. */
export function ruleCtx(b: TownBuilder, gates: { draining?: boolean; breakerOpen?: boolean; now?: number } = {}): RuleContext {
  return { view: b.view(), now: gates.now ?? NOW, t: T, draining: gates.draining ?? false, breakerOpen: gates.breakerOpen ?? false };
}

/** The actions' types, in order (for compact assertions). */
export function types(actions: readonly Action[]): string[] {
  return actions.map((a) => a.type);
}

/** The actions of one type, narrowed. */
export function ofType<K extends Action['type']>(actions: readonly Action[], type: K): Extract<Action, { type: K }>[] {
  return actions.filter((a): a is Extract<Action, { type: K }> => a.type === type);
}
