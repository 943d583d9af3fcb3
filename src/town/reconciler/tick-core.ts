/**
 * The synchronous heart of a tick (`reconciler.md` §2 phases 2–4): drain pending events, each in
 * its own savepoint with poison handling; reconcile on a fresh view; apply each rule action in
 * its own savepoint. The caller runs it inside ONE `transactionSync` (the tick commits it; a dry
 * run rolls it back). No `await` happens in here, so no RPC can interleave.
 */
import type { EffectIntent, TownCtx } from '../context.ts';
import { pendingEvents, markProcessed, recordFailure } from '../events/town-events.ts';
import { logLine } from '../../observability/log.ts';
import { Action, type ParsedAction } from './actions.ts';
import { applyAction } from './apply/apply-action.ts';
import { applyEvent } from './events/apply-event.ts';
import { reconcileWithGates } from './reconcile.ts';
import type { ReconcileConfig } from './types.ts';
import { SqlTownView } from './view-sql.ts';

export interface TickStats {
  events_drained: number;
  events_failed: number;
  events_dead_lettered: number;
  events_stale: number;
  actions_by_type: Record<string, number>;
  actions_stale: number;
  actions_failed: number;
  breaker_open: boolean;
  dispatch_deferred: number;
  metrics: Record<string, number>;
}

export interface EventReport {
  event_id: string;
  event_type: string;
  actions: ParsedAction[];
  warning?: string;
  error?: string;
}

/** A `record_metric` action that was applied: sent to analytics after the commit (`tick.ts`). */
export interface AnalyticsEvent {
  name: string;
  data: Record<string, unknown>;
}

export interface CoreResult {
  stats: TickStats;
  events: EventReport[];
  /** Applied `record_metric` actions, in order; an event or action that rolled back left none. */
  analytics: AnalyticsEvent[];
  rule_actions: ParsedAction[];
  intents: EffectIntent[];
  /** Errors to report (Sentry) after the transaction: dead letters, failed actions, reconcile. */
  alerts: { kind: 'dead_letter' | 'action_failed' | 'reconcile_failed'; message: string; id?: string }[];
}

export function emptyStats(): TickStats {
  return { events_drained: 0, events_failed: 0, events_dead_lettered: 0, events_stale: 0, actions_by_type: {}, actions_stale: 0, actions_failed: 0, breaker_open: false, dispatch_deferred: 0, metrics: {} };
}

/** Secrets never reach `last_error`: token-like strings and URL userinfo are masked. */
export function redactError(message: string): string {
  return message
    .replace(/:\/\/[^/@\s]+@/g, '://***@')
    .replace(/\b(eyJ[\w-]+\.[\w-]+\.[\w-]+)\b/g, '****')
    .replace(/\b(gh[pousr]_[A-Za-z0-9]{8,}|github_pat_\w{8,}|glpat-[\w-]{8,}|sk-[\w-]{8,})\b/g, (m) => `****${m.slice(-4)}`)
    .slice(0, 1000);
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Counts an applied `record_metric` and keeps it for analytics. */
function noteMetric(action: ParsedAction, stats: TickStats, analytics: AnalyticsEvent[]): void {
  if (action.type !== 'record_metric') return;
  stats.metrics[action.name] = (stats.metrics[action.name] ?? 0) + 1;
  analytics.push({ name: action.name, data: action.data });
}

function applyInSavepoint(ctx: TownCtx, view: SqlTownView, action: ParsedAction, stats: TickStats, alerts: CoreResult['alerts'], analytics: AnalyticsEvent[]): void {
  const effectsBefore = ctx.effects.length;
  try {
    const outcome = ctx.sql.transaction(() => applyAction(ctx, view, action));
    if (outcome === 'stale') stats.actions_stale += 1;
    else if (outcome === 'deferred') stats.dispatch_deferred += 1;
    else {
      stats.actions_by_type[action.type] = (stats.actions_by_type[action.type] ?? 0) + 1;
      noteMetric(action, stats, analytics);
    }
  } catch (e) {
    // The savepoint rolled the SQL back; drop any effect the action queued before it threw.
    ctx.effects.length = effectsBefore;
    stats.actions_failed += 1;
    alerts.push({ kind: 'action_failed', message: `${action.type}: ${redactError(errorMessage(e))}` });
  }
}

/** Drain + reconcile + apply. Must run inside the caller's transaction. */
export function drainReconcileApply(ctx: TownCtx, cfg: ReconcileConfig, opts: { eventIds?: readonly string[] } = {}): CoreResult {
  const view = new SqlTownView(ctx.sql, ctx.development);
  const stats = emptyStats();
  const alerts: CoreResult['alerts'] = [];
  const reports: EventReport[] = [];
  const analytics: AnalyticsEvent[] = [];
  const t = cfg.thresholds;

  // Phase 2: drain, oldest first, each event in its own savepoint.
  for (const event of pendingEvents(ctx.sql, t.EVENT_DRAIN_BATCH)) {
    if (opts.eventIds !== undefined && !opts.eventIds.includes(event.event_id)) continue;
    const report: EventReport = { event_id: event.event_id, event_type: event.event_type, actions: [] };
    const effectsBeforeEvent = ctx.effects.length;
    const analyticsBeforeEvent = analytics.length;
    try {
      ctx.sql.transaction(() => {
        const result = applyEvent(view, event, ctx.now, t);
        if (result.warning !== undefined) report.warning = result.warning;
        if (result.skip !== undefined) {
          stats.events_stale += result.skip === 'stale' ? 1 : 0;
          if (result.skip === 'missing') logLine('warn', 'event.missing_subject', { event_id: event.event_id, event_type: event.event_type, warning: result.warning ?? '' });
        } else {
          for (const action of result.actions) {
            const parsed = Action.parse(action);
            report.actions.push(parsed);
            // Inside an event, an action failure fails the whole event (retried, then dead-lettered).
            const outcome = applyAction(ctx, view, parsed);
            if (outcome === 'stale') stats.actions_stale += 1;
            else {
              stats.actions_by_type[parsed.type] = (stats.actions_by_type[parsed.type] ?? 0) + 1;
              noteMetric(parsed, stats, analytics);
            }
          }
        }
        markProcessed(ctx.sql, event.event_id, ctx.now);
      });
      stats.events_drained += 1;
    } catch (e) {
      ctx.effects.length = effectsBeforeEvent;
      analytics.length = analyticsBeforeEvent;
      const message = redactError(errorMessage(e));
      report.error = message;
      report.actions = [];
      stats.events_failed += 1;
      const dead = recordFailure(ctx.sql, event.event_id, message, ctx.now, t.EVENT_MAX_ATTEMPTS);
      if (dead) {
        stats.events_dead_lettered += 1;
        alerts.push({ kind: 'dead_letter', message: redactError(`${event.event_type}: ${message}`), id: event.event_id });
      }
    }
    reports.push(report);
  }

  // Phase 3: reconcile on the post-drain state.
  let ruleActions: ParsedAction[] = [];
  try {
    // Reconcile is pure: a frozen view reads each list once for all rule groups.
    const { actions, breaker_open } = reconcileWithGates(new SqlTownView(ctx.sql, ctx.development, true), ctx.now, cfg);
    stats.breaker_open = breaker_open;
    ruleActions = actions.map((a) => Action.parse(a));
  } catch (e) {
    alerts.push({ kind: 'reconcile_failed', message: redactError(errorMessage(e)) });
  }

  // Phase 4: apply, each action in its own savepoint.
  for (const action of ruleActions) applyInSavepoint(ctx, view, action, stats, alerts, analytics);
  return { stats, events: reports, analytics, rule_actions: ruleActions, intents: ctx.effects, alerts };
}
