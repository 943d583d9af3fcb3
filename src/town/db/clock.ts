/**
 * The TownDO's one clock. Every domain function receives `now` from it; tests replace the
 * clock through `runInDurableObject` (`instance.clock.set(...)`) to drive time explicitly.
 */

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The real clock, unless a test pinned or advanced it. */
export class SettableClock implements Clock {
  private fixed: number | null = null;

  now(): number {
    return this.fixed ?? Date.now();
  }

  /** Pins the clock at `ms` until `release()`. */
  set(ms: number): void {
    this.fixed = ms;
  }

  /** Moves a pinned clock forward (pins it at the real time first if it was not pinned). */
  advance(ms: number): void {
    this.fixed = this.now() + ms;
  }

  release(): void {
    this.fixed = null;
  }
}

/** ISO-8601 UTC with milliseconds, the only time format stored or sent. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Parses a stored ISO time back to epoch ms (null stays null). */
export function ms(isoTime: string | null): number | null {
  return isoTime === null ? null : Date.parse(isoTime);
}
