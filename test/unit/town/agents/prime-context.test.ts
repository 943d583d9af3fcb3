/**
 * `primeContext`: what a rig agent's prime shows under `context` — its checkpoint, the follow-up
 * context under the key of the hooked bead's follow-up label, and the conflict files and eviction
 * note whenever the bead carries them.
 */
import { describe, expect, it } from 'vitest';
import { PrimeContext } from '../../../../src/protocol/agent.ts';
import { primeContext } from '../../../../src/town/agents/prime-context.ts';

describe('primeContext', () => {
  it('is empty without a checkpoint or a follow-up context', () => {
    expect(primeContext({ checkpoint: null, labels: [], followup: null })).toEqual({});
  });

  it('shows the checkpoint whatever the bead', () => {
    const checkpoint = { step: 'tests written' };
    expect(primeContext({ checkpoint, labels: ['gt:rework'], followup: null })).toEqual({ checkpoint });
  });

  it.each([
    ['gt:rework', 'rework'],
    ['gt:pr-feedback', 'pr_feedback'],
    ['gt:pr-conflict', 'pr_conflict'],
  ] as const)('puts a %s follow-up context under %s, without the keys shown on their own', (label, key) => {
    const followup = { branch: 'gt/toast/1234abcd', feedback: 'fix the null check', conflict_files: ['a.ts'] };
    const context = primeContext({ checkpoint: null, labels: [label], followup });
    expect(context[key]).toEqual({ branch: 'gt/toast/1234abcd', feedback: 'fix the null check' });
    expect(context.conflict_files).toEqual(['a.ts']);
    expect(PrimeContext.safeParse(context).success).toBe(true);
  });

  it('gives a bead without a follow-up label no follow-up key, but still its eviction note', () => {
    const followup = { eviction: { branch: 'gt/toast/1234abcd', commit_sha: 'abc1234' } };
    const context = primeContext({ checkpoint: null, labels: ['backend'], followup });
    expect(context).toEqual({ eviction: { branch: 'gt/toast/1234abcd', commit_sha: 'abc1234' } });
  });

  it('drops conflict files and eviction notes of the wrong shape instead of passing them on', () => {
    const followup = { conflict_files: ['a.ts', 3], eviction: { commit_sha: 'abc1234' } };
    const context = primeContext({ checkpoint: null, labels: ['gt:pr-conflict'], followup });
    expect(context.conflict_files).toBeUndefined();
    expect(context.eviction).toBeUndefined();
    expect(context.pr_conflict).toEqual({});
  });
});
