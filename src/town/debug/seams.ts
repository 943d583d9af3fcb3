/**
 * Test seams of the TownDO, development only (`D/seams`, `docs/debugging.md`): fault tests arm
 * them to crash the object at a chosen point. One seam: `abort_after_commit: n` makes the n-th
 * coming tick whose commit produced effect intents abort the object right after the commit and
 * before its effects run (the DO calls `ctx.abort()`), as a crash between the two would. The
 * state lives in memory only, so the abort itself disarms it. Pure; the DO holds one instance.
 */
import type { SeamsState } from '../../protocol/debug.ts';

export class TestSeams {
  /** Ticks with effects still to let through, plus one: 0 = disarmed. */
  private abortAfterCommit = 0;

  /** Arms (n ≥ 1) or disarms (0) the abort; returns the new state. */
  arm(input: { abort_after_commit: number }): SeamsState {
    this.abortAfterCommit = Math.max(0, Math.floor(input.abort_after_commit));
    return this.state();
  }

  state(): SeamsState {
    return { abort_after_commit: this.abortAfterCommit };
  }

  /**
   * Called by the tick right after its commit with the number of effect intents: true when this
   * is the tick to abort (the seam is then disarmed). Ticks without intents do not count.
   */
  abortNow(intents: number): boolean {
    if (this.abortAfterCommit === 0 || intents === 0) return false;
    this.abortAfterCommit -= 1;
    return this.abortAfterCommit === 0;
  }
}
