/**
 * A PR's life against the fake git host (issue #8, `scm.md` §1, §4): a polecat's `gt_done` with
 * a `pr_url` on the rig's repository puts the MR in the PR phase (another host's URL is refused
 * with `pr_creation_failed`); polling then follows the PR: merged by a human → MR and source
 * closed; closed unmerged → MR failed and source reopened. Every poll goes to the rig's API with
 * the town's token.
 */
import { describe, expect, it } from 'vitest';
import { dispatchedPolecat } from './report-support.ts';
import { SCENARIO_TIMEOUT_MS, DEFAULT_FAKE_TOKEN, MIN, beadEvents, done, mrOf, pollUntilSettled, reviewOf, scmTown, statusOf, statusTrail, submittedPr, tickUntil } from './scm-support.ts';

describe('gt_done with a pr_url', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  it('a PR on the rig repository puts the MR in the PR phase with review.pr_url set', async () => {
    const t = await scmTown({ rigConfig: { refinery: { code_review: false } } });
    const pr = await submittedPr(t);
    expect(await reviewOf(t, pr.mrId)).toMatchObject({ pr_url: pr.html_url });
    expect(await statusOf(t, pr.issueId)).toBe('in_review');
  });

  it('a PR URL on another host is not stored: pr_creation_failed on the issue', async () => {
    const t = await scmTown({ rigConfig: { refinery: { code_review: false } } });
    const polecat = await dispatchedPolecat(t);
    const foreign = 'https://github.com/someone/else/pull/4';
    await done(polecat, { branch: 'gt/toast/x', pr_url: foreign, bead_id: polecat.beadId });
    await tickUntil(t, async () => (await mrOf(t, polecat.beadId)) !== null);
    const mrId = await mrOf(t, polecat.beadId);
    if (mrId === null) throw new Error('no merge request');
    expect((await reviewOf(t, mrId)).pr_url).toBeNull();
    const failed = await beadEvents(t, polecat.beadId, 'pr_creation_failed');
    expect(failed.map((e) => e.metadata)).toEqual([expect.objectContaining({ pr_url: foreign, kind: 'host_mismatch' })]);
  });
});

describe('polling a PR on the fake host', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  it('a human merges the PR → the next poll closes the MR and its source bead', async () => {
    const t = await scmTown({ rigConfig: { refinery: { code_review: false, auto_merge: false } } });
    const pr = await submittedPr(t);
    await t.advance(MIN);
    await t.tick();
    await t.advance(1000);
    await t.tick();
    expect(await statusOf(t, pr.mrId)).toBe('in_progress');

    await t.repo.humanMerge(pr.number);
    await pollUntilSettled(t, pr.mrId);
    expect(await statusOf(t, pr.mrId)).toBe('closed');
    expect(await statusTrail(t, pr.mrId)).toContain('in_progress→closed:pr_merged');
    expect(await statusOf(t, pr.issueId)).toBe('closed');
    const polls = await t.repo.requests('GET');
    expect(polls.filter((r) => r.path === `/api/v3/repos/${t.repo.path}/pulls/${pr.number}`).length).toBeGreaterThanOrEqual(2);
    expect(polls.every((r) => r.token === DEFAULT_FAKE_TOKEN)).toBe(true);
  });

  it('the PR is closed unmerged → the MR fails (pr_closed) and the source bead is reopened', async () => {
    const t = await scmTown({ rigConfig: { refinery: { code_review: false } } });
    const pr = await submittedPr(t);
    await t.repo.setPull(pr.number, { state: 'closed' });
    await pollUntilSettled(t, pr.mrId);
    expect(await statusOf(t, pr.mrId)).toBe('failed');
    expect(await statusTrail(t, pr.mrId)).toContain('in_progress→failed:pr_closed');
    // Reopened (B1 may dispatch it again at once).
    expect(await statusTrail(t, pr.issueId)).toContain('in_review→open:merge_request_failed');
  });
});
