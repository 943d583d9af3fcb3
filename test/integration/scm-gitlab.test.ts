/**
 * The GitLab flavour against the fake git host (`scm.md` §1, §4, §5): a town with
 * `gitlab_instance_url` and a stored GitLab token; the polecat's MR `web_url` is stored, the MR is
 * polled through `/api/v4` with `PRIVATE-TOKEN` (no feedback checks: GitLab gets neither
 * auto-resolve nor auto-merge), and a human merge closes the MR and its source.
 */
import { describe, expect, it } from 'vitest';
import { dispatchedPolecat } from './report-support.ts';
import { DEFAULT_FAKE_TOKEN, FAKE_GIT_HOST_ORIGIN, MIN, SCENARIO_TIMEOUT_MS, done, mrOf, pollUntilSettled, reviewOf, scmTown, statusOf, tickUntil } from './scm-support.ts';

describe('a GitLab merge request', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  it('is stored, polled with PRIVATE-TOKEN without feedback checks, and closed when a human merges it', async () => {
    const t = await scmTown({ flavour: 'gitlab', rigConfig: { refinery: { code_review: false } } });
    const polecat = await dispatchedPolecat(t, 'GitLab change');
    const branch = `gt/toast/${polecat.beadId.slice(0, 8)}`;
    await t.repo.commit(branch, { 'gl.txt': 'gitlab\n' });
    const mr = await t.repo.openMr(branch);
    expect(mr.web_url).toBe(`${FAKE_GIT_HOST_ORIGIN}/${t.repo.path}/-/merge_requests/${mr.iid}`);
    await done(polecat, { branch, pr_url: mr.web_url, bead_id: polecat.beadId });
    let mrId: string | null = null;
    await tickUntil(t, async () => {
      mrId = await mrOf(t, polecat.beadId);
      return mrId !== null && (await statusOf(t, mrId)) === 'in_progress';
    });
    if (mrId === null) throw new Error('no merge request');
    expect((await reviewOf(t, mrId)).pr_url).toBe(mr.web_url);

    await t.advance(MIN);
    await t.tick();
    await t.repo.humanMergeMr(mr.iid);
    await pollUntilSettled(t, mrId);
    expect(await statusOf(t, mrId)).toBe('closed');
    expect(await statusOf(t, polecat.beadId)).toBe('closed');

    const polls = (await t.repo.requests('GET')).filter((r) => r.path === `/api/v4/projects/${encodeURIComponent(t.repo.path)}/merge_requests/${mr.iid}`);
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(polls.every((r) => r.token === DEFAULT_FAKE_TOKEN && r.auth_sent)).toBe(true);
    expect((await t.repo.requests()).filter((r) => r.path.includes('/commits/'))).toEqual([]);
  });
});
