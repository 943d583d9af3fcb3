/**
 * The tick's imperative shell (`reconciler.md` §2): guard → observe → (drain → reconcile →
 * apply, one synchronous transaction) → effects after commit, outcomes written back as events →
 * invariants → metrics → housekeeping. Re-arming is the caller's (the DO), from the returned
 * record. One structured record per tick.
 */
import type { TickRecord } from '../../protocol/events.ts';
import type { SqlHandle } from '../db/sql.ts';
import type { TownCtx } from '../context.ts';
import { findTown } from '../records/town-record.ts';
import { insertTownEvent, pruneEvents } from '../events/town-events.ts';
import { iso } from '../db/clock.ts';
import { logLine } from '../../observability/log.ts';
import type { Thresholds } from './constants.ts';
import { runEffects, type EffectExecutor } from './effects.ts';
import { checkInvariants, type Violation } from './invariants.ts';
import { drainReconcileApply, type CoreResult } from './tick-core.ts';
import { SqlTownView } from './view-sql.ts';
import { computeCadence } from './cadence.ts';
import { analyticsSink, type AnalyticsSink } from './analytics-events.ts';

export interface TickDeps {
  sql: SqlHandle;
  now: () => number;
  executor: EffectExecutor;
  thresholds: Thresholds;
  development: boolean;
  /** Sends an alert (Sentry) — dead letters, failed actions, invariant violations. */
  alert: (kind: string, message: string, tags: Record<string, string>) => void;
  /** Receives the tick's analytics events after commit; default: the log only. */
  analytics?: AnalyticsSink;
  /** Runs right after the commit, before the effects (the development test seam, `debug/seams.ts`). */
  afterCommit?: (intents: number) => Promise<void> | void;
}

export interface TickOutcome {
  record: TickRecord;
  violations: Violation[];
  /** Beads/agents/convoys touched, for live broadcasts. */
  core: CoreResult;
  eventsInserted: number;
}

function phase<T>(timings: Record<string, number>, name: string, clock: () => number, fn: () => T): T {
  const started = clock();
  try {
    return fn();
  } finally {
    timings[name] = clock() - started;
  }
}

async function phaseAsync<T>(timings: Record<string, number>, name: string, clock: () => number, fn: () => Promise<T>): Promise<T> {
  const started = clock();
  try {
    return await fn();
  } finally {
    timings[name] = clock() - started;
  }
}

/** Runs one tick. Returns null when the town no longer exists (the caller deletes the alarm). */
export async function runTick(deps: TickDeps): Promise<TickOutcome | null> {
  const wall = Date.now;
  const startedAt = wall();
  const phaseMs: Record<string, number> = {};
  const t = deps.thresholds;

  // 0. guard
  const town = findTown(deps.sql);
  if (town === null) return null;
  const now = deps.now();

  // 1. observe: working polecats and refineries (never the mayor).
  await phaseAsync(phaseMs, 'observe', wall, async () => {
    const view = new SqlTownView(deps.sql, deps.development);
    const working = view.agents().filter((a) => a.role !== 'mayor' && a.status === 'working');
    if (working.length === 0) return;
    let observed: Awaited<ReturnType<EffectExecutor['observe']>>;
    try {
      observed = await deps.executor.observe(
        working.map((a) => a.id),
        { townId: town.id, now, deadline: now + t.CONTAINER_STATUS_TIMEOUT_MS },
      );
    } catch (e) {
      // unknown/timeout writes nothing: heartbeat staleness decides.
      logLine('warn', 'tick.observe_failed', { town_id: town.id, error: e instanceof Error ? e.message : 'unknown' });
      return;
    }
    deps.sql.transaction(() => {
      for (const [agentId, o] of observed) {
        if (o.status !== 'exited' && o.status !== 'not_found') continue;
        insertTownEvent(
          deps.sql,
          { event_type: 'container_status', agent_id: agentId, payload: { status: o.status, ...(o.exit_reason === undefined ? {} : { exit_reason: o.exit_reason }) }, dedupe_key: `container_status:${agentId}` },
          now,
        );
      }
    });
  });

  // 2–4. drain, reconcile, apply: one synchronous transaction.
  const ctx: TownCtx = { sql: deps.sql, now, townId: town.id, actor: 'system', development: deps.development, effects: [] };
  const core = phase(phaseMs, 'drain_reconcile_apply', wall, () => deps.sql.transaction(() => drainReconcileApply(ctx, { thresholds: t })));
  for (const alert of core.alerts) deps.alert(alert.kind, alert.message, { town_id: town.id, ...(alert.id === undefined ? {} : { event_id: alert.id }) });
  const analytics = deps.analytics ?? analyticsSink(undefined);
  for (const event of core.analytics) analytics(town.id, event);

  const seam = deps.afterCommit?.(core.intents.length);
  if (seam !== undefined) await seam;

  // 5. effects after commit; outcomes come back as events.
  const effects = await phaseAsync(phaseMs, 'effects', wall, () => runEffects(deps.executor, core.intents, { townId: town.id, now }));
  if (effects.events.length > 0) {
    deps.sql.transaction(() => {
      for (const e of effects.events) insertTownEvent(deps.sql, e, deps.now());
    });
  }

  // 6. invariants on a fresh view.
  const view = new SqlTownView(deps.sql, deps.development, true);
  const violations = phase(phaseMs, 'invariants', wall, () => checkInvariants(view, now, { thresholds: t }));
  for (const v of violations) logLine('warn', 'invariant.violation', { town_id: town.id, invariant: v.invariant, ids: v.ids.slice(0, 10).join(','), detail: v.detail });

  // 8. housekeeping (SQL only).
  phase(phaseMs, 'housekeeping', wall, () =>
    deps.sql.transaction(() => {
      deps.sql.run(`UPDATE agent_nudges SET status = 'expired' WHERE status = 'pending' AND expires_at < ?`, iso(now));
      pruneEvents(deps.sql, now, t.EVENT_RETENTION_MS, t.DEAD_LETTER_RETENTION_MS);
      const cutoff = iso(now - t.DEAD_AGENT_RETENTION_MS);
      for (const row of deps.sql.all(`SELECT a.bead_id FROM agent_metadata a JOIN beads b ON b.bead_id = a.bead_id WHERE a.status = 'dead' AND b.updated_at < ?`, cutoff)) {
        const id = row.bead_id;
        if (typeof id !== 'string') continue;
        deps.sql.run(`DELETE FROM agent_events WHERE agent_id = ?`, id);
        deps.sql.run(`DELETE FROM agent_metadata WHERE bead_id = ?`, id);
        deps.sql.run(`DELETE FROM bead_events WHERE bead_id = ?`, id);
        deps.sql.run(`DELETE FROM beads WHERE bead_id = ?`, id);
      }
    }),
  );

  // 7/9. metrics and the cadence for re-arming.
  const cadence = computeCadence(view, now, t);
  const pending = view.pendingEvents();
  const violationCounts: Record<string, number> = {};
  for (const v of violations) violationCounts[v.invariant] = (violationCounts[v.invariant] ?? 0) + 1;
  const record: TickRecord = {
    at: iso(now),
    wall_ms: wall() - startedAt,
    phase_ms: phaseMs,
    events_drained: core.stats.events_drained,
    events_failed: core.stats.events_failed,
    events_dead_lettered: core.stats.events_dead_lettered,
    events_stale: core.stats.events_stale,
    actions_by_type: core.stats.actions_by_type,
    actions_stale: core.stats.actions_stale,
    actions_failed: core.stats.actions_failed,
    effects_ok: effects.ok,
    effects_failed: effects.failed,
    violations: violationCounts,
    pending_events: pending.count,
    oldest_pending_ms: pending.oldest_created_at === null ? 0 : Math.max(0, now - pending.oldest_created_at),
    breaker_open: core.stats.breaker_open,
    cadence: cadence.cadence,
    next_alarm_ms: cadence.next_alarm_ms,
  };
  logLine('info', 'tick', { town_id: town.id, ...record });
  return { record, violations, core, eventsInserted: effects.events.length };
}
