/**
 * A running session (`container.md` §5.4–5.5): event routing into the record and ring buffer,
 * message queueing, nudges, the idle timer and its completion report, the mayor's waiting report,
 * a server that dies, model hot-swap (keeping the session) and `/sync-config` restarts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentView } from '../../src/protocol/control.ts';
import type { Nudge } from '../../src/protocol/api.ts';
import { AGENT, MAYOR, liveConfig, mayorRequest, polecatRequest } from './fixtures.ts';
import { dataOf, makeHarness, settle } from './pm-harness.ts';
import type { Harness } from './pm-harness.ts';
import type { FakeServer } from './fakes/fake-backend.ts';

let h: Harness;
afterEach(async () => {
  await h.close();
});

/** Starts a polecat and returns its server and session id. */
async function startPolecat(): Promise<{ server: FakeServer; sessionId: string }> {
  const view = await dataOf<AgentView>(await h.request('POST', '/agents/start', polecatRequest()));
  const server = h.backend.servers.at(-1);
  if (server === undefined || view.session_id === null) throw new Error('no server');
  return { server, sessionId: view.session_id };
}

function texts(server: FakeServer, sessionId: string): string[] {
  return (server.sessions.get(sessionId)?.prompts ?? []).map((p) => p.parts.map((x) => x.text).join(''));
}

describe('events and messages', () => {
  it('routes events by session id into the view and the ring buffer', async () => {
    h = await makeHarness();
    const { server, sessionId } = await startPolecat();
    server.busy(sessionId);
    server.tool(sessionId, 'call_1', 'bash', 'running');
    server.emit('server.heartbeat', {});
    await settle();
    expect(h.manager.status(AGENT)).toMatchObject({ busy: true, active_tools: ['bash'], last_event_type: 'message.part.updated' });
    server.tool(sessionId, 'call_1', 'bash', 'completed');
    server.sessionError(sessionId, 'APIError', 'provider down');
    server.sessionError(sessionId, 'MessageAbortedError', 'aborted');
    await settle();
    const view = h.manager.status(AGENT);
    expect(view?.active_tools).toEqual([]);
    expect(view?.last_error).toBe('APIError: provider down');
    const res = await h.request('GET', `/agents/${AGENT}/events?after=0`);
    const { events } = await dataOf<{ events: { id: number; type: string }[] }>(res);
    expect(events.map((e) => e.type)).toEqual(['session.status', 'message.part.updated', 'message.part.updated', 'session.error', 'session.error']);
    const after = events[1]?.id ?? 0;
    const later = await dataOf<{ events: unknown[] }>(await h.request('GET', `/agents/${AGENT}/events?after=${after}`));
    expect(later.events).toHaveLength(3);
    expect(await dataOf(await h.request('GET', '/agents/unknown/events'))).toEqual({ events: [] });
  });

  it('queues messages while busy and sends them as one prompt at the next idle', async () => {
    h = await makeHarness();
    const { server, sessionId } = await startPolecat();
    const first = await h.request('POST', `/agents/${AGENT}/message`, { text: 'one' });
    expect(await dataOf(first)).toEqual({ sent: true, queued: true });
    await h.request('POST', `/agents/${AGENT}/message`, { text: 'two' });
    expect(texts(server, sessionId)).toEqual(['Do the thing.']);
    server.idle(sessionId);
    while (texts(server, sessionId).length < 2) await settle();
    expect(texts(server, sessionId)).toEqual(['Do the thing.', 'one\n\ntwo']);
    expect(h.manager.status(AGENT)?.message_count).toBe(2);
  });

  it('prompts an idle session at once; 404 unknown, 409 not running', async () => {
    h = await makeHarness();
    const { server, sessionId } = await startPolecat();
    server.idle(sessionId);
    await h.api.waitFor((r) => r.path.endsWith('/pending-nudges'));
    await settle();
    expect(await dataOf(await h.request('POST', `/agents/${AGENT}/message`, { text: 'now' }))).toEqual({ sent: true, queued: false });
    expect(texts(server, sessionId)).toEqual(['Do the thing.', 'now']);
    expect((await h.request('POST', `/agents/${MAYOR}/message`, { text: 'x' })).status).toBe(404);
    await h.request('POST', `/agents/${AGENT}/stop`, {});
    const res = await h.request('POST', `/agents/${AGENT}/message`, { text: 'x' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_running');
  });
});

describe('idle', () => {
  it('delivers pending nudges as one prompt (urgent first) and acks each', async () => {
    h = await makeHarness();
    const nudge = (id: string, priority: 'normal' | 'urgent', message: string, from: string | null): Nudge => ({
      id,
      from,
      message,
      mode: 'wait-idle',
      priority,
      created_at: new Date().toISOString(),
      expires_at: new Date(Date.now() + 60_000).toISOString(),
    });
    const n1 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
    const n2 = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
    h.api.setResponse('pending-nudges', () => ({ data: [nudge(n1, 'normal', 'check CI', 'mayor'), nudge(n2, 'urgent', 'stop pushing', null)] }));
    const { server, sessionId } = await startPolecat();
    server.idle(sessionId);
    await h.api.waitFor((r) => r.path.endsWith('/nudge-delivered') && JSON.stringify(r.body).includes(n1));
    await h.api.waitFor((r) => r.path.endsWith('/nudge-delivered') && JSON.stringify(r.body).includes(n2));
    expect(texts(server, sessionId)[1]).toBe('[NUDGE from system] stop pushing\n[NUDGE from mayor] check CI');
  });

  it('the idle timer ends the agent: exited, server closed, completed reported', async () => {
    h = await makeHarness({ timings: { idleMs: 50 } });
    const { server, sessionId } = await startPolecat();
    server.idle(sessionId);
    const report = await h.api.waitFor((r) => r.path.endsWith(`/agents/${AGENT}/completed`));
    expect(report.body).toEqual({ status: 'completed' });
    expect(server.closed).toBe(true);
    expect(h.manager.status(AGENT)).toMatchObject({ status: 'exited', exit_reason: 'completed', server_up: false });
  });

  it('reports failed when the last turn ended in a session error, retrying a failed report', async () => {
    h = await makeHarness({ timings: { idleMs: 50, completionRetryMs: [20, 20, 20] } });
    h.api.failNext('completed', 503, 2);
    const { server, sessionId } = await startPolecat();
    server.sessionError(sessionId, 'APIError', 'quota');
    server.idle(sessionId);
    await h.api.waitFor((r) => r.path.endsWith('/completed') && h.api.matching('completed').length === 3);
    expect(h.api.matching('completed').map((r) => r.body)).toEqual([
      { status: 'failed', reason: 'APIError: quota' },
      { status: 'failed', reason: 'APIError: quota' },
      { status: 'failed', reason: 'APIError: quota' },
    ]);
  });

  it('activity cancels a pending idle timer until the next idle', async () => {
    h = await makeHarness({ timings: { idleMs: 50 } });
    const { server, sessionId } = await startPolecat();
    server.idle(sessionId);
    await h.api.waitFor((r) => r.path.endsWith('/pending-nudges'));
    while (h.manager.agents.get(AGENT)?.idleTimer === null) await settle();
    server.busy(sessionId);
    await settle();
    expect(h.manager.agents.get(AGENT)?.idleTimer).toBeNull();
    server.idle(sessionId);
    await h.api.waitFor((r) => r.path.endsWith('/completed'));
  });

  it('the mayor has no idle timer: it reports waiting', async () => {
    h = await makeHarness({ timings: { idleMs: 50 } });
    const view = await dataOf<AgentView>(await h.request('POST', '/agents/start', mayorRequest({ prompt: 'hello' })));
    const server = h.backend.servers[0];
    server?.idle(view.session_id ?? '');
    await h.api.waitFor((r) => r.path.endsWith(`/agents/${MAYOR}/waiting`));
    expect(h.manager.agents.get(MAYOR)?.idleTimer).toBeNull();
    expect(h.manager.status(MAYOR)?.status).toBe('running');
  });

  it('a server whose stream ends unexpectedly fails its agent and reports it', async () => {
    h = await makeHarness();
    const { server } = await startPolecat();
    server.crash();
    const report = await h.api.waitFor((r) => r.path.endsWith('/completed'));
    expect(report.body).toEqual({ status: 'failed', reason: 'server exited' });
    expect(h.manager.status(AGENT)).toMatchObject({ status: 'failed', last_error: 'server exited' });
    expect(h.pool.size).toBe(0);
  });
});

describe('model hot-swap', () => {
  it('keeps the session id, switches the model on a new server and closes the old one', async () => {
    h = await makeHarness();
    const { server, sessionId } = await startPolecat();
    server.idle(sessionId);
    await h.api.waitFor((r) => r.path.endsWith('/pending-nudges'));
    const res = await h.request('PATCH', `/agents/${AGENT}/model`, { model: 'openai/gpt-5' });
    expect(res.status).toBe(200);
    expect(await dataOf(res)).toEqual({ updated: true });
    const fresh = h.backend.servers[1];
    expect(server.closed).toBe(true);
    expect(fresh?.closed).toBe(false);
    expect(h.manager.status(AGENT)?.session_id).toBe(sessionId);
    expect(JSON.parse(fresh?.env.KILO_CONFIG_CONTENT ?? '{}').model).toBe('kilo/openai/gpt-5');
    const switched = fresh?.sessions.get(sessionId);
    expect(switched?.model).toBe('kilo/openai/gpt-5');
    expect(switched?.prompts.at(-1)).toMatchObject({ noReply: true, parts: [{ type: 'text', text: '' }] });
    expect(await dataOf(await h.request('PATCH', `/agents/${AGENT}/model`, { model: 'openai/gpt-5' }))).toEqual({ updated: false });
  });

  it('defers while busy (202) and swaps at the next idle', async () => {
    h = await makeHarness();
    const { server, sessionId } = await startPolecat();
    const res = await h.request('PATCH', `/agents/${AGENT}/model`, { model: 'openai/gpt-5' });
    expect(res.status).toBe(202);
    expect(await dataOf(res)).toEqual({ deferred: true });
    expect(h.backend.servers).toHaveLength(1);
    server.idle(sessionId);
    while (h.backend.servers.length < 2 || !server.closed) await settle();
    expect(h.manager.status(AGENT)?.session_id).toBe(sessionId);
  });

  it('restores everything when the new server fails', async () => {
    h = await makeHarness();
    const { server, sessionId } = await startPolecat();
    server.idle(sessionId);
    await h.api.waitFor((r) => r.path.endsWith('/pending-nudges'));
    h.backend.failNextStart = new Error('spawn failed');
    const res = await h.request('PATCH', `/agents/${AGENT}/model`, { model: 'openai/gpt-5' });
    expect(res.status).toBe(500);
    expect(server.closed).toBe(false);
    expect(h.manager.status(AGENT)).toMatchObject({ status: 'running', session_id: sessionId, server_up: true });
    expect(h.manager.agents.get(AGENT)?.request.model).toBe('anthropic/claude-sonnet-4.6');
  });

  it('/sync-config applies newer configs only and restarts agents whose kilo config changed', async () => {
    h = await makeHarness();
    const { server, sessionId } = await startPolecat();
    server.idle(sessionId);
    await h.api.waitFor((r) => r.path.endsWith('/pending-nudges'));
    const stale = await dataOf(await h.request('POST', '/sync-config', { config: liveConfig({ version: 1 }) }));
    expect(stale).toEqual({ applied: false, version: 3, restarts_scheduled: 0 });
    const same = await dataOf(await h.request('POST', '/sync-config', { config: liveConfig({ version: 4, git_auth: { github_token: 'ghp_rotated_0004' } }) }));
    expect(same).toEqual({ applied: true, version: 4, restarts_scheduled: 0 });
    // A rotated git token reaches the running agent through its token file (the gh wrapper reads it).
    expect(await readFile(join(h.root, 'agents', AGENT, 'cred', 'github-token'), 'utf8')).toBe('ghp_rotated_0004');
    const changed = await dataOf(await h.request('POST', '/sync-config', { config: liveConfig({ version: 5, provider: { kind: 'kilo', token: 'kilo-token-rotated-5555' } }) }));
    expect(changed).toEqual({ applied: true, version: 5, restarts_scheduled: 1 });
    while (!server.closed) await settle();
    expect(h.backend.servers[1]?.env.KILOCODE_TOKEN).toBe('kilo-token-rotated-5555');
    expect(h.manager.status(AGENT)?.session_id).toBe(sessionId);
  });
});
