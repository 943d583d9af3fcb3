/**
 * Agent routes and the town's read views (`http-api.md` §4.2): agents (list, detail, reset,
 * delete), escalations (filters, acknowledge), mail, the activity stream (§1.4 stream paging)
 * and the merge queue. Rows no route creates yet are seeded through SQL.
 */
import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { ActivityEvent, Agent, AgentDetail, Escalation, Mail, MergeQueue } from '../../src/protocol/api.ts';
import { beadDetail, call, createIssue, data, errorOf, newRig, nextCursor, patchBeadOk, slingBatchOk } from './helpers.ts';
import { quietFixture, seedAgent, seedEscalation, seedMail, seedMergeRequest, setBeadStatus } from './seed.ts';

type Fixture = Awaited<ReturnType<typeof quietFixture>>;

const T = (townId: string) => `/api/towns/${townId}`;

async function listOf<R>(f: Fixture, path: string, schema: ZodType<R>): Promise<{ items: R[]; next: string | null }> {
  const r = await call('GET', `${T(f.townId)}${path}`, { token: f.token });
  expect(r.status).toBe(200);
  return { items: data<unknown[]>(r).map((x) => schema.parse(x)), next: nextCursor(r) };
}

async function ids(f: Fixture, path: string): Promise<Set<string>> {
  const r = await call('GET', `${T(f.townId)}${path}`, { token: f.token });
  expect(r.status).toBe(200);
  return new Set(
    data<unknown[]>(r).map((x) => {
      if (typeof x !== 'object' || x === null || !('id' in x) || typeof x.id !== 'string') throw new Error('item without id');
      return x.id;
    }),
  );
}

describe('agents', () => {
  it('lists live agents; dead ones only with status=dead; filters by role and rig', async () => {
    const f = await quietFixture();
    const rigB = await newRig(f.token, f.townId, 'api', 'https://github.com/acme/api.git');
    const toast = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, name: 'Toast' });
    const maple = await seedAgent(f.townId, { role: 'polecat', rigId: rigB, name: 'Maple', status: 'working' });
    const refinery = await seedAgent(f.townId, { role: 'refinery', rigId: f.rigId, name: 'refinery' });
    const mayor = await seedAgent(f.townId, { role: 'mayor', rigId: null, name: 'mayor' });
    const dead = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, name: 'Birch', status: 'dead' });

    const all = await listOf(f, '/agents', Agent);
    expect(new Set(all.items.map((a) => a.id))).toEqual(new Set([toast, maple, refinery, mayor]));
    expect(all.next).toBeNull();
    expect(all.items.find((a) => a.id === mayor)).toMatchObject({ role: 'mayor', rig_id: null, status: 'idle' });
    expect(await ids(f, '/agents?status=dead')).toEqual(new Set([dead]));
    expect(await ids(f, '/agents?role=polecat')).toEqual(new Set([toast, maple]));
    expect(await ids(f, '/agents?role=refinery,mayor')).toEqual(new Set([refinery, mayor]));
    expect(await ids(f, `/agents?rig_id=${f.rigId}`)).toEqual(new Set([toast, refinery]));
    expect(await ids(f, '/agents?status=working')).toEqual(new Set([maple]));
  });

  it('gets an agent with its hooked bead; 404 when dead or unknown', async () => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Hooked' });
    const polecat = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, hookBeadId: bead.id });
    const r = await call('GET', `${T(f.townId)}/agents/${polecat}`, { token: f.token });
    expect(r.status).toBe(200);
    expect(AgentDetail.parse(data(r))).toMatchObject({
      id: polecat,
      role: 'polecat',
      rig_id: f.rigId,
      name: 'Toast',
      status: 'idle',
      hooked_bead_id: bead.id,
      hooked_bead: { id: bead.id, type: 'issue', status: 'open', title: 'Hooked' },
      active_tools: [],
    });

    const idle = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, name: 'Maple' });
    const unhooked = await call('GET', `${T(f.townId)}/agents/${idle}`, { token: f.token });
    expect(AgentDetail.parse(data(unhooked)).hooked_bead).toBeNull();

    const dead = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, name: 'Birch', status: 'dead' });
    expect((await call('GET', `${T(f.townId)}/agents/${dead}`, { token: f.token })).status).toBe(404);
    const unknown = await call('GET', `${T(f.townId)}/agents/${crypto.randomUUID()}`, { token: f.token });
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown).code).toBe('not_found');
  });

  it('reset: a stalled agent hooked to an in_progress bead becomes idle and unhooked, the bead reopens', async () => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Stuck' });
    await setBeadStatus(f.townId, bead.id, 'in_progress');
    const polecat = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, status: 'stalled', hookBeadId: bead.id });
    const r = await call('POST', `${T(f.townId)}/agents/${polecat}/reset`, { token: f.token });
    expect(r.status).toBe(200);
    expect(Agent.parse(data(r))).toMatchObject({ id: polecat, status: 'idle', hooked_bead_id: null });
    expect((await beadDetail(f.token, f.townId, bead.id)).bead).toMatchObject({ status: 'open', assignee_agent_id: null });
  });

  it('reset is a 404 for an unknown agent', async () => {
    const f = await quietFixture();
    expect((await call('POST', `${T(f.townId)}/agents/${crypto.randomUUID()}/reset`, { token: f.token })).status).toBe(404);
  });

  it('delete: the agent is gone (404), listed with status=dead, and its in_progress bead reopens', async () => {
    const f = await quietFixture();
    const bead = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Work' });
    await setBeadStatus(f.townId, bead.id, 'in_progress');
    const polecat = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, status: 'working', hookBeadId: bead.id });
    const r = await call('DELETE', `${T(f.townId)}/agents/${polecat}`, { token: f.token });
    expect(r.status).toBe(200);
    expect(data(r)).toEqual({ deleted: true });

    expect((await call('GET', `${T(f.townId)}/agents/${polecat}`, { token: f.token })).status).toBe(404);
    expect((await call('DELETE', `${T(f.townId)}/agents/${polecat}`, { token: f.token })).status).toBe(404);
    const dead = await listOf(f, '/agents?status=dead', Agent);
    expect(dead.items).toHaveLength(1);
    expect(dead.items[0]).toMatchObject({ id: polecat, status: 'dead', hooked_bead_id: null });
    expect(await ids(f, '/agents')).toEqual(new Set());
    expect((await beadDetail(f.token, f.townId, bead.id)).bead).toMatchObject({ status: 'open', assignee_agent_id: null });
  });
});

describe('escalations', () => {
  it('lists with acknowledged and severity filters', async () => {
    const f = await quietFixture();
    const low = await seedEscalation(f.townId, { severity: 'low', title: 'low one' });
    const high = await seedEscalation(f.townId, { severity: 'high', category: 'stuck_agent' });
    const acked = await seedEscalation(f.townId, { severity: 'critical', acknowledged: true });

    const all = await listOf(f, '/escalations', Escalation);
    expect(new Set(all.items.map((e) => e.id))).toEqual(new Set([low, high, acked]));
    expect(all.items.find((e) => e.id === low)).toMatchObject({ severity: 'low', category: 'agent_request', title: 'low one', acknowledged: false, acknowledged_at: null, re_escalations: 0 });
    expect(await ids(f, '/escalations?acknowledged=false')).toEqual(new Set([low, high]));
    expect(await ids(f, '/escalations?acknowledged=true')).toEqual(new Set([acked]));
    expect(await ids(f, '/escalations?severity=high,critical')).toEqual(new Set([high, acked]));
    expect(await ids(f, '/escalations?severity=high,critical&acknowledged=false')).toEqual(new Set([high]));
  });

  it('names the subject bead and its convoy', async () => {
    const f = await quietFixture();
    const { convoy, beads } = await slingBatchOk(f.token, f.townId, { rig_id: f.rigId, title: 'C', tasks: [{ title: 'm' }] });
    const member = beads[0]?.id ?? '';
    const esc = await seedEscalation(f.townId, { severity: 'medium', category: 'convoy_member_failed', parentBeadId: member, rigId: f.rigId });
    const list = await listOf(f, '/escalations', Escalation);
    expect(list.items.find((e) => e.id === esc)).toMatchObject({ bead_id: member, convoy_id: convoy.id });
  });

  it('acknowledge sets acknowledged, closes the escalation, and is idempotent', async () => {
    const f = await quietFixture();
    const esc = await seedEscalation(f.townId, { severity: 'high' });
    const r = await call('POST', `${T(f.townId)}/escalations/${esc}/acknowledge`, { token: f.token });
    expect(r.status).toBe(200);
    const first = Escalation.parse(data(r));
    expect(first).toMatchObject({ id: esc, acknowledged: true });
    expect(first.acknowledged_at).not.toBeNull();
    expect((await beadDetail(f.token, f.townId, esc)).bead.status).toBe('closed');

    const again = await call('POST', `${T(f.townId)}/escalations/${esc}/acknowledge`, { token: f.token });
    expect(again.status).toBe(200);
    expect(Escalation.parse(data(again))).toEqual(first);
    expect(await ids(f, '/escalations?acknowledged=false')).toEqual(new Set());
  });

  it('acknowledge is a 404 for an unknown escalation or a bead that is not one', async () => {
    const f = await quietFixture();
    expect((await call('POST', `${T(f.townId)}/escalations/${crypto.randomUUID()}/acknowledge`, { token: f.token })).status).toBe(404);
    const issue = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'not an escalation' });
    expect((await call('POST', `${T(f.townId)}/escalations/${issue.id}/acknowledge`, { token: f.token })).status).toBe(404);
  });
});

describe('mail', () => {
  it('lists seeded mail, filtered by agent (sender or recipient)', async () => {
    const f = await quietFixture();
    const a = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, name: 'Toast' });
    const b = await seedAgent(f.townId, { role: 'polecat', rigId: f.rigId, name: 'Maple' });
    const mayor = await seedAgent(f.townId, { role: 'mayor', rigId: null, name: 'mayor' });
    const m1 = await seedMail(f.townId, { from: a, to: b, subject: 'hello', body: 'hi there' });
    const m2 = await seedMail(f.townId, { from: b, to: mayor, subject: 'status', delivered: true });
    const m3 = await seedMail(f.townId, { from: mayor, to: a, subject: 'go' });

    const all = await listOf(f, '/mail', Mail);
    expect(new Set(all.items.map((m) => m.id))).toEqual(new Set([m1, m2, m3]));
    expect(all.items.find((m) => m.id === m1)).toEqual(expect.objectContaining({ from_agent_id: a, to_agent_id: b, subject: 'hello', body: 'hi there', delivered_at: null }));
    expect(all.items.find((m) => m.id === m2)?.delivered_at).not.toBeNull();
    expect(await ids(f, `/mail?agent_id=${b}`)).toEqual(new Set([m1, m2]));
    expect(await ids(f, `/mail?agent_id=${mayor}`)).toEqual(new Set([m2, m3]));
    // Mail is not listed among the town's beads unless asked for.
    expect((await ids(f, '/beads')).has(m1)).toBe(false);
  });
});

describe('activity stream', () => {
  it('pages in ascending seq: newest `limit` without a cursor, items after a cursor, next_cursor = last seq', async () => {
    const f = await quietFixture();
    const a = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'A' });
    const b = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'B', depends_on: [a.id] });
    await patchBeadOk(f.token, f.townId, a.id, { status: 'closed' });
    await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'C' });

    const all = await listOf(f, '/activity?limit=500', ActivityEvent);
    const seqs = all.items.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(all.items.length).toBeGreaterThanOrEqual(5);
    expect(all.next).toBe(String(seqs.at(-1)));
    expect(all.items.every((e) => e.actor === `user:${f.user}`)).toBe(true);

    const newest = await listOf(f, '/activity?limit=2', ActivityEvent);
    expect(newest.items.map((e) => e.seq)).toEqual(seqs.slice(-2));
    expect(newest.next).toBe(String(seqs.at(-1)));

    const after = await listOf(f, `/activity?limit=2&cursor=${seqs[0]}`, ActivityEvent);
    expect(after.items.map((e) => e.seq)).toEqual(seqs.slice(1, 3));
    expect(after.next).toBe(String(seqs[2]));

    // Polling forward from the end: nothing new, and the cursor stays put.
    const end = await listOf(f, `/activity?cursor=${all.next ?? ''}`, ActivityEvent);
    expect(end.items).toEqual([]);
    expect(end.next).toBe(all.next);

    const ofB = await listOf(f, `/activity?bead_id=${b.id}`, ActivityEvent);
    expect(ofB.items.map((e) => e.type)).toEqual(['created', 'dependency_added']);
    const changes = await listOf(f, '/activity?type=status_changed', ActivityEvent);
    expect(changes.items).toHaveLength(1);
    expect(changes.items[0]).toMatchObject({ bead_id: a.id, rig_id: f.rigId, type: 'status_changed', data: { old_value: 'open', new_value: 'closed' } });
  });

  it('a cursor that is not a seq is a 400', async () => {
    const f = await quietFixture();
    const r = await call('GET', `${T(f.townId)}/activity?cursor=abc`, { token: f.token });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('validation_failed');
  });
});

describe('merge queue', () => {
  it('shows open merge requests as pending and recently failed ones as needing attention', async () => {
    const f = await quietFixture();
    const queued = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Queued work' });
    await setBeadStatus(f.townId, queued.id, 'in_review');
    const openMr = await seedMergeRequest(f.townId, { rigId: f.rigId, sourceBeadId: queued.id });
    const cancelled = await createIssue(f.token, f.townId, { rig_id: f.rigId, title: 'Cancelled work' });
    await setBeadStatus(f.townId, cancelled.id, 'in_review');
    const failedMr = await seedMergeRequest(f.townId, { rigId: f.rigId, sourceBeadId: cancelled.id });
    await patchBeadOk(f.token, f.townId, cancelled.id, { status: 'failed' });

    const r = await call('GET', `${T(f.townId)}/merge-queue`, { token: f.token });
    expect(r.status).toBe(200);
    const queue = MergeQueue.parse(data(r));
    expect(queue.pending.map((i) => i.bead.id)).toEqual([openMr]);
    expect(queue.pending[0]).toMatchObject({
      source: { id: queued.id, type: 'issue', status: 'in_review', title: 'Queued work' },
      agent_id: null,
      stale_since: null,
      failure_reason: null,
    });
    expect(queue.pending[0]?.bead.review).toMatchObject({ source_bead_id: queued.id, target_branch: 'main', pr_url: null });
    expect(queue.needs_attention.map((i) => i.bead.id)).toEqual([failedMr]);
    expect(queue.needs_attention[0]?.bead.status).toBe('failed');
    expect(queue.needs_attention[0]?.failure_reason).toContain(cancelled.id);
    expect(queue.recent.map((e) => e.bead_id)).toContain(failedMr);

    const otherRig = await newRig(f.token, f.townId, 'api', 'https://github.com/acme/api.git');
    const filtered = MergeQueue.parse(data(await call('GET', `${T(f.townId)}/merge-queue?rig_id=${otherRig}`, { token: f.token })));
    expect(filtered).toEqual({ pending: [], needs_attention: [], recent: [] });
  });
});
