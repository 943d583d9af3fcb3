/**
 * `/debug` dry run and replay (`reconciler.md` §9): both compute inside a transaction that is
 * always rolled back, so the database is unchanged (a test proves it byte for byte). Dry run =
 * drain + reconcile + apply + invariants, effects only listed; replay = re-apply processed
 * events, in order, to the current state.
 */
import type { TownCtx } from '../context.ts';
import { chunk, num, placeholders, str, type SqlRow } from '../db/sql.ts';
import { iso } from '../db/clock.ts';
import { rowToInboxEvent } from '../events/town-events.ts';
import { Action, type ParsedAction } from '../reconciler/actions.ts';
import { applyAction } from '../reconciler/apply/apply-action.ts';
import { applyEvent } from '../reconciler/events/apply-event.ts';
import { checkInvariants, type Violation } from '../reconciler/invariants.ts';
import { drainReconcileApply } from '../reconciler/tick-core.ts';
import type { ReconcileConfig, TownEvent } from '../reconciler/types.ts';
import { SqlTownView } from '../reconciler/view-sql.ts';
import type { EffectIntent } from '../context.ts';

/** Thrown to roll a debug transaction back; never escapes this module. */
class RollBack extends Error {
  override readonly name = 'RollBack';
}

function rolledBack<T>(ctx: TownCtx, fn: () => T): T {
  let result: { value: T } | null = null;
  try {
    ctx.sql.transaction(() => {
      result = { value: fn() };
      throw new RollBack('debug transaction');
    });
  } catch (e) {
    if (!(e instanceof RollBack)) throw e;
  }
  if (result === null) throw new Error('debug transaction produced no result');
  return (result as { value: T }).value;
}

export interface DryRunResult {
  events: { event_id: string; actions: ParsedAction[]; warning?: string; error?: string }[];
  rule_actions: ParsedAction[];
  effect_intents: EffectIntent[];
  invariant_violations: Violation[];
}

export function dryRun(ctx: TownCtx, cfg: ReconcileConfig): DryRunResult {
  return rolledBack(ctx, () => {
    const core = drainReconcileApply(ctx, cfg);
    const violations = checkInvariants(new SqlTownView(ctx.sql, ctx.development), ctx.now, cfg);
    return {
      events: core.events.map((e) => ({ event_id: e.event_id, actions: e.actions, ...(e.warning === undefined ? {} : { warning: e.warning }), ...(e.error === undefined ? {} : { error: e.error }) })),
      rule_actions: core.rule_actions,
      effect_intents: [...core.intents],
      invariant_violations: violations,
    };
  });
}

/** The processed events among `ids` (up to 500: bound in chunks, style §5), in (created_at, rowid) order. */
function processedByIds(ctx: TownCtx, ids: readonly string[]): SqlRow[] {
  const found = chunk([...new Set(ids)]).flatMap((part) =>
    ctx.sql.all(`SELECT rowid AS replay_order, * FROM town_events WHERE event_id IN (${placeholders(part.length)}) AND processed_at IS NOT NULL`, ...part),
  );
  return found.sort((a, b) => str(a, 'created_at').localeCompare(str(b, 'created_at')) || num(a, 'replay_order') - num(b, 'replay_order'));
}

export type ReplayRequest = { from: string; to: string } | { event_ids: string[] };

export function replayEvents(ctx: TownCtx, cfg: ReconcileConfig, req: ReplayRequest): { replayed: number; events: { event_id: string; actions: ParsedAction[]; warning?: string; error?: string }[] } {
  const rows = 'event_ids' in req ? processedByIds(ctx, req.event_ids) : ctx.sql.all(`SELECT * FROM town_events WHERE processed_at IS NOT NULL AND created_at >= ? AND created_at < ? ORDER BY created_at, rowid`, iso(Date.parse(req.from)), iso(Date.parse(req.to)));
  return rolledBack(ctx, () => {
    const view = new SqlTownView(ctx.sql, ctx.development);
    const events = rows.map((row) => {
      const inbox = rowToInboxEvent(row);
      const event: TownEvent = { event_id: inbox.id, event_type: inbox.type, agent_id: inbox.agent_id, bead_id: inbox.bead_id, payload: inbox.payload, created_at: Date.parse(inbox.created_at) };
      try {
        const result = applyEvent(view, event, ctx.now, cfg.thresholds);
        const actions = result.skip === undefined ? result.actions.map((a) => Action.parse(a)) : [];
        for (const action of actions) ctx.sql.transaction(() => applyAction(ctx, view, action));
        return { event_id: str(row, 'event_id'), actions, ...(result.warning === undefined ? {} : { warning: result.warning }) };
      } catch (e) {
        return { event_id: str(row, 'event_id'), actions: [], error: e instanceof Error ? e.message : String(e) };
      }
    });
    return { replayed: events.length, events };
  });
}
