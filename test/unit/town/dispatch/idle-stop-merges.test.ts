/**
 * The container's idle stop never lands on a merge it is running: with `direct` and
 * `code_review` off the container merges by itself (`/git/merge`, no agent), so an MR
 * `in_progress` without a PR keeps the container up until its merge-result; PR-phase MRs (polled
 * from the worker) and finished MRs do not.
 */
import { describe, expect, it } from 'vitest';
import { idleStopDue, runContainerUpkeep } from '../../../../src/town/dispatch/container-upkeep.ts';
import { DispatchTown } from './dispatch-town.ts';

async function running(t: DispatchTown): Promise<void> {
  const r = await t.container.request('POST', '/repos/setup', {}, { timeoutMs: 1000, startOnDemand: true });
  expect(r.status).toBe(202);
}

describe('idle stop and container merges', () => {
  it('waits while an MR without a PR is in progress (the container’s own merge), then stops', async () => {
    const t = new DispatchTown();
    await running(t);
    const rig = t.rig();
    const mr = t.mergeRequest({ rig_id: rig, status: 'in_progress', pr_url: null });
    expect(idleStopDue(t.sql, t.now, t.thresholds)).toBe(false);
    expect((await runContainerUpkeep({ ctx: t.command(), env: t.env, container: t.container, thresholds: t.thresholds })).idle_stopped).toBe(false);
    expect(t.container.transport.signals).toEqual([]);

    t.sql.run(`UPDATE beads SET status = 'closed' WHERE bead_id = ?`, mr);
    expect(idleStopDue(t.sql, t.now, t.thresholds)).toBe(true);
    expect((await runContainerUpkeep({ ctx: t.command(), env: t.env, container: t.container, thresholds: t.thresholds })).idle_stopped).toBe(true);
  });

  it('does not wait for MRs in the PR phase or still queued', () => {
    const t = new DispatchTown();
    const rig = t.rig();
    t.mergeRequest({ rig_id: rig, status: 'in_progress', pr_url: 'https://github.com/acme/app/pull/7' });
    t.mergeRequest({ rig_id: rig, status: 'open', pr_url: null });
    expect(idleStopDue(t.sql, t.now, t.thresholds)).toBe(true);
  });
});
