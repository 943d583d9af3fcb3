/**
 * Bead routes through the real worker and TownDO (`http-api.md` §4.2, `domain.md` §2–§3):
 * create and its reference checks, list filters and pagination, detail relations, PATCH
 * (fields, held, depends_on, status and cancel), delete, bulk delete and reassign.
 */
import { describe, expect, it } from 'vitest';
import { Agent, Bead } from '../../src/protocol/api.ts';
import { beadDetail, call, createIssue, data, errorOf, issuePaths, newRig, nextCursor, patchBeadOk } from './helpers.ts';
import { advanceClock, countRows, kicks, quietFixture, readyIds, seedAgent, seedMergeRequest, seedTownEvent, setBeadStatus, townAlarm } from './seed.ts';

const beadsPath = (townId: string) => `/api/towns/${townId}/beads`;
const beadPath = (townId: string, beadId: string) => `/api/towns/${townId}/beads/${beadId}`;

/** The command kicked the alarm exactly once, leaving it due now (the tick itself is held). */
function expectKickedNow(townId: string): void {
  const alarms = kicks(townId);
  expect(alarms).toEqual([expect.any(Number)]);
  expect(alarms[0]).toBeLessThanOrEqual(Date.now());
}

async function agentOf(token: string, townId: string, agentId: string) {
  const r = await call('GET', `/api/towns/${townId}/agents/${agentId}`, { token });
  expect(r.status).toBe(200);
  return Agent.parse(data(r));
}

async function listIds(token: string, townId: string, query: string): Promise<string[]> {
  const r = await call('GET', `${beadsPath(townId)}?${query}`, { token });
  expect(r.status).toBe(200);
  return data<unknown[]>(r).map((b) => Bead.parse(b).id);
}

describe('POST /beads', () => {
  it('creates an open, unheld issue with defaults and the caller as creator', async () => {
    const f = await quietFixture();
    const r = await call('POST', beadsPath(f.townId), {
      token: f.token,
      body: { rig_id: f.rigId, title: 'Fix login', body: 'Steps to reproduce', labels: ['area/auth', 'p1'], metadata: { ticket: 42 } },
    });
    expect(r.status).toBe(201);
    const bead = Bead.parse(data(r));
    expect(bead).toMatchObject({
      type: 'issue',
      status: 'open',
      rig_id: f.rigId,
      title: 'Fix login',
      body: 'Steps to reproduce',
      priority: 'medium',
      labels: ['area/auth', 'p1'],
      held: false,
      assignee_agent_id: null,
      parent_bead_id: null,
      convoy_id: null,
      dispatch_attempts: 0,
      review: null,
      metadata: { ticket: 42 },
      created_by: `user:${f.user}`,
      closed_at: null,
    });
    expect((await beadDetail(f.token, f.townId, bead.id)).bead).toEqual(bead);
  });

  it('records held, priority and parent as given; gt:held shows as the held flag only', async () => {
    const f = await quietFixture();
    const parent = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Epic' });
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Part', held: true, priority: 'critical', parent_bead_id: parent.id, labels: ['x'] });
    expect(bead).toMatchObject({ held: true, priority: 'critical', parent_bead_id: parent.id, labels: ['x'] });
  });

  it('an unheld bead kicks the alarm; a held one does not until it is unheld', async () => {
    const f = await quietFixture();
    const held = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Held', held: true });
    expect(kicks(f.townId)).toEqual([]);
    expect(await townAlarm(f.townId)).toBeNull();
    await patchBeadOk(f.token, f.townId, held.id, { held: false });
    expectKickedNow(f.townId);

    const g = await quietFixture();
    await createIssue(g.token, g.townId, { rig_id: g.rigId, title: 'Free' });
    expectKickedNow(g.townId);
  });

  it.each([
    ['rig_id', (_rigId: string) => ({ rig_id: crypto.randomUUID(), title: 't' }), 'rig_id'],
    ['depends_on', (rigId: string) => ({ rig_id: rigId, title: 't', depends_on: [crypto.randomUUID()] }), 'depends_on'],
    ['parent_bead_id', (rigId: string) => ({ rig_id: rigId, title: 't', parent_bead_id: crypto.randomUUID() }), 'parent_bead_id'],
  ])('an unknown %s is a 422 unknown_reference and writes nothing', async (_name, body, field) => {
    const f = await quietFixture();
    const r = await call('POST', beadsPath(f.townId), { token: f.token, body: body(f.rigId) });
    expect(r.status).toBe(422);
    expect(errorOf(r)).toMatchObject({ code: 'unknown_reference', details: { field } });
    expect(await countRows(f.townId, 'beads')).toBe(0);
  });

  it.each([
    ['a gt: label', { labels: ['gt:held'] }, ['labels', 0]],
    ['more than 20 labels', { labels: Array.from({ length: 21 }, (_, i) => `l${i}`) }, ['labels']],
    ['a 201-character title', { title: 'x'.repeat(201) }, ['title']],
    ['a rig_id that is not a UUID', { rig_id: 'not-a-uuid' }, ['rig_id']],
  ])('%s is a 400 validation_failed naming the field', async (_name, override, path) => {
    const f = await quietFixture();
    const r = await call('POST', beadsPath(f.townId), { token: f.token, body: { rig_id: f.rigId, title: 'ok', ...override } });
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatchObject({ code: 'validation_failed', details: { location: 'body' } });
    expect(issuePaths(r)).toContainEqual(path);
  });

  it('a 200-character title is accepted', async () => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'x'.repeat(200), labels: Array.from({ length: 20 }, (_, i) => `l${i}`) });
    expect(bead.title).toHaveLength(200);
    expect(bead.labels).toHaveLength(20);
  });
});

describe('GET /beads', () => {
  it('filters by status (csv), type, rig_id, label and assignee', async () => {
    const f = await quietFixture();
    const rigB = await newRig(f.token, f.townId, 'api', 'https://github.com/acme/api.git');
    const ui = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'ui', labels: ['ui'] });
    const api = await createIssue(f.token, f.townId, { rig_id: rigB, title: 'api', labels: ['api'] });
    const done = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'done', labels: ['ui'] });
    await patchBeadOk(f.token, f.townId, done.id, { status: 'closed' });
    const taken = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'taken' });
    const polecat = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, hookBeadId: taken.id });
    const mr = await seedMergeRequest(f.townId, { rigId: f.rigId, sourceBeadId: done.id, status: 'closed' });

    expect(await listIds(f.token, f.townId, 'status=closed&type=issue')).toEqual([done.id]);
    expect(new Set(await listIds(f.token, f.townId, 'status=open,closed&type=issue'))).toEqual(new Set([ui.id, api.id, done.id, taken.id]));
    expect(await listIds(f.token, f.townId, 'type=merge_request')).toEqual([mr]);
    expect(await listIds(f.token, f.townId, 'type=agent')).toEqual([polecat]);
    expect(await listIds(f.token, f.townId, `rig_id=${rigB}`)).toEqual([api.id]);
    expect(new Set(await listIds(f.token, f.townId, 'label=ui'))).toEqual(new Set([ui.id, done.id]));
    expect(await listIds(f.token, f.townId, `assignee_agent_id=${polecat}`)).toEqual([taken.id]);
    // Without a type filter agent beads are not listed.
    expect(await listIds(f.token, f.townId, '')).not.toContain(polecat);
  });

  it('pages newest first with next_cursor until null, without duplicates', async () => {
    const f = await quietFixture();
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      // Distinct created_at values make "newest first" the creation order reversed.
      await advanceClock(f.townId, 1000);
      created.push((await createIssue(f.token, f.townId, { rig_id: f.rigId, title: `b${i}` })).id);
    }
    const seen: string[] = [];
    const cursors: (string | null)[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor === null ? 'limit=2' : `limit=2&cursor=${encodeURIComponent(cursor)}`;
      const r = await call('GET', `${beadsPath(f.townId)}?${q}`, { token: f.token });
      expect(r.status).toBe(200);
      const page = data<unknown[]>(r).map((b) => Bead.parse(b).id);
      expect(page.length).toBeLessThanOrEqual(2);
      seen.push(...page);
      cursor = nextCursor(r);
      cursors.push(cursor);
    } while (cursor !== null);
    expect(seen).toEqual([...created].reverse());
    expect(cursors).toHaveLength(3);
    expect(cursors.at(-1)).toBeNull();
  });

  it('a cursor it did not issue is a 400', async () => {
    const f = await quietFixture();
    const r = await call('GET', `${beadsPath(f.townId)}?cursor=not-a-cursor`, { token: f.token });
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatchObject({ code: 'validation_failed', details: { location: 'query' } });
  });
});

describe('GET /beads/:beadId', () => {
  it('returns blocked_by, blocks and the recent activity in ascending seq', async () => {
    const f = await quietFixture();
    const a = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'A' });
    const b = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'B', depends_on: [a.id] });
    const c = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'C', depends_on: [b.id] });
    const detail = await beadDetail(f.token, f.townId, b.id);
    expect(detail.bead.id).toBe(b.id);
    expect(detail.blocked_by).toEqual([{ id: a.id, type: 'issue', status: 'open', title: 'A' }]);
    expect(detail.blocks).toEqual([{ id: c.id, type: 'issue', status: 'open', title: 'C' }]);
    expect(detail.recent_activity.map((e) => e.type)).toEqual(['created', 'dependency_added']);
    expect(detail.recent_activity.every((e) => e.bead_id === b.id && e.rig_id === f.rigId && e.actor === `user:${f.user}`)).toBe(true);
    const seqs = detail.recent_activity.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  });

  it('is a 404 for an unknown bead', async () => {
    const f = await quietFixture();
    const r = await call('GET', beadPath(f.townId, crypto.randomUUID()), { token: f.token });
    expect(r.status).toBe(404);
    expect(errorOf(r).code).toBe('not_found');
  });
});

describe('PATCH /beads/:beadId', () => {
  it('updates fields and records fields_updated with the changed keys', async () => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Old', labels: ['a'] });
    await advanceClock(f.townId, 1000);
    const patched = await patchBeadOk(f.token, f.townId, bead.id, { title: 'New', body: 'More', priority: 'high', labels: ['b', 'c'], metadata: { k: 'v' } });
    expect(patched).toMatchObject({ title: 'New', body: 'More', priority: 'high', labels: ['b', 'c'], metadata: { k: 'v' }, status: 'open' });
    expect(Date.parse(patched.updated_at)).toBeGreaterThan(Date.parse(bead.updated_at));
    const events = (await beadDetail(f.token, f.townId, bead.id)).recent_activity.filter((e) => e.type === 'fields_updated');
    expect(events).toHaveLength(1);
    const keys = ['title', 'body', 'priority', 'labels', 'metadata'];
    expect(events[0]?.data.keys).toEqual(expect.arrayContaining(keys));
    expect(events[0]?.data.keys).toHaveLength(keys.length);
  });

  it('toggles held: a held bead is not ready, unholding makes it ready again', async () => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'T', labels: ['keep'] });
    expect(await readyIds(f.townId)).toEqual([bead.id]);
    expect(await patchBeadOk(f.token, f.townId, bead.id, { held: true })).toMatchObject({ held: true, labels: ['keep'] });
    expect(await readyIds(f.townId)).toEqual([]);
    // Replacing the user labels keeps the bead held.
    expect(await patchBeadOk(f.token, f.townId, bead.id, { labels: ['other'] })).toMatchObject({ held: true, labels: ['other'] });
    expect(await readyIds(f.townId)).toEqual([]);
    expect(await patchBeadOk(f.token, f.townId, bead.id, { held: false })).toMatchObject({ held: false, labels: ['other'] });
    expect(await readyIds(f.townId)).toEqual([bead.id]);
  });

  it('depends_on replaces the blocker set', async () => {
    const f = await quietFixture();
    const a = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'A' });
    const b = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'B' });
    const x = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'X', depends_on: [a.id] });
    await patchBeadOk(f.token, f.townId, x.id, { depends_on: [b.id] });
    let detail = await beadDetail(f.token, f.townId, x.id);
    expect(detail.blocked_by.map((r) => r.id)).toEqual([b.id]);
    expect(detail.recent_activity.map((e) => e.type)).toEqual(['created', 'dependency_added', 'dependency_removed', 'dependency_added', 'fields_updated']);
    await patchBeadOk(f.token, f.townId, x.id, { depends_on: [] });
    detail = await beadDetail(f.token, f.townId, x.id);
    expect(detail.blocked_by).toEqual([]);
    expect((await beadDetail(f.token, f.townId, a.id)).blocks).toEqual([]);
  });

  it('a depends_on that closes a cycle is a 422 dependency_cycle naming it, and changes nothing', async () => {
    const f = await quietFixture();
    const a = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'A' });
    const b = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'B', depends_on: [a.id] });
    const c = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'C', depends_on: [b.id] });
    const r = await call('PATCH', beadPath(f.townId, a.id), { token: f.token, body: { depends_on: [c.id], title: 'A2' } });
    expect(r.status).toBe(422);
    const err = errorOf(r);
    expect(err.code).toBe('dependency_cycle');
    // The cycle names every bead on it: A → C → B → A.
    expect(err.details?.cycle).toEqual(expect.arrayContaining([a.id, b.id, c.id]));
    const after = await beadDetail(f.token, f.townId, a.id);
    expect(after.blocked_by).toEqual([]);
    expect(after.bead.title).toBe('A');

    const self = await call('PATCH', beadPath(f.townId, a.id), { token: f.token, body: { depends_on: [a.id] } });
    expect(self.status).toBe(422);
    expect(errorOf(self).code).toBe('dependency_cycle');
  });

  it('an unknown depends_on is a 422 unknown_reference', async () => {
    const f = await quietFixture();
    const a = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'A' });
    const r = await call('PATCH', beadPath(f.townId, a.id), { token: f.token, body: { depends_on: [crypto.randomUUID()] } });
    expect(r.status).toBe(422);
    expect(errorOf(r)).toMatchObject({ code: 'unknown_reference', details: { field: 'depends_on' } });
  });

  it('an empty patch is a 400', async () => {
    const f = await quietFixture();
    const a = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'A' });
    const r = await call('PATCH', beadPath(f.townId, a.id), { token: f.token, body: {} });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('validation_failed');
  });

  it.each([
    ['closed', 'open'],
    ['failed', 'closed'],
    ['open', 'in_progress'],
    ['open', 'in_review'],
  ] as const)('%s → %s is a 409 illegal_transition naming both states', async (from, to) => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'T' });
    if (from !== 'open') await patchBeadOk(f.token, f.townId, bead.id, { status: from });
    const r = await call('PATCH', beadPath(f.townId, bead.id), { token: f.token, body: { status: to } });
    expect(r.status).toBe(409);
    const err = errorOf(r);
    expect(err).toMatchObject({ code: 'illegal_transition', details: { id: bead.id, from, to } });
    expect(err.message).toContain(`${from} → ${to}`);
    expect(err.message).toContain(bead.id);
    expect((await beadDetail(f.token, f.townId, bead.id)).bead.status).toBe(from);
  });

  it('a field write to a terminal bead is a 409', async () => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'T' });
    await patchBeadOk(f.token, f.townId, bead.id, { status: 'closed' });
    const r = await call('PATCH', beadPath(f.townId, bead.id), { token: f.token, body: { title: 'Renamed' } });
    expect(r.status).toBe(409);
    expect(errorOf(r).code).toBe('conflict');
    expect((await beadDetail(f.token, f.townId, bead.id)).bead.title).toBe('T');
  });

  it('a same-status PATCH (closed → closed) is a 200 no-op', async () => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'T' });
    const closed = await patchBeadOk(f.token, f.townId, bead.id, { status: 'closed' });
    await advanceClock(f.townId, 1000);
    const again = await patchBeadOk(f.token, f.townId, bead.id, { status: 'closed' });
    expect(again).toEqual(closed);
    const changes = (await beadDetail(f.token, f.townId, bead.id)).recent_activity.filter((e) => e.type === 'status_changed');
    expect(changes).toHaveLength(1);
  });
});

describe('cancel (PATCH status closed|failed)', () => {
  it('closes an open bead with closed_at and a status_changed event', async () => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'T' });
    const closed = await patchBeadOk(f.token, f.townId, bead.id, { status: 'closed' });
    expect(closed.status).toBe('closed');
    expect(closed.closed_at).not.toBeNull();
    const change = (await beadDetail(f.token, f.townId, bead.id)).recent_activity.find((e) => e.type === 'status_changed');
    expect(change?.data).toMatchObject({ old_value: 'open', new_value: 'closed', reason: { code: 'cancelled' } });
  });

  it('failing an in_progress bead idles and unhooks its working polecat', async () => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'T' });
    await setBeadStatus(f.townId, bead.id, 'in_progress');
    const polecat = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, status: 'working', hookBeadId: bead.id });
    const failed = await patchBeadOk(f.token, f.townId, bead.id, { status: 'failed' });
    expect(failed.status).toBe('failed');
    expect(failed.closed_at).not.toBeNull();
    expect(await agentOf(f.token, f.townId, polecat)).toMatchObject({ status: 'idle', hooked_bead_id: null });
  });

  it('reopening an in_progress bead (status open) releases its polecat and makes it ready', async () => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'T' });
    await setBeadStatus(f.townId, bead.id, 'in_progress');
    const polecat = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, status: 'working', hookBeadId: bead.id });
    const reopened = await patchBeadOk(f.token, f.townId, bead.id, { status: 'open' });
    expect(reopened).toMatchObject({ status: 'open', assignee_agent_id: null, closed_at: null });
    expect(await agentOf(f.token, f.townId, polecat)).toMatchObject({ status: 'idle', hooked_bead_id: null });
    expect(await readyIds(f.townId)).toEqual([bead.id]);
  });

  it('cancelling an issue fails its live merge request', async () => {
    const f = await quietFixture();
    const issue = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'T' });
    await setBeadStatus(f.townId, issue.id, 'in_review');
    const mr = await seedMergeRequest(f.townId, { rigId: f.rigId, sourceBeadId: issue.id, status: 'open' });
    expect((await beadDetail(f.token, f.townId, mr)).bead.review).toMatchObject({ source_bead_id: issue.id });
    await patchBeadOk(f.token, f.townId, issue.id, { status: 'failed' });
    const after = await beadDetail(f.token, f.townId, mr);
    expect(after.bead.status).toBe('failed');
    const change = after.recent_activity.find((e) => e.type === 'status_changed');
    expect(change?.data).toMatchObject({ old_value: 'open', new_value: 'failed', reason: { code: 'source_cancelled' } });
  });
});

describe('DELETE /beads/:beadId', () => {
  it('deletes the bead with its events, edges in both directions and pending town events', async () => {
    const f = await quietFixture();
    const a = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'A' });
    const x = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'X', depends_on: [a.id] });
    const y = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Y', depends_on: [x.id] });
    await seedTownEvent(f.townId, { eventType: 'agent_done', beadId: x.id });
    expect(await countRows(f.townId, 'bead_events', 'bead_id = ?', x.id)).toBeGreaterThan(0);

    const r = await call('DELETE', beadPath(f.townId, x.id), { token: f.token });
    expect(r.status).toBe(200);
    expect(data(r)).toEqual({ deleted: true });

    expect((await call('GET', beadPath(f.townId, x.id), { token: f.token })).status).toBe(404);
    expect((await call('DELETE', beadPath(f.townId, x.id), { token: f.token })).status).toBe(404);
    expect(await countRows(f.townId, 'beads', 'bead_id = ?', x.id)).toBe(0);
    expect(await countRows(f.townId, 'bead_events', 'bead_id = ?', x.id)).toBe(0);
    expect(await countRows(f.townId, 'bead_dependencies', 'bead_id = ? OR depends_on_bead_id = ?', x.id, x.id)).toBe(0);
    expect(await countRows(f.townId, 'town_events', 'bead_id = ? AND processed_at IS NULL', x.id)).toBe(0);
    // Y lost its only blocker, so it is ready beside A.
    expect((await beadDetail(f.token, f.townId, y.id)).blocked_by).toEqual([]);
    expect(new Set(await readyIds(f.townId))).toEqual(new Set([a.id, y.id]));
  });

  it('unhooks and idles an agent working on the deleted bead', async () => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'T' });
    await setBeadStatus(f.townId, bead.id, 'in_progress');
    const polecat = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, status: 'working', hookBeadId: bead.id });
    expect((await call('DELETE', beadPath(f.townId, bead.id), { token: f.token })).status).toBe(200);
    expect(await agentOf(f.token, f.townId, polecat)).toMatchObject({ status: 'idle', hooked_bead_id: null });
  });
});

describe('POST /beads/bulk-delete', () => {
  it('deletes the known ids, skips unknown ones and counts', async () => {
    const f = await quietFixture();
    const a = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'A' });
    const b = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'B' });
    const c = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'C' });
    const r = await call('POST', `${beadsPath(f.townId)}/bulk-delete`, { token: f.token, body: { bead_ids: [a.id, b.id, crypto.randomUUID()] } });
    expect(r.status).toBe(200);
    expect(data(r)).toEqual({ deleted: 2 });
    expect(await listIds(f.token, f.townId, '')).toEqual([c.id]);
  });

  it.each([
    ['no ids', 0],
    ['501 ids', 501],
  ])('%s is a 400', async (_name, n) => {
    const f = await quietFixture();
    const r = await call('POST', `${beadsPath(f.townId)}/bulk-delete`, { token: f.token, body: { bead_ids: Array.from({ length: n }, () => crypto.randomUUID()) } });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('validation_failed');
  });
});

describe('POST /beads/:beadId/reassign', () => {
  it('hooks an idle polecat of the same rig and makes it the assignee', async () => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'T' });
    const polecat = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, name: 'Maple' });
    const r = await call('POST', `${beadPath(f.townId, bead.id)}/reassign`, { token: f.token, body: { agent_id: polecat } });
    expect(r.status).toBe(200);
    expect(Bead.parse(data(r))).toMatchObject({ id: bead.id, status: 'open', assignee_agent_id: polecat });
    expect(await agentOf(f.token, f.townId, polecat)).toMatchObject({ hooked_bead_id: bead.id });
    // Assigned work is no longer ready for dispatch.
    expect(await readyIds(f.townId)).toEqual([]);
  });

  it('takes an in_progress bead from its working holder, which is idled and unhooked', async () => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'T' });
    await setBeadStatus(f.townId, bead.id, 'in_progress');
    const holder = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, name: 'Toast', status: 'working', hookBeadId: bead.id });
    const next = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, name: 'Maple' });
    const r = await call('POST', `${beadPath(f.townId, bead.id)}/reassign`, { token: f.token, body: { agent_id: next } });
    expect(r.status).toBe(200);
    expect(Bead.parse(data(r))).toMatchObject({ status: 'open', assignee_agent_id: next });
    expect(await agentOf(f.token, f.townId, holder)).toMatchObject({ status: 'idle', hooked_bead_id: null });
    expect(await agentOf(f.token, f.townId, next)).toMatchObject({ status: 'idle', hooked_bead_id: bead.id });
  });

  it('is a 409 illegal_transition for a finished bead', async () => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'T' });
    await patchBeadOk(f.token, f.townId, bead.id, { status: 'closed' });
    const polecat = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId });
    const r = await call('POST', `${beadPath(f.townId, bead.id)}/reassign`, { token: f.token, body: { agent_id: polecat } });
    expect(r.status).toBe(409);
    expect(errorOf(r).code).toBe('illegal_transition');
  });

  it('is a 409 agent_already_hooked when the polecat holds another bead', async () => {
    const f = await quietFixture();
    const other = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Other' });
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'T' });
    const polecat = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, hookBeadId: other.id });
    const r = await call('POST', `${beadPath(f.townId, bead.id)}/reassign`, { token: f.token, body: { agent_id: polecat } });
    expect(r.status).toBe(409);
    expect(errorOf(r).code).toBe('agent_already_hooked');
    expect((await beadDetail(f.token, f.townId, bead.id)).bead.assignee_agent_id).toBeNull();
  });

  it('is a 422 for a polecat of another rig', async () => {
    const f = await quietFixture();
    const rigB = await newRig(f.token, f.townId, 'api', 'https://github.com/acme/api.git');
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'T' });
    const polecat = await seedAgent(f.townId, { role: 'polecat', rigId: rigB });
    const r = await call('POST', `${beadPath(f.townId, bead.id)}/reassign`, { token: f.token, body: { agent_id: polecat } });
    expect(r.status).toBe(422);
    expect(errorOf(r)).toMatchObject({ code: 'unknown_reference', details: { field: 'agent_id' } });
  });
});
