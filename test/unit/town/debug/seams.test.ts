/**
 * The TownDO's development test seams (`src/town/debug/seams.ts`): `abort_after_commit: n` fires
 * on the n-th coming tick whose commit has effect intents, once; ticks without intents do not
 * count; 0 disarms.
 */
import { describe, expect, it } from 'vitest';
import { TestSeams } from '../../../../src/town/debug/seams.ts';

describe('TestSeams', () => {
  it('is disarmed at first: no tick aborts', () => {
    const seams = new TestSeams();
    expect(seams.state()).toEqual({ abort_after_commit: 0 });
    expect([seams.abortNow(3), seams.abortNow(1)]).toEqual([false, false]);
  });

  it('abort_after_commit: 1 aborts the next tick with intents, then disarms itself', () => {
    const seams = new TestSeams();
    expect(seams.arm({ abort_after_commit: 1 })).toEqual({ abort_after_commit: 1 });
    expect(seams.abortNow(0)).toBe(false);
    expect(seams.state()).toEqual({ abort_after_commit: 1 });
    expect(seams.abortNow(2)).toBe(true);
    expect(seams.state()).toEqual({ abort_after_commit: 0 });
    expect(seams.abortNow(2)).toBe(false);
  });

  it('abort_after_commit: 3 lets two ticks with intents through and aborts the third', () => {
    const seams = new TestSeams();
    seams.arm({ abort_after_commit: 3 });
    expect([seams.abortNow(1), seams.abortNow(0), seams.abortNow(1), seams.abortNow(1), seams.abortNow(1)]).toEqual([false, false, false, true, false]);
  });

  it('0 disarms an armed seam', () => {
    const seams = new TestSeams();
    seams.arm({ abort_after_commit: 2 });
    expect(seams.arm({ abort_after_commit: 0 })).toEqual({ abort_after_commit: 0 });
    expect([seams.abortNow(1), seams.abortNow(1)]).toEqual([false, false]);
  });
});
