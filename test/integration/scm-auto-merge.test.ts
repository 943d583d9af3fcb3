/**
 * Auto-merge against the fake git host (`scm.md` §7, `reconciler.md` R1): a green PR merges
 * only after the grace period, through a fresh status and feedback check right before the merge
 * call (squash at the head just read), and the MR and its source close; a regression that fresh
 * check finds (a failing check run added in between) aborts the merge, clears `pending` and
 * restarts the timer; `REVIEW_REQUIRED` holds the merge until a human approves on the host and
 * the delay passes again; with only `rebase` allowed the merge walks squash → merge → rebase.
 */
import { describe, expect, it } from 'vitest';
import { MIN, SCENARIO_TIMEOUT_MS, beadEvents, reviewOf, scmTown, statusOf, statusTrail, submittedPr, tickUntil, type ScmTown, type SubmittedPr } from './scm-support.ts';

const AUTO_MERGE = { refinery: { code_review: false, auto_merge: true, auto_merge_delay_minutes: 5 } };

/** One tick a minute later: it applies the last poll's outcome and polls again. */
async function minuteTick(t: ScmTown): Promise<void> {
  await t.advance(MIN);
  await t.tick();
}

/** Ticks a minute apart until the first green poll has started the grace timer. */
async function greenTimerStarted(t: ScmTown, pr: SubmittedPr): Promise<void> {
  await tickUntil(t, async () => (await reviewOf(t, pr.mrId)).auto_merge_ready_since !== null, 4, MIN);
}

async function merges(t: ScmTown, number: number) {
  return (await t.repo.requests('PUT')).filter((r) => r.path === `/api/v3/repos/${t.repo.path}/pulls/${number}/merge`);
}

describe('auto-merge', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  it('merges after the grace period, at the head it read (squash); MR and source close', async () => {
    const t = await scmTown({ rigConfig: AUTO_MERGE });
    const pr = await submittedPr(t, 'Green change');
    await greenTimerStarted(t, pr);
    for (let i = 0; i < 4; i += 1) await minuteTick(t);
    expect(await merges(t, pr.number), 'nothing merges before the delay').toEqual([]);
    expect(t.fake.count('merge_pr')).toBe(0);

    const head = (await t.repo.pull(pr.number)).head.sha;
    await tickUntil(t, async () => (await statusOf(t, pr.mrId)) === 'closed', 3, MIN);
    const [merge] = await merges(t, pr.number);
    expect(merge).toMatchObject({ status: 200, body: { merge_method: 'squash', sha: head } });

    const pull = await t.repo.pull(pr.number);
    expect(pull).toMatchObject({ state: 'closed', merged: true });
    expect(await statusTrail(t, pr.mrId)).toContain('in_progress→closed:pr_merged');
    expect((await reviewOf(t, pr.mrId)).merge_commit).toBe(pull.merge_commit_sha);
    expect(await statusOf(t, pr.issueId)).toBe('closed');
  });

  it('a failing check run added right before the merge: the fresh check aborts it, pending cleared, timer reset', async () => {
    const t = await scmTown({ rigConfig: AUTO_MERGE });
    const pr = await submittedPr(t, 'Almost green');
    await greenTimerStarted(t, pr);
    for (let i = 0; i < 4; i += 1) await minuteTick(t);
    // The last green poll is in the inbox; a check fails before the tick that sets pending and merges.
    await t.repo.addCheckRuns(pr.number, [{ name: 'ci', status: 'completed', conclusion: 'failure' }]);
    await minuteTick(t);
    expect(t.fake.count('merge_pr')).toBe(1);
    await t.advance(1000);
    await t.tick();

    expect(await merges(t, pr.number)).toEqual([]);
    expect((await t.repo.pull(pr.number)).state).toBe('open');
    expect(await reviewOf(t, pr.mrId)).toMatchObject({ auto_merge_pending: 0, auto_merge_ready_since: null });
    const aborted = (await beadEvents(t, pr.mrId, 'review_completed')).filter((e) => e.metadata.outcome === 'merge_failed');
    expect(aborted).toHaveLength(1);
    expect(String(aborted[0]?.metadata.error)).toContain('checks_not_passing');
    expect(await statusOf(t, pr.mrId)).toBe('in_progress');
  });

  it('REVIEW_REQUIRED holds the merge until the host records an approval and the delay passes', async () => {
    const t = await scmTown({ rigConfig: AUTO_MERGE });
    const pr = await submittedPr(t, 'Needs a human');
    await t.repo.setPull(pr.number, { reviewDecision: 'REVIEW_REQUIRED' });
    for (let i = 0; i < 3; i += 1) {
      await t.advance(5 * MIN);
      await t.tick();
    }
    expect(await reviewOf(t, pr.mrId)).toMatchObject({ awaiting_approval: 1, auto_merge_ready_since: null, auto_merge_pending: 0 });
    expect(await merges(t, pr.number)).toEqual([]);

    await t.repo.review(pr.number, 'APPROVE', 'looks good');
    await t.advance(5 * MIN);
    await t.tick();
    await greenTimerStarted(t, pr);
    const readySince = Date.parse(String((await reviewOf(t, pr.mrId)).auto_merge_ready_since));
    await tickUntil(t, async () => (await statusOf(t, pr.mrId)) === 'closed', 8, MIN);
    expect(t.now() - readySince).toBeGreaterThanOrEqual(5 * MIN);
    expect((await t.repo.pull(pr.number)).merged).toBe(true);
  });

  it('with only rebase allowed: squash (405), merge (405), then rebase (200)', async () => {
    const t = await scmTown({ rigConfig: AUTO_MERGE });
    await t.repo.setMergeMethods(['rebase']);
    const pr = await submittedPr(t, 'Rebase only');
    await greenTimerStarted(t, pr);
    await tickUntil(t, async () => (await statusOf(t, pr.mrId)) === 'closed', 8, MIN);
    const attempts = (await merges(t, pr.number)).map((r) => [(r.body as { merge_method?: string }).merge_method, r.status]);
    expect(attempts).toEqual([
      ['squash', 405],
      ['merge', 405],
      ['rebase', 200],
    ]);
  });
});
