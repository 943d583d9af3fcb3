/**
 * PR polling that cannot succeed, against the fake git host (`scm.md` §1 invariant, §2, §4): no
 * token → the MR fails at the first poll with kind `no_token`, the sources tried in its message,
 * an escalation, and nothing sent; a stored PR URL on another repository → `host_mismatch` and
 * no request at all; a rejected token fails at once; transient errors only count until a success
 * resets them; three malformed answers fail the MR.
 */
import { describe, expect, it } from 'vitest';
import { newBead } from './helpers.ts';
import { seedMergeRequest, setBeadStatus } from './seed.ts';
import { SCENARIO_TIMEOUT_MS, FAKE_GIT_HOST_ORIGIN, MIN, beadEvents, createRepo, reviewOf, scmTown, statusOf, statusTrail, submittedPr, tickUntil, type ScmTown } from './scm-support.ts';

const REVIEW_OFF = { refinery: { code_review: false } };

/** The pr_poll_failed bead event of an MR (exactly one). */
async function pollFailure(t: ScmTown, mrId: string): Promise<Record<string, unknown>> {
  const events = await beadEvents(t, mrId, 'pr_poll_failed');
  expect(events).toHaveLength(1);
  const event = events[0];
  if (event === undefined) throw new Error('no pr_poll_failed event');
  return event.metadata;
}

async function escalations(t: ScmTown, mrId: string): Promise<{ category: string; severity: string }[]> {
  return t.sql(`SELECT e.category, e.severity FROM escalation_metadata e JOIN beads b ON b.bead_id = e.bead_id WHERE b.parent_bead_id = ?`, mrId);
}

/** Polls once (the MR is due) and applies the outcome. */
async function pollOnce(t: ScmTown): Promise<void> {
  await t.advance(MIN);
  await t.tick();
  await t.advance(1000);
  await t.tick();
}

describe('PR poll failures', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  it('no token: the MR fails at the first poll (no_token, the sources tried), escalates, and the host sees no poll', async () => {
    const t = await scmTown({ token: null, rigConfig: REVIEW_OFF });
    const pr = await submittedPr(t);
    await tickUntil(t, async () => (await statusOf(t, pr.mrId)) !== 'in_progress', 3);
    expect(await statusTrail(t, pr.mrId)).toContain('in_progress→failed:pr_poll_failed');
    const failure = await pollFailure(t, pr.mrId);
    expect(failure).toMatchObject({ failure_kind: 'no_token' });
    expect(String(failure.message)).toContain('github_cli_pat: absent; integration: absent; stored: absent');
    expect(String(failure.message)).toContain(`PR #${pr.number}`);
    expect(await escalations(t, pr.mrId)).toEqual([{ category: 'pr_poll_failed', severity: 'medium' }]);
    expect((await t.repo.requests('GET')).filter((r) => r.path.includes('/pulls/'))).toEqual([]);
  });

  it('a stored PR URL on another repository: host_mismatch at the first poll and no request at all', async () => {
    const t = await scmTown({ rigConfig: REVIEW_OFF });
    const other = await createRepo('elsewhere');
    const issue = String((await newBead(t.token, t.townId, { rig_id: t.rigId, title: 'Legacy PR', held: true })).id);
    await setBeadStatus(t.townId, issue, 'in_review');
    const foreignPr = `${FAKE_GIT_HOST_ORIGIN}/${other.path}/pull/1`;
    const mrId = await seedMergeRequest(t.townId, { rigId: t.rigId, sourceBeadId: issue, status: 'in_progress', prUrl: foreignPr });
    await t.kick();
    await pollOnce(t);
    expect(await statusOf(t, mrId)).toBe('failed');
    const failure = await pollFailure(t, mrId);
    expect(failure).toMatchObject({ failure_kind: 'host_mismatch' });
    expect(String(failure.message)).toContain('no token was sent');
    expect(await other.requests()).toEqual([]);
    expect(await t.repo.requests()).toEqual([]);
  });

  it('a token the host rejects (401) fails the MR at once with an actionable message', async () => {
    const t = await scmTown({ token: 'ghp_revoked_token_0000000000000000', rigConfig: REVIEW_OFF });
    const pr = await submittedPr(t);
    await tickUntil(t, async () => (await statusOf(t, pr.mrId)) !== 'in_progress', 3);
    expect(await statusOf(t, pr.mrId)).toBe('failed');
    const failure = await pollFailure(t, pr.mrId);
    expect(failure).toMatchObject({ failure_kind: 'http_error', status: 401 });
    expect(String(failure.message)).toMatch(/^GitHub rejected the token .*expired or been revoked/);
    expect(String(failure.message)).not.toContain('ghp_revoked');
    const polls = (await t.repo.requests('GET')).filter((r) => r.path.endsWith(`/pulls/${pr.number}`));
    expect(polls).toEqual([expect.objectContaining({ status: 401, auth_sent: true })]);
  });

  it('transient errors (503) only count; a success resets the counter', async () => {
    const t = await scmTown({ rigConfig: REVIEW_OFF });
    const pr = await submittedPr(t);
    await pollOnce(t);
    await queueFailure(t, `/api/v3/repos/${t.repo.path}/pulls/${pr.number}`, 503, 3);
    for (let i = 1; i <= 3; i += 1) {
      await pollOnce(t);
      expect(await reviewOf(t, pr.mrId)).toMatchObject({ poll_transient_count: i, poll_non_transient_count: 0 });
    }
    await pollOnce(t);
    expect(await reviewOf(t, pr.mrId)).toMatchObject({ poll_transient_count: 0, poll_non_transient_count: 0 });
    expect(await statusOf(t, pr.mrId)).toBe('in_progress');
  });

  it('three malformed answers in a row fail the MR (invalid_response)', async () => {
    const t = await scmTown({ rigConfig: REVIEW_OFF });
    const pr = await submittedPr(t);
    await pollOnce(t);
    await queueFailure(t, `/api/v3/repos/${t.repo.path}/pulls/${pr.number}`, 'malformed_json', 3);
    await pollOnce(t);
    await pollOnce(t);
    expect(await reviewOf(t, pr.mrId)).toMatchObject({ poll_non_transient_count: 2 });
    expect(await statusOf(t, pr.mrId)).toBe('in_progress');
    await pollOnce(t);
    expect(await statusOf(t, pr.mrId)).toBe('failed');
    expect(await pollFailure(t, pr.mrId)).toMatchObject({ failure_kind: 'invalid_response', message: expect.stringContaining('json_parse') });
  });
});

async function queueFailure(t: ScmTown, pathGlob: string, status: number | 'malformed_json', count: number): Promise<void> {
  const res = await fetch(`${FAKE_GIT_HOST_ORIGIN}/__fake/failures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path_glob: pathGlob, status, count, method: 'GET' }) });
  expect(res.status, `${t.repo.path}: queue failure`).toBe(200);
}
