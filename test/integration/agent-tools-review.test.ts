/**
 * The review path through the agent routes (`http-api.md` §4.3, `reconciler.md` §3, seed 000 §6c):
 * a polecat's P`/done` becomes a merge request at the next tick; a hooked refinery's P`/done`
 * merges it (direct strategy); a refinery that lost its hook and calls done without a PR fails
 * the review instead of merging; P`/request-changes` sends the MR back with a `gt:rework` issue
 * that blocks it, whose polecat then sees the feedback in its prime.
 */
import { describe, expect, it } from 'vitest';
import { Bead, BeadWithRelations } from '../../src/protocol/api.ts';
import { PrimeResult } from '../../src/protocol/agent.ts';
import { call, data, errorOf } from './helpers.ts';
import { harness, holderOf } from './reconciler-support.ts';
import { dispatchedPolecat } from './report-support.ts';
import { seedAgent } from './seed.ts';
import { mergeRequestInReview, onAgent } from './agent-tools-support.ts';

const S = 1000;
const DIRECT = { merge_strategy: 'direct' };

describe('P/done through the route', () => {
  it('a polecat done + tick creates the merge request and puts the issue in review', async () => {
    const h = await harness(DIRECT);
    const polecat = await dispatchedPolecat(h, 'Add the endpoint');
    const r = await onAgent(polecat, 'POST', 'done', { body: { branch: 'gt/toast/add-endpoint', summary: 'added', bead_id: polecat.beadId } });
    expect(r.status).toBe(200);
    expect(data(r)).toEqual({ accepted: true });
    // Nothing changes before the tick applies the fact.
    expect((await h.bead(polecat.beadId)).status).toBe('in_progress');
    await h.advance(1 * S);
    await h.tick();
    expect((await h.bead(polecat.beadId)).status).toBe('in_review');
    const mrs = await h.sql<{ bead_id: string; type: string; branch: string }>(
      `SELECT b.bead_id, b.type, rm.branch FROM beads b JOIN review_metadata rm ON rm.bead_id = b.bead_id
       JOIN bead_dependencies d ON d.bead_id = b.bead_id AND d.dependency_type = 'tracks' WHERE d.depends_on_bead_id = ?`,
      polecat.beadId,
    );
    expect(mrs).toEqual([{ bead_id: expect.any(String), type: 'merge_request', branch: 'gt/toast/add-endpoint' }]);
    expect(await holderOf(h, polecat.beadId)).toBeNull();
    expect((await h.agent(polecat.agentId)).status).toBe('idle');
  });

  it('the hooked refinery done + tick merges under the direct strategy: MR and issue closed', async () => {
    const h = await harness(DIRECT);
    const review = await mergeRequestInReview(h);
    const r = await onAgent(review.refinery, 'POST', 'done', { body: { branch: 'gt/toast/x', merge_commit: 'abcdef1234', bead_id: review.mrId } });
    expect(r.status).toBe(200);
    await h.advance(1 * S);
    await h.tick();
    expect((await h.bead(review.mrId)).status).toBe('closed');
    expect((await h.bead(review.sourceId)).status).toBe('closed');
    const merged = await h.sql<{ merge_commit: string }>(`SELECT merge_commit FROM review_metadata WHERE bead_id = ?`, review.mrId);
    expect(merged).toEqual([{ merge_commit: 'abcdef1234' }]);
    expect((await h.agent(review.refinery.agentId)).status).toBe('idle');
  });

  it('a refinery that lost its hook and calls done without pr_url fails the review, reopens the source and escalates; nothing merges', async () => {
    const h = await harness(DIRECT);
    const review = await mergeRequestInReview(h);
    // The hook-leak race of seed 000 §6: the refinery's hook is gone while it still runs.
    await h.sql(`UPDATE agent_metadata SET current_hook_bead_id = NULL WHERE bead_id = ?`, review.refinery.agentId);
    const r = await onAgent(review.refinery, 'POST', 'done', { body: { branch: 'gt/toast/x', bead_id: review.mrId } });
    expect(r.status).toBe(200);
    expect(data(r)).toEqual({ accepted: true });
    await h.advance(1 * S);
    await h.tick();
    expect((await h.bead(review.mrId)).status).toBe('failed');
    expect((await h.bead(review.sourceId)).status).toBe('open');
    const merged = await h.sql<{ merge_commit: string | null }>(`SELECT merge_commit FROM review_metadata WHERE bead_id = ?`, review.mrId);
    expect(merged).toEqual([{ merge_commit: null }]);
    const escalations = await call('GET', `/api/towns/${h.townId}/escalations`, { token: h.token });
    expect(data<{ category: string; severity: string; bead_id: string }[]>(escalations)).toEqual([
      expect.objectContaining({ category: 'refinery_unhooked_done', severity: 'high', bead_id: review.mrId }),
    ]);
  });
});

describe('P/request-changes', () => {
  it('creates a gt:rework issue blocking the MR; the MR reopens and the refinery is unhooked but keeps working', async () => {
    const h = await harness(DIRECT);
    const review = await mergeRequestInReview(h);
    const r = await onAgent(review.refinery, 'POST', 'request-changes', { body: { feedback: 'The handler ignores errors.', files: ['src/handler.ts'] } });
    expect(r.status).toBe(201);
    const rework = Bead.parse(data<{ rework_bead: unknown }>(r).rework_bead);
    expect(rework).toMatchObject({ type: 'issue', status: 'open', title: 'Rework: Build the thing', labels: ['gt:rework'], parent_bead_id: review.mrId, rig_id: h.rigId, held: false });
    expect(rework.body).toContain('The handler ignores errors.');
    expect(rework.body).toContain('src/handler.ts');
    expect(rework.created_by).toBe(`agent:${review.refinery.agentId}`);
    const mr = BeadWithRelations.parse(data(await call('GET', `/api/towns/${h.townId}/beads/${review.mrId}`, { token: h.token })));
    expect(mr.bead.status).toBe('open');
    expect(mr.blocked_by.map((b) => b.id)).toEqual([rework.id]);
    expect(await holderOf(h, review.mrId)).toBeNull();
    const refinery = await h.agent(review.refinery.agentId);
    expect(refinery).toMatchObject({ status: 'working', current_hook_bead_id: null });
    expect((await h.bead(review.sourceId)).status).toBe('in_review');
    const again = await onAgent(review.refinery, 'POST', 'request-changes', { body: { feedback: 'again' } });
    expect(again.status).toBe(409);
    expect(errorOf(again).code).toBe('not_hooked');
  });

  it("the rework's polecat gets the feedback and the MR branch in its prime context", async () => {
    const h = await harness(DIRECT);
    const review = await mergeRequestInReview(h);
    const r = await onAgent(review.refinery, 'POST', 'request-changes', { body: { feedback: 'Fix the test.', files: ['test/a.test.ts'] } });
    const reworkId = data<{ rework_bead: { id: string } }>(r).rework_bead.id;
    await h.advance(1 * S);
    await h.tick();
    const holder = await holderOf(h, reworkId);
    expect(holder).not.toBeNull();
    const agent = await h.agent(String(holder));
    const who = { townId: h.townId, rigId: h.rigId, agentId: String(holder), role: 'polecat' as const, dispatchId: String(agent.current_dispatch_id) };
    const prime = PrimeResult.parse(data(await onAgent(who, 'POST', 'prime')));
    expect(prime.hooked_bead?.id).toBe(reworkId);
    const branch = await h.sql<{ branch: string }>(`SELECT branch FROM review_metadata WHERE bead_id = ?`, review.mrId);
    expect(prime.context.rework).toMatchObject({ feedback: 'Fix the test.', files: ['test/a.test.ts'], branch: branch[0]?.branch, target_branch: 'main' });
  });

  it('a refinery without a merge request in review is a 409 not_hooked; a polecat is a 403', async () => {
    const h = await harness(DIRECT);
    const refineryId = await seedAgent(h.townId, { role: 'refinery', rigId: h.rigId, status: 'working' });
    const refinery = { townId: h.townId, rigId: h.rigId, agentId: refineryId, role: 'refinery' as const, dispatchId: null };
    const r = await onAgent(refinery, 'POST', 'request-changes', { body: { feedback: 'nope' } });
    expect(r.status).toBe(409);
    expect(errorOf(r).code).toBe('not_hooked');
    const polecat = await dispatchedPolecat(h);
    expect((await onAgent(polecat, 'POST', 'request-changes', { body: { feedback: 'nope' } })).status).toBe(403);
  });

  it('past the follow-up cap the MR fails and escalates instead: a 409 conflict, no rework issue', async () => {
    const h = await harness(DIRECT);
    const review = await mergeRequestInReview(h);
    await h.sql(`UPDATE review_metadata SET followup_count = 5 WHERE bead_id = ?`, review.mrId);
    const r = await onAgent(review.refinery, 'POST', 'request-changes', { body: { feedback: 'once more' } });
    expect(r.status).toBe(409);
    expect(errorOf(r)).toMatchObject({ code: 'conflict', details: { reason: 'followup_cap', merge_request_id: review.mrId } });
    expect((await h.bead(review.mrId)).status).toBe('failed');
    expect((await h.bead(review.sourceId)).status).toBe('open');
    expect(await h.sql(`SELECT bead_id FROM beads WHERE parent_bead_id = ? AND type = 'issue'`, review.mrId)).toEqual([]);
    const escalations = await h.sql<{ category: string }>(`SELECT e.category FROM escalation_metadata e JOIN beads b ON b.bead_id = e.bead_id WHERE b.parent_bead_id = ?`, review.mrId);
    expect(escalations).toEqual([{ category: 'review_exhausted' }]);
  });
});
