/**
 * Ready work (`domain.md` §4) read with `readyWork(sql)` inside a real TownDO after the state
 * was built through the API: `blocks` chains and diamonds, failed blockers, held and assigned
 * beads, staged convoys, and the dispatch order.
 */
import { describe, expect, it } from 'vitest';
import { call, createIssue, patchBeadOk, slingBatchOk } from './helpers.ts';
import { advanceClock, pinClock, quietFixture, readyIds, seedAgent } from './seed.ts';

describe('readyWork', () => {
  it('a chain A ← B ← C offers only A, then B once A is closed', async () => {
    const f = await quietFixture();
    const a = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'A' });
    const b = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'B', depends_on: [a.id] });
    const c = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'C', depends_on: [b.id] });
    expect(await readyIds(f.townId)).toEqual([a.id]);
    await patchBeadOk(f.token, f.townId, a.id, { status: 'closed' });
    expect(await readyIds(f.townId)).toEqual([b.id]);
    await patchBeadOk(f.token, f.townId, b.id, { status: 'closed' });
    expect(await readyIds(f.townId)).toEqual([c.id]);
  });

  it('a diamond offers D only once both B and C are closed', async () => {
    const f = await quietFixture();
    const a = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'A' });
    const b = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'B', depends_on: [a.id] });
    const c = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'C', depends_on: [a.id] });
    const d = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'D', depends_on: [b.id, c.id] });
    expect(await readyIds(f.townId)).toEqual([a.id]);
    await patchBeadOk(f.token, f.townId, a.id, { status: 'closed' });
    expect(new Set(await readyIds(f.townId))).toEqual(new Set([b.id, c.id]));
    await patchBeadOk(f.token, f.townId, b.id, { status: 'closed' });
    expect(await readyIds(f.townId)).toEqual([c.id]);
    await patchBeadOk(f.token, f.townId, c.id, { status: 'closed' });
    expect(await readyIds(f.townId)).toEqual([d.id]);
  });

  it('a failed blocker keeps its dependents waiting', async () => {
    const f = await quietFixture();
    const a = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'A' });
    await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'B', depends_on: [a.id] });
    await patchBeadOk(f.token, f.townId, a.id, { status: 'failed' });
    expect(await readyIds(f.townId)).toEqual([]);
  });

  it('re-pointing depends_on at a closed bead releases the dependent', async () => {
    const f = await quietFixture();
    const a = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'A' });
    const done = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Done' });
    await patchBeadOk(f.token, f.townId, done.id, { status: 'closed' });
    const b = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'B', depends_on: [a.id] });
    await patchBeadOk(f.token, f.townId, a.id, { status: 'failed' });
    expect(await readyIds(f.townId)).toEqual([]);
    await patchBeadOk(f.token, f.townId, b.id, { depends_on: [done.id] });
    expect(await readyIds(f.townId)).toEqual([b.id]);
  });

  it('excludes held beads', async () => {
    const f = await quietFixture();
    await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Held', held: true });
    const free = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Free' });
    expect(await readyIds(f.townId)).toEqual([free.id]);
  });

  it('excludes assigned beads', async () => {
    const f = await quietFixture();
    const taken = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Taken' });
    const free = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Free' });
    await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, hookBeadId: taken.id });
    expect(await readyIds(f.townId)).toEqual([free.id]);
  });

  it('excludes members of a staged convoy until it starts', async () => {
    const f = await quietFixture();
    const { convoy, beads } = await slingBatchOk(f.token, f.townId, {
      rig_id: f.rigId,
      title: 'Plan',
      staged: true,
      tasks: [{ title: 'first' }, { title: 'second', depends_on: [0] }],
    });
    expect(await readyIds(f.townId)).toEqual([]);
    const start = await call('POST', `/api/towns/${f.townId}/convoys/${convoy.id}/start`, { token: f.token });
    expect(start.status).toBe(200);
    expect(await readyIds(f.townId)).toEqual([beads[0]?.id]);
  });

  it('orders by priority (critical first), then created_at, then id', async () => {
    const f = await quietFixture();
    await pinClock(f.townId, Date.parse('2030-01-01T00:00:00.000Z'));
    const low = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'low', priority: 'low' });
    await advanceClock(f.townId, 1000);
    const mediumEarly = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'medium early' });
    await advanceClock(f.townId, 1000);
    const high = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'high', priority: 'high' });
    const critical = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'critical', priority: 'critical' });
    // Same priority and same created_at: the id decides.
    const twinA = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'twin a' });
    const twinB = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'twin b' });
    expect(twinA.created_at).toBe(twinB.created_at);
    const twins = [twinA.id, twinB.id].sort();
    expect(await readyIds(f.townId)).toEqual([critical.id, high.id, mediumEarly.id, ...twins, low.id]);
  });
});
