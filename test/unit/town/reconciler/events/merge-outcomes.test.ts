/**
 * `pr_merge_attempted` and `merge_result`: only the MR's primary transition is emitted (the apply
 * side cascades), the auto-merge timer is cleared on a failed merge, conflict files reach the
 * source's followup_context, and a failure for an older attempt is stale.
 */
import { describe, expect, it } from 'vitest';
import { TownBuilder } from '../town-builder.ts';
import { run, townEvent, types } from './event-ctx.ts';

function mergeTown(status: 'in_progress' | 'open' = 'in_progress', attempts = 1) {
  const b = new TownBuilder();
  const rig = b.rig();
  const issue = b.bead({ rig_id: rig, status: 'in_review' });
  const mr = b.mergeRequest({ rig_id: rig, status, source: issue, dispatch_attempts: attempts, pr_url: 'https://github.com/acme/app/pull/7', review: { auto_merge_pending: 1 } });
  return { b, issue, mr };
}

describe('pr_merge_attempted', () => {
  it('ok → MR closed with its merge commit', () => {
    const { b, mr } = mergeTown();
    expect(run(b, townEvent('pr_merge_attempted', { ok: true, merge_commit: 'abcdef1' }, { bead_id: mr })).actions).toEqual([
      { type: 'set_review_fields', bead_id: mr, patch: { merge_commit: 'abcdef1' } },
      { type: 'transition_bead', bead_id: mr, from: 'in_progress', to: 'closed', reason: { code: 'pr_merged', message: expect.any(String) } },
    ]);
  });
  it('not ok → auto_merge_pending and ready_since cleared + a bead event with the error', () => {
    const { b, mr } = mergeTown();
    expect(run(b, townEvent('pr_merge_attempted', { ok: false, error: '405 on every method' }, { bead_id: mr })).actions).toEqual([
      { type: 'set_review_fields', bead_id: mr, patch: { auto_merge_pending: false, auto_merge_ready_since: null } },
      { type: 'bead_event', bead_id: mr, event_type: 'review_completed', data: { outcome: 'merge_failed', error: '405 on every method' } },
    ]);
  });
  it('an MR that already left the PR phase → warning only', () => {
    const { b, mr } = mergeTown('open');
    expect(run(b, townEvent('pr_merge_attempted', { ok: true }, { bead_id: mr }))).toEqual({ actions: [], warning: expect.any(String) });
  });
});

describe('merge_result', () => {
  const result = (mr: string, payload: Record<string, unknown>, beadId: string | null = mr) => townEvent('merge_result', { request_id: `${mr}.1`, ...payload }, { bead_id: beadId });

  it('ok → MR closed', () => {
    const { b, mr } = mergeTown();
    expect(types(run(b, result(mr, { ok: true, merge_commit: 'abcdef1' })).actions)).toEqual(['set_review_fields', 'bead_event', 'transition_bead']);
    expect(run(b, result(mr, { ok: true })).actions[1]).toMatchObject({ type: 'transition_bead', to: 'closed', reason: { code: 'merged' } });
  });
  it('the MR is found from the request id when the event row has no bead', () => {
    const { b, mr } = mergeTown();
    expect(run(b, result(mr, { ok: true }, null)).actions.at(-1)).toMatchObject({ type: 'transition_bead', bead_id: mr, to: 'closed' });
  });
  it('conflict → conflict files on the source, MR failed (merge_conflict)', () => {
    const { b, issue, mr } = mergeTown();
    const files = ['src/a.ts', 'src/b.ts'];
    expect(run(b, result(mr, { ok: false, conflict: { files } })).actions).toEqual([
      { type: 'set_followup_context', bead_id: issue, patch: { conflict_files: files } },
      { type: 'bead_event', bead_id: mr, event_type: 'review_completed', data: { outcome: 'conflict', conflict_files: files } },
      { type: 'transition_bead', bead_id: mr, from: 'in_progress', to: 'failed', reason: { code: 'merge_conflict', message: expect.any(String) } },
    ]);
  });
  it('error → MR back to open (retried by R3 within the cap)', () => {
    const { b, mr } = mergeTown();
    expect(run(b, result(mr, { ok: false, error: 'target moved' })).actions.at(-1)).toEqual({ type: 'transition_bead', bead_id: mr, from: 'in_progress', to: 'open', reason: { code: 'merge_error', message: 'target moved' } });
  });
  it('a failure for an older attempt is stale; a success is never stale', () => {
    const { b, mr } = mergeTown('in_progress', 2);
    expect(run(b, result(mr, { ok: false, error: 'boom' })).skip).toBe('stale');
    expect(run(b, townEvent('merge_result', { request_id: `${mr}.2`, ok: false, error: 'boom' }, { bead_id: mr })).skip).toBeUndefined();
    expect(run(b, result(mr, { ok: true })).skip).toBeUndefined();
  });
  it('an MR that is not being merged → warning only', () => {
    const { b, mr } = mergeTown('open');
    expect(run(b, result(mr, { ok: true }))).toEqual({ actions: [], warning: expect.any(String) });
  });
});
