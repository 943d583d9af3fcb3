/**
 * The hydration gate (`container.md` §3): resolved until a run, assigned synchronously, one run
 * at a time (a second call returns the running promise), resolved in `finally` even after a throw.
 */
import { describe, expect, it } from 'vitest';
import { HydrationGate } from '../../container/src/hydration/gate.ts';
import { deferred, settle } from './pm-harness.ts';

describe('HydrationGate', () => {
  it('starts resolved, blocks during a run, returns the running promise to a second call and resolves after a throw', async () => {
    const gate = new HydrationGate();
    expect(gate.hydrated).toBe(true);
    await gate.wait();
    const hold = deferred();
    let calls = 0;
    const run = gate.run(async () => {
      calls += 1;
      await hold.promise;
      throw new Error('hydration blew up');
    });
    expect(gate.hydrated).toBe(false);
    expect(gate.run(async () => undefined)).toBe(run);
    let released = false;
    void gate.wait().then(() => (released = true));
    await settle();
    expect(released).toBe(false);
    hold.resolve();
    await run;
    await settle();
    expect(released).toBe(true);
    expect(gate.hydrated).toBe(true);
    expect(calls).toBe(1);
  });
});

