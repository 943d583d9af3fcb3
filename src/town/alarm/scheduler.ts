/**
 * The TownDO's alarm scheduling (`reconciler.md` §2): ticks never overlap (one in-flight
 * promise serialises the alarm and "tick now"), the alarm is re-armed in `finally`, `kick()`
 * pulls it to now (never postpones) with a minimum gap and a burst limit, and the last 50 tick
 * records stay in memory for `/debug` status.
 */
import type { TickRecord } from '../../protocol/events.ts';
import { logLine } from '../../observability/log.ts';
import type { TickDeps, TickOutcome } from '../reconciler/tick.ts';
import { runTick } from '../reconciler/tick.ts';

const RECENT_TICKS = 50;
/** Next alarm after a tick that threw: the default active interval. */
const FALLBACK_DELAY_MS = 5000;

export class TickScheduler {
  private inFlight: Promise<TickOutcome | null> | null = null;
  private lastTickAt = 0;
  private kickedInARow = 0;
  private nextIsKicked = false;
  readonly recent: TickRecord[] = [];
  /** Called after every tick with its outcome (live broadcasts). */
  onTick: ((outcome: TickOutcome) => void) | null = null;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly deps: () => TickDeps,
  ) {}

  get lastTick(): TickRecord | null {
    return this.recent[this.recent.length - 1] ?? null;
  }

  /** Runs a tick now (after any in-flight one) and re-arms the alarm from its cadence. */
  async tick(): Promise<TickOutcome | null> {
    while (this.inFlight !== null) await this.inFlight;
    const run = this.runOnce();
    this.inFlight = run;
    try {
      return await run;
    } finally {
      this.inFlight = null;
    }
  }

  private async runOnce(): Promise<TickOutcome | null> {
    const deps = this.deps();
    this.kickedInARow = this.nextIsKicked ? this.kickedInARow + 1 : 0;
    this.nextIsKicked = false;
    // Alarms are wall-clock; the town's (possibly pinned) clock is for domain time only.
    let next: number | 'delete' = FALLBACK_DELAY_MS;
    try {
      const outcome = await runTick(deps);
      if (outcome === null) {
        next = 'delete';
        return null;
      }
      this.recent.push(outcome.record);
      if (this.recent.length > RECENT_TICKS) this.recent.shift();
      next = outcome.eventsInserted > 0 ? deps.thresholds.MIN_TICK_GAP_MS : outcome.record.next_alarm_ms;
      this.onTick?.(outcome);
      return outcome;
    } finally {
      this.lastTickAt = Date.now();
      if (next === 'delete') await this.storage.deleteAlarm();
      else await this.storage.setAlarm(this.lastTickAt + next);
    }
  }

  /**
   * Moves the alarm to now if the pending one is later: new events and new ready work are
   * handled within one tick. At least `MIN_TICK_GAP_MS` after the last tick; after
   * `KICK_BURST_MAX` kicked ticks in a row, not before the active interval.
   */
  async kick(activeIntervalMs: number): Promise<void> {
    const now = Date.now();
    const t = this.deps().thresholds;
    const floor = this.kickedInARow >= t.KICK_BURST_MAX ? this.lastTickAt + activeIntervalMs : this.lastTickAt + t.MIN_TICK_GAP_MS;
    const target = Math.max(now, floor);
    const pending = await this.storage.getAlarm();
    if (pending !== null && pending <= target) return;
    this.nextIsKicked = true;
    await this.storage.setAlarm(target);
    logLine('debug', 'alarm.kicked', { at: target });
  }
}
