/**
 * The tick's `afterCommit` hook (the development seam `D/seams`, `src/town/debug/seams.ts`): it
 * runs once per tick with the number of effect intents, after the tick's transaction committed
 * (the dispatch is durable) and before any effect ran; a hook that throws — as `ctx.abort()` ends
 * an invocation — leaves the commit in place and runs no effect.
 */
import { describe, expect, it } from 'vitest';
import { runTick, type TickDeps } from '../../../../src/town/reconciler/tick.ts';
import type { EffectExecutor, ObservedStatus } from '../../../../src/town/reconciler/effects.ts';
import type { EffectIntent } from '../../../../src/town/context.ts';
import type { NewTownEvent } from '../../../../src/town/events/town-events.ts';
import { TownBuilder } from './town-builder.ts';
import { NOW, T } from './rules/rule-ctx.ts';

class RecordingExecutor implements EffectExecutor {
  readonly log: string[] = [];
  async observe(agentIds: readonly string[]): Promise<Map<string, { status: ObservedStatus }>> {
    const running: ObservedStatus = 'running';
    return new Map(agentIds.map((id) => [id, { status: running }]));
  }
  async run(intent: EffectIntent): Promise<NewTownEvent[]> {
    this.log.push(`run:${intent.kind}`);
    return [];
  }
}

function readyTown(afterCommit: TickDeps['afterCommit']) {
  const b = new TownBuilder();
  const rig = b.rig();
  const bead = b.bead({ rig_id: rig, status: 'open' });
  const executor = new RecordingExecutor();
  const deps: TickDeps = { sql: b.sql, now: () => NOW, executor, thresholds: T, development: true, alert: () => undefined, afterCommit };
  return { b, bead, executor, deps };
}

describe('afterCommit', () => {
  it('runs after the commit and before the effects, with the number of intents', async () => {
    const seen: { intents: number; bead: string | undefined; effects: number }[] = [];
    const town = readyTown((intents) => {
      seen.push({ intents, bead: town.b.view().bead(town.bead)?.status, effects: town.executor.log.length });
    });
    await runTick(town.deps);
    expect(seen).toEqual([{ intents: 1, bead: 'in_progress', effects: 0 }]);
    expect(town.executor.log).toEqual(['run:dispatch']);
  });

  it('is awaited: the effects wait for an asynchronous hook', async () => {
    const order: string[] = [];
    const town = readyTown(async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push('hook done');
    });
    town.executor.run = async (intent) => {
      order.push(`run:${intent.kind}`);
      return [];
    };
    await runTick(town.deps);
    expect(order).toEqual(['hook done', 'run:dispatch']);
  });

  it('a hook that throws (an aborted object) keeps the commit and runs no effect', async () => {
    const town = readyTown(() => {
      throw new Error('aborted');
    });
    await expect(runTick(town.deps)).rejects.toThrow('aborted');
    expect(town.executor.log).toEqual([]);
    expect(town.b.view().bead(town.bead)).toMatchObject({ status: 'in_progress', dispatch_attempts: 1 });
  });
});
