/**
 * Convoy routes (`http-api.md` §4.2, `domain.md` §3.4, §6): list and detail, patch until
 * landing, start, close (= cancel, idempotent), adding and removing members, and progress.
 */
import { describe, expect, it } from 'vitest';
import { Agent, Convoy, ConvoyDetail } from '../../src/protocol/api.ts';
import { beadDetail, call, convoyDetailOf, createIssue, data, errorOf, newRig, nextCursor, patchBeadOk, slingBatchOk } from './helpers.ts';
import { quietFixture, readyIds, seedAgent, setBeadStatus, setConvoyState } from './seed.ts';

const convoysPath = (townId: string) => `/api/towns/${townId}/convoys`;
const convoyPath = (townId: string, convoyId: string) => `/api/towns/${townId}/convoys/${convoyId}`;
const id8 = (id: string) => id.replace(/-/g, '').slice(0, 8);

type Fixture = Awaited<ReturnType<typeof quietFixture>>;

/** A convoy of two tasks, the second depending on the first. */
async function twoStepConvoy(f: Fixture, extra: Record<string, unknown> = {}) {
  return slingBatchOk(f.token, f.townId, { rig_id: f.rigId, title: 'Two steps', tasks: [{ title: 'first' }, { title: 'second', depends_on: [0] }], ...extra });
}

async function listConvoyIds(f: Fixture, query: string): Promise<string[]> {
  const r = await call('GET', `${convoysPath(f.townId)}?${query}`, { token: f.token });
  expect(r.status).toBe(200);
  expect(nextCursor(r)).toBeNull();
  return data<unknown[]>(r).map((c) => Convoy.parse(c).id);
}

describe('GET /convoys and /convoys/:convoyId', () => {
  it('lists convoys, filtered by status (csv)', async () => {
    const f = await quietFixture();
    const open = (await twoStepConvoy(f)).convoy;
    const staged = (await twoStepConvoy(f, { staged: true })).convoy;
    const closed = (await twoStepConvoy(f)).convoy;
    expect((await call('POST', `${convoyPath(f.townId, closed.id)}/close`, { token: f.token })).status).toBe(200);

    expect(new Set(await listConvoyIds(f, ''))).toEqual(new Set([open.id, staged.id, closed.id]));
    expect(await listConvoyIds(f, 'status=staged')).toEqual([staged.id]);
    expect(new Set(await listConvoyIds(f, 'status=open,failed'))).toEqual(new Set([open.id, closed.id]));
    expect(await listConvoyIds(f, 'status=landed')).toEqual([]);
  });

  it('gets a ConvoyDetail with member assignee names, and 404 for an unknown convoy', async () => {
    const f = await quietFixture();
    const { convoy, beads } = await twoStepConvoy(f);
    expect(await convoyDetailOf(f.token, f.townId, convoy.id)).toEqual(convoy);
    const [first, second] = beads.map((b) => b.id);
    await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, name: 'Ember', hookBeadId: first ?? '' });
    const detail = await convoyDetailOf(f.token, f.townId, convoy.id);
    expect(Object.fromEntries(detail.beads.map((b) => [b.id, b.assignee_name]))).toEqual({ [first ?? '']: 'Ember', [second ?? '']: null });
    const r = await call('GET', convoyPath(f.townId, crypto.randomUUID()), { token: f.token });
    expect(r.status).toBe(404);
  });
});

describe('PATCH /convoys/:convoyId', () => {
  it('changes the title and the merge mode (with its feature branch)', async () => {
    const f = await quietFixture();
    const { convoy } = await twoStepConvoy(f);
    let r = await call('PATCH', convoyPath(f.townId, convoy.id), { token: f.token, body: { title: 'Renamed plan' } });
    expect(r.status).toBe(200);
    expect(ConvoyDetail.parse(data(r)).title).toBe('Renamed plan');

    r = await call('PATCH', convoyPath(f.townId, convoy.id), { token: f.token, body: { merge_mode: 'review-and-merge' } });
    expect(ConvoyDetail.parse(data(r))).toMatchObject({ merge_mode: 'review-and-merge', feature_branch: null });

    r = await call('PATCH', convoyPath(f.townId, convoy.id), { token: f.token, body: { merge_mode: 'review-then-land' } });
    expect(ConvoyDetail.parse(data(r))).toMatchObject({ merge_mode: 'review-then-land', feature_branch: `convoy/renamed-plan/${id8(convoy.id)}/head` });
  });

  it('refuses review-then-land for a convoy whose members span two rigs', async () => {
    const f = await quietFixture();
    const { convoy } = await twoStepConvoy(f, { merge_mode: 'review-and-merge' });
    const rigB = await newRig(f.token, f.townId, 'api', 'https://github.com/acme/api.git');
    const other = await createIssue(f.token, f.townId, { rig_id: rigB, title: 'other rig' });
    const add = await call('POST', `${convoyPath(f.townId, convoy.id)}/beads`, { token: f.token, body: { bead_id: other.id } });
    expect(add.status).toBe(200);
    expect(ConvoyDetail.parse(data(add)).rig_ids).toEqual([f.rigId, rigB].sort());
    const r = await call('PATCH', convoyPath(f.townId, convoy.id), { token: f.token, body: { merge_mode: 'review-then-land' } });
    expect(r.status).toBe(409);
    expect(errorOf(r).code).toBe('conflict');
    expect(await convoyDetailOf(f.token, f.townId, convoy.id)).toMatchObject({ merge_mode: 'review-and-merge', feature_branch: null });
  });

  it('is a 409 once landing has started', async () => {
    const f = await quietFixture();
    const { convoy } = await twoStepConvoy(f);
    await setConvoyState(f.townId, convoy.id, 'landing');
    const r = await call('PATCH', convoyPath(f.townId, convoy.id), { token: f.token, body: { title: 'Too late' } });
    expect(r.status).toBe(409);
    expect(errorOf(r).code).toBe('conflict');
    expect((await convoyDetailOf(f.token, f.townId, convoy.id)).title).toBe('Two steps');
  });
});

describe('POST /convoys/:convoyId/start', () => {
  it('opens a staged convoy, whose first member becomes ready', async () => {
    const f = await quietFixture();
    const { convoy, beads } = await twoStepConvoy(f, { staged: true });
    expect(await readyIds(f.townId)).toEqual([]);
    const r = await call('POST', `${convoyPath(f.townId, convoy.id)}/start`, { token: f.token });
    expect(r.status).toBe(200);
    expect(ConvoyDetail.parse(data(r)).status).toBe('open');
    expect(await readyIds(f.townId)).toEqual([beads[0]?.id]);
  });

  it('is a 409 illegal_transition on a convoy that is already open, and changes nothing', async () => {
    const f = await quietFixture();
    const { convoy } = await twoStepConvoy(f, { staged: true });
    const first = await call('POST', `${convoyPath(f.townId, convoy.id)}/start`, { token: f.token });
    expect(first.status).toBe(200);
    const again = await call('POST', `${convoyPath(f.townId, convoy.id)}/start`, { token: f.token });
    expect(again.status).toBe(409);
    expect(errorOf(again)).toMatchObject({ code: 'illegal_transition', details: { id: convoy.id, from: 'open', to: 'open' } });
    const after = await call('GET', convoyPath(f.townId, convoy.id), { token: f.token });
    expect(ConvoyDetail.parse(data(after)).status).toBe('open');
  });

  it('is a 409 illegal_transition on a landed convoy', async () => {
    const f = await quietFixture();
    const { convoy } = await twoStepConvoy(f);
    await setConvoyState(f.townId, convoy.id, 'landed');
    const r = await call('POST', `${convoyPath(f.townId, convoy.id)}/start`, { token: f.token });
    expect(r.status).toBe(409);
    expect(errorOf(r)).toMatchObject({ code: 'illegal_transition', details: { id: convoy.id, from: 'landed', to: 'open' } });
  });
});

describe('POST /convoys/:convoyId/close', () => {
  it('fails the non-terminal members and the convoy, idles their agents, and is idempotent', async () => {
    const f = await quietFixture();
    const { convoy, beads } = await slingBatchOk(f.token, f.townId, {
      rig_id: f.rigId,
      title: 'Three',
      parallel: true,
      tasks: [{ title: 'done' }, { title: 'running' }, { title: 'waiting' }],
    });
    const [done, running, waiting] = beads.map((b) => b.id);
    if (done === undefined || running === undefined || waiting === undefined) throw new Error('three beads expected');
    await patchBeadOk(f.token, f.townId, done, { status: 'closed' });
    await setBeadStatus(f.townId, running, 'in_progress');
    const polecat = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, status: 'working', hookBeadId: running });

    const r = await call('POST', `${convoyPath(f.townId, convoy.id)}/close`, { token: f.token });
    expect(r.status).toBe(200);
    const closed = ConvoyDetail.parse(data(r));
    expect(closed.status).toBe('failed');
    expect(closed.progress).toEqual({ total: 3, closed: 1, failed: 2, active: 0 });
    expect(Object.fromEntries(closed.beads.map((b) => [b.id, b.status]))).toEqual({ [done]: 'closed', [running]: 'failed', [waiting]: 'failed' });
    expect((await beadDetail(f.token, f.townId, convoy.id)).bead.status).toBe('failed');

    const agent = await call('GET', `/api/towns/${f.townId}/agents/${polecat}`, { token: f.token });
    expect(Agent.parse(data(agent))).toMatchObject({ status: 'idle', hooked_bead_id: null });

    const again = await call('POST', `${convoyPath(f.townId, convoy.id)}/close`, { token: f.token });
    expect(again.status).toBe(200);
    expect(ConvoyDetail.parse(data(again))).toEqual(closed);
  });

  it('closes a staged convoy', async () => {
    const f = await quietFixture();
    const { convoy } = await twoStepConvoy(f, { staged: true });
    const r = await call('POST', `${convoyPath(f.townId, convoy.id)}/close`, { token: f.token });
    expect(r.status).toBe(200);
    expect(ConvoyDetail.parse(data(r))).toMatchObject({ status: 'failed', progress: { total: 2, closed: 0, failed: 2 } });
  });

  it('is a 409 illegal_transition on a landed convoy, and changes no member', async () => {
    const f = await quietFixture();
    const { convoy, beads } = await twoStepConvoy(f);
    await setConvoyState(f.townId, convoy.id, 'landed');
    const r = await call('POST', `${convoyPath(f.townId, convoy.id)}/close`, { token: f.token });
    expect(r.status).toBe(409);
    expect(errorOf(r)).toMatchObject({ code: 'illegal_transition', details: { from: 'landed', to: 'failed' } });
    expect((await convoyDetailOf(f.token, f.townId, convoy.id)).beads.map((b) => b.status)).toEqual(beads.map(() => 'open'));
  });

  it('is a 404 for an unknown convoy', async () => {
    const f = await quietFixture();
    const r = await call('POST', `${convoyPath(f.townId, crypto.randomUUID())}/close`, { token: f.token });
    expect(r.status).toBe(404);
  });
});

describe('convoy members', () => {
  it('adds a bead with depends_on among the members', async () => {
    const f = await quietFixture();
    const { convoy, beads } = await twoStepConvoy(f);
    const first = beads[0]?.id ?? '';
    const extra = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'extra' });
    const r = await call('POST', `${convoyPath(f.townId, convoy.id)}/beads`, { token: f.token, body: { bead_id: extra.id, depends_on: [first] } });
    expect(r.status).toBe(200);
    const detail = ConvoyDetail.parse(data(r));
    expect(detail.beads.map((b) => b.id)).toContain(extra.id);
    expect(detail.edges).toContainEqual({ bead_id: extra.id, depends_on_bead_id: first });
    expect(detail.progress.total).toBe(3);
    expect((await beadDetail(f.token, f.townId, extra.id)).bead.convoy_id).toBe(convoy.id);
  });

  it('is a 409 conflict when the bead belongs to another convoy', async () => {
    const f = await quietFixture();
    const a = await twoStepConvoy(f);
    const b = await twoStepConvoy(f);
    const r = await call('POST', `${convoyPath(f.townId, a.convoy.id)}/beads`, { token: f.token, body: { bead_id: b.beads[0]?.id } });
    expect(r.status).toBe(409);
    expect(errorOf(r).code).toBe('conflict');
  });

  it('is a 409 conflict when the convoy is landing', async () => {
    const f = await quietFixture();
    const { convoy } = await twoStepConvoy(f);
    await setConvoyState(f.townId, convoy.id, 'landing');
    const extra = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'extra' });
    const r = await call('POST', `${convoyPath(f.townId, convoy.id)}/beads`, { token: f.token, body: { bead_id: extra.id } });
    expect(r.status).toBe(409);
    expect(errorOf(r).code).toBe('conflict');
  });

  it('is a 422 when depends_on names a bead that is not a member', async () => {
    const f = await quietFixture();
    const { convoy } = await twoStepConvoy(f);
    const outsider = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'outsider' });
    const extra = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'extra' });
    const r = await call('POST', `${convoyPath(f.townId, convoy.id)}/beads`, { token: f.token, body: { bead_id: extra.id, depends_on: [outsider.id] } });
    expect(r.status).toBe(422);
    expect(errorOf(r)).toMatchObject({ code: 'unknown_reference', details: { field: 'depends_on' } });
    expect((await convoyDetailOf(f.token, f.townId, convoy.id)).progress.total).toBe(2);
  });

  it('removes a member, and is a 404 for a bead that is not one', async () => {
    const f = await quietFixture();
    const { convoy, beads } = await twoStepConvoy(f);
    const second = beads[1]?.id ?? '';
    const r = await call('DELETE', `${convoyPath(f.townId, convoy.id)}/beads/${second}`, { token: f.token });
    expect(r.status).toBe(200);
    const detail = ConvoyDetail.parse(data(r));
    expect(detail.beads.map((b) => b.id)).toEqual([beads[0]?.id]);
    expect(detail.progress.total).toBe(1);
    expect((await beadDetail(f.token, f.townId, second)).bead.convoy_id).toBeNull();

    const again = await call('DELETE', `${convoyPath(f.townId, convoy.id)}/beads/${second}`, { token: f.token });
    expect(again.status).toBe(404);
  });

  it('progress follows member status changes', async () => {
    const f = await quietFixture();
    const { convoy, beads } = await slingBatchOk(f.token, f.townId, { rig_id: f.rigId, title: 'P', parallel: true, tasks: [{ title: 'a' }, { title: 'b' }, { title: 'c' }] });
    const [a, b, c] = beads.map((x) => x.id);
    if (a === undefined || b === undefined || c === undefined) throw new Error('three beads expected');
    await patchBeadOk(f.token, f.townId, a, { status: 'closed' });
    await patchBeadOk(f.token, f.townId, b, { status: 'failed' });
    await setBeadStatus(f.townId, c, 'in_progress');
    expect((await convoyDetailOf(f.token, f.townId, convoy.id)).progress).toEqual({ total: 3, closed: 1, failed: 1, active: 1 });
  });
});
