/**
 * A PR that waits on a human approval (branch protection, `reviewDecision = REVIEW_REQUIRED`;
 * seed 001, `scm.md` §5, `reconciler.md` R1, R4, R6, R8, C3) against the fake git host: the poll
 * marks the MR `awaiting_approval`; from then on it is polled every 5 min, never failed as an
 * orphaned review, its refinery is not re-dispatched, auto-merge waits, and after 24 h one low
 * escalation asks a human; an approval on the host resolves it. A convoy's landing PR that
 * awaited approval is never respawned.
 */
import { describe, expect, it } from 'vitest';
import { call, slingBatchOk } from './helpers.ts';
import { holderOf } from './reconciler-support.ts';
import { agentPath, agentToken, type AgentIdentity } from './report-support.ts';
import { SCENARIO_TIMEOUT_MS, MIN, beadEvents, done, reviewOf, scmTown, statusOf, submittedPr, tickUntil, type ScmTown } from './scm-support.ts';

const HOUR = 60 * MIN;

/** The agent hooked to `beadId`, as its session identity. */
async function holderIdentity(t: ScmTown, beadId: string): Promise<AgentIdentity> {
  const agentId = await holderOf(t, beadId);
  if (agentId === null) throw new Error(`nobody holds ${beadId}`);
  const agent = await t.agent(agentId);
  return { townId: t.townId, rigId: t.rigId, agentId, role: agent.role === 'refinery' ? 'refinery' : 'polecat', dispatchId: String(agent.current_dispatch_id) };
}

function refineryDispatches(t: ScmTown): number {
  return t.fake.dispatches.filter((d) => d.role === 'refinery').length;
}

async function pollsOf(t: ScmTown, number: number): Promise<number> {
  return (await t.repo.requests('GET')).filter((r) => r.path.endsWith(`/pulls/${number}`)).length;
}

async function escalationsOf(t: ScmTown, parentId: string): Promise<{ category: string; severity: string }[]> {
  return t.sql(`SELECT e.category, e.severity FROM escalation_metadata e JOIN beads b ON b.bead_id = e.bead_id WHERE b.parent_bead_id = ?`, parentId);
}

describe('a PR awaiting approval', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  it('is neither failed as orphaned nor re-reviewed nor merged, is polled every 5 min, escalates after 24 h, and resolves on approval', async () => {
    const t = await scmTown();
    const pr = await submittedPr(t, 'Protected change');
    await t.repo.setPull(pr.number, { reviewDecision: 'REVIEW_REQUIRED' });
    // The refinery's session ends without gt_done: R6 would re-dispatch it, R4 would fail the MR.
    const refinery = await holderIdentity(t, pr.mrId);
    const exited = await call('POST', `${agentPath(refinery)}/completed`, { token: await agentToken(refinery), body: { status: 'completed' } });
    expect(exited.status).toBe(200);
    const dispatched = refineryDispatches(t);

    await tickUntil(t, async () => (await reviewOf(t, pr.mrId)).awaiting_approval === 1, 3);
    expect((await beadEvents(t, pr.mrId, 'awaiting_approval')).map((e) => e.metadata)).toEqual([{ review_decision: 'REVIEW_REQUIRED' }]);
    const since = Date.parse(String((await reviewOf(t, pr.mrId)).awaiting_approval_since));

    const polls = await pollsOf(t, pr.number);
    for (let i = 0; i < 4; i += 1) {
      await t.advance(MIN);
      await t.tick();
    }
    expect(await pollsOf(t, pr.number), 'no poll within 5 min while awaiting approval').toBe(polls);

    for (let i = 0; i < 8; i += 1) {
      await t.advance(5 * MIN);
      await t.tick();
    }
    expect(await pollsOf(t, pr.number)).toBeGreaterThan(polls);
    expect(await statusOf(t, pr.mrId), 'no R4 orphan failure after 40 min').toBe('in_progress');
    expect(refineryDispatches(t), 'no R6 re-dispatch').toBe(dispatched);
    expect(await reviewOf(t, pr.mrId)).toMatchObject({ awaiting_approval: 1, auto_merge_ready_since: null, auto_merge_pending: 0 });
    expect(t.fake.count('merge_pr')).toBe(0);
    expect(await escalationsOf(t, pr.mrId)).toEqual([]);

    await t.advance(since + 24 * HOUR - t.now());
    await t.tick();
    expect(await escalationsOf(t, pr.mrId)).toEqual([{ category: 'pr_awaiting_approval', severity: 'low' }]);
    expect(await t.repo.requests('PUT')).toEqual([]);
    expect((await t.repo.pull(pr.number)).state).toBe('open');

    await t.repo.review(pr.number, 'APPROVE');
    await t.advance(5 * MIN);
    await t.tick();
    await tickUntil(t, async () => (await reviewOf(t, pr.mrId)).awaiting_approval === 0, 3);
    expect((await beadEvents(t, pr.mrId, 'approval_resolved')).map((e) => e.metadata)).toEqual([{ review_decision: 'APPROVED' }]);
  });
});

describe('a convoy landing PR awaiting approval', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  it('is not respawned, even after it failed', async () => {
    const t = await scmTown();
    const { convoy, beads } = await slingBatchOk(t.token, t.townId, { rig_id: t.rigId, title: 'Plan', tasks: [{ title: 'one' }], merge_mode: 'review-then-land' });
    const member = beads[0];
    const feature = convoy.feature_branch;
    if (member === undefined || feature === null) throw new Error('a review-then-land convoy with one member expected');

    // The member: polecat done → MR into the feature branch → the refinery merges it (direct).
    await tickUntil(t, async () => (await holderOf(t, member.id)) !== null);
    const polecat = await holderIdentity(t, member.id);
    await done(polecat, { branch: `gt/toast/${member.id.slice(0, 8)}`, bead_id: member.id });
    let memberMr = '';
    await tickUntil(t, async () => {
      const rows = await t.sql<{ bead_id: string }>(`SELECT bead_id FROM beads WHERE type = 'merge_request' AND status = 'in_progress'`);
      memberMr = rows[0]?.bead_id ?? '';
      return memberMr !== '' && (await holderOf(t, memberMr)) !== null;
    });
    const merged = await t.repo.commit(feature, { 'one.txt': 'one\n' });
    await done(await holderIdentity(t, memberMr), { branch: feature, merge_commit: merged, bead_id: memberMr });

    // The landing MR: the refinery opens the feature → main PR and hands it over.
    let landing = '';
    await tickUntil(t, async () => {
      const rows = await t.sql<{ bead_id: string }>(`SELECT bead_id FROM beads WHERE type = 'merge_request' AND labels LIKE '%gt:landing%' AND status = 'in_progress'`);
      landing = rows[0]?.bead_id ?? '';
      return landing !== '' && (await holderOf(t, landing)) !== null;
    });
    const landingPr = await t.repo.openPr(feature, 'main', 'Land the plan');
    await t.repo.setPull(landingPr.number, { reviewDecision: 'REVIEW_REQUIRED' });
    await done(await holderIdentity(t, landing), { branch: feature, pr_url: landingPr.html_url, bead_id: landing });
    await tickUntil(t, async () => (await reviewOf(t, landing)).awaiting_approval === 1, 4);

    for (let i = 0; i < 6; i += 1) {
      await t.advance(HOUR);
      await t.tick();
    }
    expect(await statusOf(t, landing)).toBe('in_progress');

    // A human closes the PR: the landing MR fails, but the convoy does not spawn another.
    await t.repo.setPull(landingPr.number, { state: 'closed' });
    await tickUntil(t, async () => (await statusOf(t, landing)) === 'failed', 4, 5 * MIN);
    for (let i = 0; i < 4; i += 1) {
      await t.advance(HOUR);
      await t.tick();
    }
    const landings = await t.sql(`SELECT bead_id FROM beads WHERE type = 'merge_request' AND labels LIKE '%gt:landing%'`);
    expect(landings).toHaveLength(1);
    expect(await t.sql(`SELECT state, landing_mr_attempts FROM convoy_metadata WHERE bead_id = ?`, convoy.id)).toEqual([{ state: 'landing', landing_mr_attempts: 1 }]);
    // One escalation asks a human (raised low; re-escalation may have bumped it since).
    expect((await escalationsOf(t, landing)).map((e) => e.category)).toEqual(['pr_awaiting_approval']);
  });
});
