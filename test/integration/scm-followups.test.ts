/**
 * Follow-ups from PR polling against the fake git host (`scm.md` §5–§6, `reconciler.md` §5.3):
 * changes requested by a human → one `gt:pr-feedback` issue blocking the MR (never duplicated
 * while it lives; past the follow-up cap the MR fails); a real merge conflict (the target branch
 * moved under the PR) → a `gt:pr-conflict` issue once per episode, or a high `merge_conflict`
 * escalation when conflict resolution is off.
 */
import { describe, expect, it } from 'vitest';
import { holderOf } from './reconciler-support.ts';
import type { AgentIdentity } from './report-support.ts';
import { SCENARIO_TIMEOUT_MS, MIN, done, pollUntilSettled, reviewOf, scmTown, statusOf, statusTrail, submittedPr, tickUntil, type ScmTown } from './scm-support.ts';

interface FollowUp {
  bead_id: string;
  status: string;
  labels: string;
  followup_context: string;
}

/** Follow-up issues of an MR with `label`, oldest first. */
async function followUps(t: ScmTown, mrId: string, label: string): Promise<FollowUp[]> {
  return t.sql<FollowUp>(`SELECT bead_id, status, labels, followup_context FROM beads WHERE parent_bead_id = ? AND type = 'issue' AND labels LIKE ? ORDER BY created_at, bead_id`, mrId, `%${label}%`);
}

/** Whether `blocker` has a `blocks` edge onto the MR. */
async function blocks(t: ScmTown, mrId: string, blocker: string): Promise<boolean> {
  return (await t.sql(`SELECT 1 FROM bead_dependencies WHERE bead_id = ? AND depends_on_bead_id = ? AND dependency_type = 'blocks'`, mrId, blocker)).length === 1;
}

async function pollOnce(t: ScmTown): Promise<void> {
  await t.advance(MIN);
  await t.tick();
  await t.advance(1000);
  await t.tick();
}

async function polecatOn(t: ScmTown, beadId: string): Promise<AgentIdentity> {
  await tickUntil(t, async () => (await holderOf(t, beadId)) !== null);
  const agentId = await holderOf(t, beadId);
  if (agentId === null) throw new Error(`nobody holds ${beadId}`);
  return { townId: t.townId, rigId: t.rigId, agentId, role: 'polecat', dispatchId: String((await t.agent(agentId)).current_dispatch_id) };
}

describe('changes requested on the PR', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  it('one gt:pr-feedback issue blocks the MR, never duplicated while it lives; past the cap the MR fails', async () => {
    const t = await scmTown({ rigConfig: { refinery: { code_review: false } } });
    const pr = await submittedPr(t, 'Reviewed change');
    await t.repo.review(pr.number, 'REQUEST_CHANGES', 'please rename things');

    for (let round = 1; round <= 5; round += 1) {
      await tickUntil(t, async () => (await followUps(t, pr.mrId, 'gt:pr-feedback')).length === round, 4, MIN);
      for (let i = 0; i < 3; i += 1) await pollOnce(t);
      const all = await followUps(t, pr.mrId, 'gt:pr-feedback');
      expect(all, `round ${round}: still one new follow-up after more polls`).toHaveLength(round);
      const current = all[round - 1];
      if (current === undefined) throw new Error('follow-up expected');
      expect(JSON.parse(current.labels)).toEqual(['gt:pr-feedback']);
      expect(JSON.parse(current.followup_context)).toMatchObject({ pr_url: pr.html_url, branch: pr.branch });
      expect(await blocks(t, pr.mrId, current.bead_id)).toBe(true);
      expect((await reviewOf(t, pr.mrId)).followup_count).toBe(round);
      // The polecat addresses it on the PR branch and ends with the existing PR URL.
      await done(await polecatOn(t, current.bead_id), { branch: pr.branch, pr_url: pr.html_url, bead_id: current.bead_id });
      await tickUntil(t, async () => (await statusOf(t, current.bead_id)) === 'closed');
    }
    // The reviewer still wants changes: a sixth follow-up is past the cap.
    await pollUntilSettled(t, pr.mrId);
    expect(await statusTrail(t, pr.mrId)).toContain('in_progress→failed:followup_cap');
    expect(await followUps(t, pr.mrId, 'gt:pr-feedback')).toHaveLength(5);
  });
});

describe('a merge conflict on the PR', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  async function conflictingPr(t: ScmTown) {
    const pr = await submittedPr(t, 'Touch the readme', { 'README.md': '# app, from the branch\n' });
    await t.repo.commit('main', { 'README.md': '# app, changed on main\n' });
    return pr;
  }

  it('a new dirty episode → one gt:pr-conflict issue blocking the MR', async () => {
    const t = await scmTown({ rigConfig: { refinery: { code_review: false } } });
    const pr = await conflictingPr(t);
    await tickUntil(t, async () => (await followUps(t, pr.mrId, 'gt:pr-conflict')).length === 1, 4, MIN);
    expect(await reviewOf(t, pr.mrId)).toMatchObject({ has_conflicts: 1 });
    for (let i = 0; i < 3; i += 1) await pollOnce(t);
    const conflicts = await followUps(t, pr.mrId, 'gt:pr-conflict');
    expect(conflicts).toHaveLength(1);
    const conflict = conflicts[0];
    if (conflict === undefined) throw new Error('conflict follow-up expected');
    expect(await blocks(t, pr.mrId, conflict.bead_id)).toBe(true);
    expect(JSON.parse(conflict.followup_context)).toMatchObject({ pr_url: pr.html_url, branch: pr.branch, target_branch: 'main' });
    expect(await statusOf(t, pr.mrId)).toBe('in_progress');
  });

  it('with conflict resolution off → escalate(merge_conflict, high), no issue', async () => {
    const t = await scmTown({ rigConfig: { refinery: { code_review: false, auto_resolve_merge_conflicts: false } } });
    const pr = await conflictingPr(t);
    await tickUntil(t, async () => (await reviewOf(t, pr.mrId)).has_conflicts === 1, 4, MIN);
    const escalations = await t.sql(`SELECT e.category, e.severity FROM escalation_metadata e JOIN beads b ON b.bead_id = e.bead_id WHERE b.parent_bead_id = ?`, pr.mrId);
    expect(escalations).toEqual([{ category: 'merge_conflict', severity: 'high' }]);
    expect(await followUps(t, pr.mrId, 'gt:pr-conflict')).toEqual([]);
  });
});
