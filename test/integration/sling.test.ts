/**
 * POST T/sling and T/sling-batch (`http-api.md` §3 SlingBatch, §4.2; `domain.md` §6.1–§6.2):
 * the dispatchable issue, every validation error of a batch with nothing written, the convoy
 * and its member edges on success, feature branches per merge mode, and the alarm kick.
 */
import { describe, expect, it } from 'vitest';
import { Bead } from '../../src/protocol/api.ts';
import { call, data, errorOf, issuePaths, slingBatchOk } from './helpers.ts';
import { countRows, kicks, queryTown, quietFixture, townAlarm } from './seed.ts';

const id8 = (id: string) => id.replace(/-/g, '').slice(0, 8);

/** The command kicked the alarm exactly once, leaving it due now (the tick itself is held). */
function expectKickedNow(townId: string): void {
  const alarms = kicks(townId);
  expect(alarms).toEqual([expect.any(Number)]);
  expect(alarms[0]).toBeLessThanOrEqual(Date.now());
}

describe('POST /sling', () => {
  it('creates an unheld open issue and kicks the alarm', async () => {
    const f = await quietFixture();
    expect(kicks(f.townId)).toEqual([]);
    expect(await townAlarm(f.townId)).toBeNull();
    const r = await call('POST', `/api/towns/${f.townId}/sling`, { token: f.token, body: { rig_id: f.rigId, title: 'Fix it', body: 'now', priority: 'high', labels: ['bug'] } });
    expect(r.status).toBe(201);
    const bead = Bead.parse(data<{ bead: unknown }>(r).bead);
    expect(bead).toMatchObject({ type: 'issue', status: 'open', held: false, rig_id: f.rigId, title: 'Fix it', body: 'now', priority: 'high', labels: ['bug'], created_by: `user:${f.user}` });
    expectKickedNow(f.townId);
  });

  it('pr_fixup labels the bead gt:pr-fixup and stores the PR as its followup_context', async () => {
    const f = await quietFixture();
    const prFixup = { pr_url: 'https://github.com/acme/app/pull/7', branch: 'feature/x', target_branch: 'main' };
    const r = await call('POST', `/api/towns/${f.townId}/sling`, { token: f.token, body: { rig_id: f.rigId, title: 'Fix the PR', pr_fixup: prFixup } });
    expect(r.status).toBe(201);
    const bead = Bead.parse(data<{ bead: unknown }>(r).bead);
    expect(bead.labels).toEqual(['gt:pr-fixup']);
    expect(bead.held).toBe(false);
    const rows = await queryTown(f.townId, `SELECT followup_context FROM beads WHERE bead_id = ?`, bead.id);
    const stored = rows[0]?.followup_context;
    expect(typeof stored).toBe('string');
    expect(JSON.parse(String(stored))).toEqual(prFixup);
  });

  it('an unknown rig is a 422 unknown_reference', async () => {
    const f = await quietFixture();
    const r = await call('POST', `/api/towns/${f.townId}/sling`, { token: f.token, body: { rig_id: crypto.randomUUID(), title: 'x' } });
    expect(r.status).toBe(422);
    expect(errorOf(r)).toMatchObject({ code: 'unknown_reference', details: { field: 'rig_id' } });
    expect(await countRows(f.townId, 'beads')).toBe(0);
  });
});

describe('POST /sling-batch validation (nothing is written on failure)', () => {
  const task = (title: string, depends_on?: number[]) => (depends_on === undefined ? { title } : { title, depends_on });

  it.each([
    ['an index out of range', [task('a'), task('b', [0, 5])], ['tasks', 1, 'depends_on', 1]],
    ['a negative index', [task('a', [-1]), task('b', [0])], ['tasks', 0, 'depends_on', 0]],
    ['a task depending on itself', [task('a'), task('b', [1])], ['tasks', 1, 'depends_on', 0]],
  ])('%s is a 400 validation_failed at its path', async (_name, tasks, path) => {
    const f = await quietFixture();
    const r = await call('POST', `/api/towns/${f.townId}/sling-batch`, { token: f.token, body: { rig_id: f.rigId, title: 'Plan', tasks } });
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatchObject({ code: 'validation_failed', details: { location: 'body' } });
    expect(issuePaths(r)).toContainEqual(path);
    expect(await countRows(f.townId, 'beads')).toBe(0);
  });

  it.each([
    ['no tasks', 0],
    ['51 tasks', 51],
  ])('%s is a 400', async (_name, n) => {
    const f = await quietFixture();
    const tasks = Array.from({ length: n }, (_, i) => task(`t${i}`));
    const r = await call('POST', `/api/towns/${f.townId}/sling-batch`, { token: f.token, body: { rig_id: f.rigId, title: 'Plan', tasks, parallel: true } });
    expect(r.status).toBe(400);
    expect(issuePaths(r)).toContainEqual(['tasks']);
    expect(await countRows(f.townId, 'beads')).toBe(0);
  });

  it('a cycle is a 422 dependency_cycle naming the task indexes', async () => {
    const f = await quietFixture();
    const tasks = [task('free'), task('b', [2]), task('c', [1])];
    const r = await call('POST', `/api/towns/${f.townId}/sling-batch`, { token: f.token, body: { rig_id: f.rigId, title: 'Plan', tasks } });
    expect(r.status).toBe(422);
    expect(errorOf(r)).toMatchObject({ code: 'dependency_cycle', details: { cycle: [1, 2] } });
    expect(await countRows(f.townId, 'beads')).toBe(0);
  });

  it.each([
    ['parallel absent', {}],
    ['parallel false', { parallel: false }],
  ])('two tasks without depends_on (%s) are a 422 dependencies_required', async (_name, extra) => {
    const f = await quietFixture();
    const r = await call('POST', `/api/towns/${f.townId}/sling-batch`, { token: f.token, body: { rig_id: f.rigId, title: 'Plan', tasks: [task('a'), task('b')], ...extra } });
    expect(r.status).toBe(422);
    expect(errorOf(r).code).toBe('dependencies_required');
    expect(await countRows(f.townId, 'beads')).toBe(0);
  });

  it('an unknown rig is a 422 unknown_reference', async () => {
    const f = await quietFixture();
    const r = await call('POST', `/api/towns/${f.townId}/sling-batch`, { token: f.token, body: { rig_id: crypto.randomUUID(), title: 'Plan', tasks: [task('a'), task('b', [0])] } });
    expect(r.status).toBe(422);
    expect(errorOf(r)).toMatchObject({ code: 'unknown_reference', details: { field: 'rig_id' } });
    expect(await countRows(f.townId, 'beads')).toBe(0);
    expect(await countRows(f.townId, 'convoy_metadata')).toBe(0);
  });
});

describe('POST /sling-batch success', () => {
  it('writes an open convoy with one unassigned issue per task and edges matching depends_on', async () => {
    const f = await quietFixture();
    const { convoy, beads } = await slingBatchOk(f.token, f.townId, {
      rig_id: f.rigId,
      title: 'Ship the New Login Flow!',
      metadata: { plan: 'p-1' },
      tasks: [{ title: 'schema', priority: 'high', labels: ['db'] }, { title: 'api', depends_on: [0, 0] }, { title: 'ui', body: 'screens', depends_on: [0, 1] }],
    });
    expect(beads.map((b) => b.title)).toEqual(['schema', 'api', 'ui']);
    for (const bead of beads) {
      expect(bead).toMatchObject({ type: 'issue', status: 'open', held: false, rig_id: f.rigId, assignee_agent_id: null, convoy_id: convoy.id, metadata: { plan: 'p-1' }, created_by: `user:${f.user}` });
    }
    expect(beads[0]).toMatchObject({ priority: 'high', labels: ['db'] });
    expect(beads[2]?.body).toBe('screens');

    const [schema, api, ui] = beads.map((b) => b.id);
    expect(convoy).toMatchObject({
      title: 'Ship the New Login Flow!',
      status: 'open',
      merge_mode: 'review-then-land',
      feature_branch: `convoy/ship-the-new-login-flow/${id8(convoy.id)}/head`,
      rig_ids: [f.rigId],
      progress: { total: 3, closed: 0, failed: 0, active: 0 },
      created_by: `user:${f.user}`,
      landed_at: null,
    });
    // Members created in one batch share created_at, so their listed order is not the task order.
    expect(new Set(convoy.beads.map((b) => b.id))).toEqual(new Set([schema, api, ui]));
    // Duplicate indexes are dropped: api depends on schema once.
    expect(convoy.edges).toHaveLength(3);
    expect(new Set(convoy.edges.map((e) => `${e.bead_id}>${e.depends_on_bead_id}`))).toEqual(new Set([`${api}>${schema}`, `${ui}>${schema}`, `${ui}>${api}`]));
    expect(await countRows(f.townId, 'bead_dependencies', `depends_on_bead_id = ? AND dependency_type = 'tracks'`, convoy.id)).toBe(3);
  });

  it('parallel: true accepts independent tasks with no edges', async () => {
    const f = await quietFixture();
    const { convoy, beads } = await slingBatchOk(f.token, f.townId, { rig_id: f.rigId, title: 'Fan out', parallel: true, tasks: [{ title: 'a' }, { title: 'b' }, { title: 'c' }] });
    expect(beads).toHaveLength(3);
    expect(convoy.edges).toEqual([]);
  });

  it('a single task needs no depends_on', async () => {
    const f = await quietFixture();
    const { beads } = await slingBatchOk(f.token, f.townId, { rig_id: f.rigId, title: 'One', tasks: [{ title: 'only' }] });
    expect(beads).toHaveLength(1);
  });

  it('review-and-merge has no feature branch', async () => {
    const f = await quietFixture();
    const { convoy } = await slingBatchOk(f.token, f.townId, { rig_id: f.rigId, title: 'Direct', merge_mode: 'review-and-merge', tasks: [{ title: 'a' }] });
    expect(convoy).toMatchObject({ merge_mode: 'review-and-merge', feature_branch: null });
  });

  it('kicks the alarm for an unstaged batch', async () => {
    const f = await quietFixture();
    const { convoy } = await slingBatchOk(f.token, f.townId, { rig_id: f.rigId, title: 'Go', tasks: [{ title: 'a' }] });
    expect(convoy.status).toBe('open');
    expectKickedNow(f.townId);
  });

  it('a staged batch is staged and leaves the alarm alone', async () => {
    const f = await quietFixture();
    const { convoy } = await slingBatchOk(f.token, f.townId, { rig_id: f.rigId, title: 'Later', staged: true, tasks: [{ title: 'a' }, { title: 'b', depends_on: [0] }] });
    expect(convoy.status).toBe('staged');
    expect(kicks(f.townId)).toEqual([]);
    expect(await townAlarm(f.townId)).toBeNull();
  });
});
