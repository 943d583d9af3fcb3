/**
 * Alerts from the tick (`reconciler.md` §3, §7): dead letters, failed actions and reconcile
 * errors go to the log and Sentry; invariant violations too, at most once per (town, invariant)
 * per hour. One reporter per TownDO instance.
 */
import type { Env } from '../../env.ts';
import { logLine } from '../../observability/log.ts';
import { reportError } from '../../observability/sentry.ts';
import type { Violation } from '../reconciler/invariants.ts';

type AlertEnv = Pick<Env, 'SENTRY_DSN' | 'ENVIRONMENT' | 'GASTOWN_VERSION'>;

export class TickAlerts {
  private readonly violationReportedAt = new Map<string, number>();

  constructor(private readonly env: AlertEnv) {}

  /** A tick alert: logged at error level and sent to Sentry. */
  alert(kind: string, message: string, tags: Record<string, string>): void {
    logLine('error', `tick.${kind}`, { ...tags, message });
    this.send({ ...tags, alert: kind }, `${kind}: ${message}`);
  }

  /** Invariant violations, each invariant reported at most once per `everyMs`. */
  violations(violations: readonly Violation[], townId: string, everyMs: number): void {
    const now = Date.now();
    for (const v of violations) {
      const last = this.violationReportedAt.get(v.invariant);
      if (last !== undefined && now - last < everyMs) continue;
      this.violationReportedAt.set(v.invariant, now);
      this.send({ invariant: v.invariant, town_id: townId }, `invariant ${v.invariant}: ${v.detail}`);
    }
  }

  private send(tags: Record<string, string>, message: string): void {
    reportError({ dsn: this.env.SENTRY_DSN, environment: this.env.ENVIRONMENT, release: this.env.GASTOWN_VERSION, tags, error: new Error(message) });
  }
}
