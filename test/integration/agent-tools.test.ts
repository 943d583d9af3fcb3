/**
 * The rig tools' synchronous agent routes in workerd (`http-api.md` §4.3, `domain.md` §7): prime
 * (agent, hook, mail handed out once, open beads, checkpoint / eviction / conflict context), mail
 * (send, 422 unknown recipient, check — also for the mayor on its own path — delivered exactly
 * once whichever way it is read), nudges (send, pending list urgent-first then oldest with expired
 * ones dropped, idempotent ack, 404 for another agent's, immediate ones sent by the tick),
 * escalations (`agent_request`, the mayor mailed), checkpoint and status message (live broadcast).
 */
import { describe, expect, it } from 'vitest';
import { PrimeResult } from '../../src/protocol/agent.ts';
import { Agent, Escalation, Mail, Nudge } from '../../src/protocol/api.ts';
import { call, data, errorOf } from './helpers.ts';
import { connectLive } from './live-socket.ts';
import { harness } from './reconciler-support.ts';
import { seedAgent } from './seed.ts';
import { dispatchedPolecat } from './report-support.ts';
import { onAgent, seededMayor, seededPolecat } from './agent-tools-support.ts';

const S = 1000;
const MIN = 60 * S;

function mails(r: Awaited<ReturnType<typeof call>>): Mail[] {
  return data<unknown[]>(r).map((m) => Mail.parse(m));
}

describe('P/mail and P/mail/check', () => {
  it('sends from the path agent (201 Mail), and the recipient reads it exactly once; the mayor uses its own path', async () => {
    const h = await harness();
    const polecat = await dispatchedPolecat(h);
    const mayor = await seededMayor(h);
    const sent = await onAgent(polecat, 'POST', 'mail', { body: { to_agent_id: mayor.agentId, subject: 'Blocked', body: 'Need the API key rotated.' } });
    expect(sent.status).toBe(201);
    const mail = Mail.parse(data(sent));
    expect(mail).toMatchObject({ from_agent_id: polecat.agentId, to_agent_id: mayor.agentId, subject: 'Blocked', body: 'Need the API key rotated.', delivered_at: null });
    const listed = await call('GET', `/api/towns/${h.townId}/mail?agent_id=${mayor.agentId}`, { token: h.token });
    expect(data<{ id: string }[]>(listed).map((m) => m.id)).toEqual([mail.id]);
    const checked = await onAgent(mayor, 'POST', 'mail/check');
    expect(checked.status).toBe(200);
    expect(mails(checked)).toEqual([{ ...mail, delivered_at: new Date(h.now()).toISOString() }]);
    expect(mails(await onAgent(mayor, 'POST', 'mail/check'))).toEqual([]);
  });

  it('an unknown or dead recipient is a 422 unknown_reference naming to_agent_id', async () => {
    const h = await harness();
    const polecat = await dispatchedPolecat(h);
    const dead = await seedAgent(h.townId, { role: 'polecat', rigId: h.rigId, name: 'Ember', status: 'dead' });
    for (const to of [crypto.randomUUID(), dead]) {
      const r = await onAgent(polecat, 'POST', 'mail', { body: { to_agent_id: to, subject: 's', body: '' } });
      expect(r.status).toBe(422);
      expect(errorOf(r)).toMatchObject({ code: 'unknown_reference', details: { field: 'to_agent_id' } });
    }
    const bad = await onAgent(polecat, 'POST', 'mail', { body: { to_agent_id: polecat.agentId, subject: '' , body: '' } });
    expect(bad.status).toBe(400);
  });

  it('mail read by prime is not returned again by mail/check, and the other way round', async () => {
    const h = await harness();
    const polecat = await dispatchedPolecat(h);
    const mayor = await seededMayor(h);
    const first = Mail.parse(data(await onAgent(mayor, 'POST', 'mail', { body: { to_agent_id: polecat.agentId, subject: 'one', body: '1' } })));
    await h.advance(1 * S);
    const second = Mail.parse(data(await onAgent(mayor, 'POST', 'mail', { body: { to_agent_id: polecat.agentId, subject: 'two', body: '2' } })));
    const primed = PrimeResult.parse(data(await onAgent(polecat, 'POST', 'prime')));
    expect(primed.mail.map((m) => m.id)).toEqual([first.id, second.id]);
    expect(primed.mail.every((m) => m.delivered_at !== null)).toBe(true);
    expect(mails(await onAgent(polecat, 'POST', 'mail/check'))).toEqual([]);
    expect(PrimeResult.parse(data(await onAgent(polecat, 'POST', 'prime'))).mail).toEqual([]);
    const third = Mail.parse(data(await onAgent(mayor, 'POST', 'mail', { body: { to_agent_id: polecat.agentId, subject: 'three', body: '3' } })));
    expect(mails(await onAgent(polecat, 'POST', 'mail/check')).map((m) => m.id)).toEqual([third.id]);
    expect(PrimeResult.parse(data(await onAgent(polecat, 'POST', 'prime'))).mail).toEqual([]);
    // Read mail is closed, so the reconciler has nothing left to deliver.
    await h.advance(1 * S);
    await h.tick();
    expect(h.fake.count('deliver_mail')).toBe(0);
  });
});

describe('P/prime', () => {
  it('answers the agent, its hooked bead, the rig’s other unfinished beads and its checkpoint', async () => {
    const h = await harness();
    const polecat = await dispatchedPolecat(h, 'Hooked work');
    const other = await h.sling('Other work', { priority: 'high' });
    const saved = await onAgent(polecat, 'POST', 'checkpoint', { body: { data: { step: 3, notes: ['tests pass'] } } });
    expect(saved.status).toBe(200);
    expect(data(saved)).toEqual({ saved: true });
    const r = await onAgent(polecat, 'POST', 'prime');
    expect(r.status).toBe(200);
    const prime = PrimeResult.parse(data(r));
    expect(prime.agent).toMatchObject({ id: polecat.agentId, role: 'polecat', status: 'working', hooked_bead_id: polecat.beadId });
    expect(prime.hooked_bead).toMatchObject({ id: polecat.beadId, title: 'Hooked work', status: 'in_progress' });
    expect(prime.open_beads).toEqual([{ id: other, type: 'issue', status: 'open', title: 'Other work' }]);
    expect(prime.context).toEqual({ checkpoint: { step: 3, notes: ['tests pass'] } });
  });

  it('shows the hooked bead’s eviction note and conflict files from its followup_context', async () => {
    const h = await harness();
    const polecat = await dispatchedPolecat(h);
    const evicted = await onAgent(polecat, 'POST', 'eviction-context', { body: { branch: 'gt/toast/wip', commit_sha: 'abcdef1', note: 'half done' } });
    expect(evicted.status).toBe(200);
    await h.advance(1 * S);
    await h.tick();
    await h.sql(`UPDATE beads SET followup_context = json_set(followup_context, '$.conflict_files', json('["src/a.ts","src/b.ts"]')) WHERE bead_id = ?`, polecat.beadId);
    const prime = PrimeResult.parse(data(await onAgent(polecat, 'POST', 'prime')));
    expect(prime.context).toEqual({ eviction: { branch: 'gt/toast/wip', commit_sha: 'abcdef1', note: 'half done' }, conflict_files: ['src/a.ts', 'src/b.ts'] });
  });

  it('an unhooked agent gets a null hooked bead; the mayor may not prime (403)', async () => {
    const h = await harness();
    const idle = await seededPolecat(h, 'Birch');
    const prime = PrimeResult.parse(data(await onAgent(idle, 'POST', 'prime')));
    expect(prime.hooked_bead).toBeNull();
    expect(prime.context).toEqual({});
    const mayor = await seededMayor(h);
    expect((await onAgent(mayor, 'POST', 'prime')).status).toBe(403);
  });
});

describe('P/nudges, P/pending-nudges, P/nudge-delivered', () => {
  it('lists pending nudges urgent first then oldest, drops expired ones, and acks idempotently', async () => {
    const h = await harness();
    const polecat = await dispatchedPolecat(h);
    const mayor = await seededMayor(h);
    const nudge = async (message: string, priority?: 'urgent' | 'normal') => {
      const r = await onAgent(mayor, 'POST', 'nudges', { body: { target_agent_id: polecat.agentId, message, ...(priority === undefined ? {} : { priority }) } });
      expect(r.status).toBe(201);
      await h.advance(1 * S);
      return Nudge.parse(data(r));
    };
    const expired = await nudge('too old');
    await h.advance(61 * MIN);
    const a = await nudge('check CI');
    const b = await nudge('stop pushing', 'urgent');
    const c = await nudge('rebase when done');
    expect(a).toMatchObject({ from: `agent:${mayor.agentId}`, mode: 'wait-idle', priority: 'normal' });
    expect(Date.parse(a.expires_at) - Date.parse(a.created_at)).toBe(60 * MIN);
    const pending = await onAgent(polecat, 'GET', 'pending-nudges');
    expect(pending.status).toBe(200);
    expect(data<unknown[]>(pending).map((n) => Nudge.parse(n).id)).toEqual([b.id, a.id, c.id]);
    expect(data<{ id: string }[]>(pending).map((n) => n.id)).not.toContain(expired.id);
    for (let i = 0; i < 2; i += 1) {
      const ack = await onAgent(polecat, 'POST', 'nudge-delivered', { body: { nudge_id: b.id } });
      expect(ack.status).toBe(200);
      expect(data(ack)).toEqual({ delivered: true });
    }
    expect(data<{ id: string }[]>(await onAgent(polecat, 'GET', 'pending-nudges')).map((n) => n.id)).toEqual([a.id, c.id]);
    // Another agent's nudge, or an unknown one, is a 404.
    expect((await onAgent(mayor, 'POST', 'nudge-delivered', { body: { nudge_id: a.id } })).status).toBe(404);
    expect((await onAgent(polecat, 'POST', 'nudge-delivered', { body: { nudge_id: crypto.randomUUID() } })).status).toBe(404);
  });

  it('an immediate nudge is sent by the next tick; an unknown target is a 422', async () => {
    const h = await harness();
    const polecat = await dispatchedPolecat(h);
    const mayor = await seededMayor(h);
    const r = await onAgent(mayor, 'POST', 'nudges', { body: { target_agent_id: polecat.agentId, message: 'now', mode: 'immediate', priority: 'urgent' } });
    const nudge = Nudge.parse(data(r));
    await h.advance(1 * S);
    await h.tick();
    expect(h.fake.intents).toContainEqual({ kind: 'deliver_nudge', agent_id: polecat.agentId, nudge_id: nudge.id });
    const unknown = await onAgent(mayor, 'POST', 'nudges', { body: { target_agent_id: crypto.randomUUID(), message: 'hello' } });
    expect(unknown.status).toBe(422);
    expect(errorOf(unknown)).toMatchObject({ code: 'unknown_reference', details: { field: 'target_agent_id' } });
  });
});

describe('P/escalations', () => {
  it('raises an agent_request escalation about the hooked bead and mails the mayor', async () => {
    const h = await harness();
    const polecat = await dispatchedPolecat(h);
    const r = await onAgent(polecat, 'POST', 'escalations', { body: { title: 'Gates fail 3 times', body: 'npm test: 2 failures', severity: 'high' } });
    expect(r.status).toBe(201);
    const escalation = Escalation.parse(data(r));
    expect(escalation).toMatchObject({ category: 'agent_request', severity: 'high', title: 'Gates fail 3 times', body: 'npm test: 2 failures', source_agent_id: polecat.agentId, bead_id: polecat.beadId, acknowledged: false });
    const listed = await call('GET', `/api/towns/${h.townId}/escalations`, { token: h.token });
    expect(data<{ id: string }[]>(listed).map((e) => e.id)).toEqual([escalation.id]);
    const mayorMail = await h.sql<{ title: string }>(`SELECT b.title FROM beads b JOIN agent_metadata a ON a.bead_id = b.assignee_agent_bead_id WHERE b.type = 'message' AND a.role = 'mayor'`);
    expect(mayorMail.map((m) => m.title)).toEqual(['Escalation (high): Gates fail 3 times']);
    const defaults = await onAgent(await seededMayor(h), 'POST', 'escalations', { body: { title: 'Need a human' } });
    expect(Escalation.parse(data(defaults))).toMatchObject({ severity: 'medium', category: 'agent_request', bead_id: null });
  });
});

describe('P/checkpoint and P/status-message', () => {
  it('a checkpoint over 64 KB is a 400; the mayor may not checkpoint (403)', async () => {
    const h = await harness();
    const polecat = await dispatchedPolecat(h);
    const big = await onAgent(polecat, 'POST', 'checkpoint', { body: { data: { blob: 'x'.repeat(70_000) } } });
    expect(big.status).toBe(400);
    expect(errorOf(big).code).toBe('validation_failed');
    expect((await onAgent(await seededMayor(h), 'POST', 'checkpoint', { body: { data: {} } })).status).toBe(403);
  });

  it('sets the status message, answers the Agent and broadcasts it on the live sockets', async () => {
    const h = await harness();
    const polecat = await dispatchedPolecat(h);
    const live = await connectLive(h.token, h.townId);
    const r = await onAgent(polecat, 'POST', 'status-message', { body: { message: 'Running the gates' } });
    expect(r.status).toBe(200);
    const agent = Agent.parse(data(r));
    expect(agent).toMatchObject({ id: polecat.agentId, status_message: 'Running the gates', status_message_at: new Date(h.now()).toISOString() });
    const frame = await live.waitForType('agent', (f) => f.agent.id === polecat.agentId && f.agent.status_message === 'Running the gates');
    expect(frame.agent.status_message_at).toBe(agent.status_message_at);
    const activity = await live.waitForType('activity', (f) => f.event.type === 'agent_status');
    expect(activity.event).toMatchObject({ agent_id: polecat.agentId, bead_id: polecat.beadId, data: { message: 'Running the gates' } });
    live.ws.close();
    const tooLong = await onAgent(polecat, 'POST', 'status-message', { body: { message: 'x'.repeat(281) } });
    expect(tooLong.status).toBe(400);
  });
});
