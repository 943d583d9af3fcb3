/**
 * `ContainerExecutor` over the real tick and the fake container: a sling becomes exactly one
 * validated `/agents/start` with a token scoped to that agent and dispatch; the model chain;
 * convoy and refinery checkouts; failures as `dispatch_result {ok: false}` with the agent left
 * working; stop, mail, nudge, merge and observe through the control protocol.
 */
import { describe, expect, it } from 'vitest';
import { verifyToken } from '../../../../src/auth/jwt.ts';
import { StartAgentRequest } from '../../../../src/protocol/control.ts';
import { parseAssignmentBlock } from '../../../../src/prompts/assignment.ts';
import { sling } from '../../../../src/town/commands.ts';
import type { EffectContext } from '../../../../src/town/reconciler/effects.ts';
import { DispatchTown, SECRET } from './dispatch-town.ts';

function slingOne(t: DispatchTown, rigId: string, title = 'Add `docs/a.md`', extra: Partial<Parameters<typeof sling>[1]> = {}): string {
  return t.sql.transaction(() => sling(t.command(), { rig_id: rigId, title, body: 'The body.', ...extra })).id;
}

function ectx(t: DispatchTown): EffectContext {
  return { townId: t.townId, now: t.now, deadline: t.now + 60_000 };
}

function events(t: DispatchTown, type: string): Record<string, unknown>[] {
  return t.sql.all(`SELECT * FROM town_events WHERE event_type = ? ORDER BY created_at, rowid`, type).map((r) => ({ ...r, payload: JSON.parse(String(r.payload)) as unknown }));
}

describe('dispatch', () => {
  it('a sling becomes exactly one valid start, with a token scoped to the agent and dispatch', async () => {
    const t = new DispatchTown();
    const rigId = t.rig({ name: 'app', git_url: 'https://github.com/acme/app.git', config: { git_push_flags: ['--atomic'], refinery: { gates: ['npm test'] } } });
    const beadId = slingOne(t, rigId);
    await t.tick();
    const starts = t.container.starts();
    expect(starts).toHaveLength(1);
    const start = starts[0];
    if (start === undefined) throw new Error('no start');
    expect(StartAgentRequest.safeParse(start).success).toBe(true);
    const agent = t.row(`SELECT * FROM agent_metadata WHERE current_hook_bead_id = ?`, beadId);
    expect(agent.status).toBe('working');
    expect(start.agent_id).toBe(agent.bead_id);
    expect(start.dispatch_id).toBe(agent.current_dispatch_id);
    const claims = await verifyToken(start.agent_token, SECRET, { now: t.now, expectedScope: 'agent' });
    expect(claims).toMatchObject({ townId: t.townId, rigId, agentId: agent.bead_id, role: 'polecat', dispatchId: agent.current_dispatch_id });
    expect(start).toMatchObject({ role: 'polecat', town_id: t.townId, rig_id: rigId, model: 'anthropic/claude-sonnet-4.6', small_model: 'anthropic/claude-haiku-4.5' });
    expect(start.rig).toEqual({
      git_url: 'https://github.com/acme/app.git',
      default_branch: 'main',
      branch: `gt/${String(agent.name).toLowerCase()}/${beadId.replace(/-/g, '').slice(0, 8)}`,
      scm: { provider: 'github', api_url: 'https://api.github.com', repo: 'acme/app' },
      git_push_flags: ['--atomic'],
    });
    expect(start.prompt).toContain('Add `docs/a.md`');
    expect(start.prompt).toContain('The body.');
    const block = parseAssignmentBlock(start.system_prompt ?? '');
    expect(block).toMatchObject({ role: 'polecat', bead_id: beadId, branch: start.rig?.branch, target_branch: 'main', merge_strategy: 'pr', push_flags: ['--atomic'], gates: ['npm test'] });
    expect(start.config).toMatchObject({ town_id: t.townId, api_url: 'http://127.0.0.1:8787', provider: null, git_auth: {}, disable_ai_coauthor: false, env_vars: {} });
    // The outcome comes back as an ok dispatch_result; the next tick sends no second start.
    expect(events(t, 'dispatch_result').map((e) => e.payload)).toEqual([{ dispatch_id: agent.current_dispatch_id, ok: true }]);
    t.now += 5000;
    await t.tick();
    expect(t.container.starts()).toHaveLength(1);
  });

  it('model: the bead override, else the role model, else the default', async () => {
    const t = new DispatchTown();
    t.patchConfig({ role_models: { mayor: null, refinery: null, polecat: 'openai/gpt-5' }, small_model: 'openai/gpt-5-mini' });
    const rigId = t.rig();
    slingOne(t, rigId, 'one');
    slingOne(t, rigId, 'two', { model: 'anthropic/claude-opus-4' });
    await t.tick();
    const byTitle = new Map(t.container.starts().map((s) => [s.prompt?.split('\n')[0] ?? '', s]));
    expect([...byTitle.values()].map((s) => [s.model, s.small_model]).sort()).toEqual([
      ['anthropic/claude-opus-4', 'openai/gpt-5-mini'],
      ['openai/gpt-5', 'openai/gpt-5-mini'],
    ]);
  });

  it('a review-then-land member works on the convoy branch and merges direct', async () => {
    const t = new DispatchTown();
    const rigId = t.rig();
    const convoyId = t.convoy({ feature_branch: 'convoy/plan/0a1b2c3d/head' });
    const beadId = t.bead({ rig_id: rigId, title: 'member' });
    t.member(convoyId, beadId);
    await t.tick();
    const start = t.container.starts()[0];
    expect(start?.rig?.branch).toMatch(/^convoy\/plan\/0a1b2c3d\/gt\/[a-z0-9-]+\/[0-9a-f]{8}$/);
    expect(start?.rig?.base_branch).toBe('convoy/plan/0a1b2c3d/head');
    expect(parseAssignmentBlock(start?.system_prompt ?? '')).toMatchObject({ merge_strategy: 'direct', target_branch: 'convoy/plan/0a1b2c3d/head' });
  });

  it('a refinery reviews its MR branch with the rig review mode', async () => {
    const t = new DispatchTown();
    const rigId = t.rig({ config: { refinery: { review_mode: 'rework' } } });
    const source = t.bead({ rig_id: rigId, status: 'in_review' });
    const mr = t.mergeRequest({ rig_id: rigId, source, branch: 'gt/toast/12345678', target_branch: 'main' });
    await t.tick();
    const start = t.container.starts().find((s) => s.role === 'refinery');
    expect(start).toBeDefined();
    expect(start?.rig?.branch).toBe('gt/toast/12345678');
    expect(parseAssignmentBlock(start?.system_prompt ?? '')).toMatchObject({ role: 'refinery', bead_id: mr, review_mode: 'rework', target_branch: 'main' });
  });

  it('a failed start is ok: false with its phase; the agent stays working and hooked', async () => {
    const t = new DispatchTown();
    const rigId = t.rig();
    t.container.transport.replies.set('start', 'start_failed');
    const beadId = slingOne(t, rigId);
    await t.tick();
    const [result] = events(t, 'dispatch_result');
    expect(result?.payload).toMatchObject({ ok: false, error: { phase: 'sdk_ready', status: 500 } });
    t.now += 5000;
    await t.tick();
    const agent = t.row(`SELECT * FROM agent_metadata WHERE current_hook_bead_id = ?`, beadId);
    expect(agent.status).toBe('working');
    expect(t.row(`SELECT status FROM beads WHERE bead_id = ?`, beadId).status).toBe('in_progress');
  });

  it('an unreachable container is ok: false at phase container; a duplicate is ok', async () => {
    const t = new DispatchTown();
    const rigId = t.rig();
    t.container.transport.startFails = true;
    slingOne(t, rigId);
    await t.tick();
    expect(events(t, 'dispatch_result')[0]?.payload).toMatchObject({ ok: false, error: { phase: 'container', status: 503 } });

    const u = new DispatchTown();
    u.container.transport.replies.set('start', 'already_running');
    slingOne(u, u.rig());
    await u.tick();
    expect(events(u, 'dispatch_result')[0]?.payload).toMatchObject({ ok: true });
  });

  it('an invalid request is never sent (no API URL → ok: false at phase request)', async () => {
    const t = new DispatchTown();
    Object.assign(t.env, { GASTOWN_API_URL: undefined });
    slingOne(t, t.rig());
    await t.tick();
    expect(t.container.requests).toHaveLength(0);
    expect(events(t, 'dispatch_result')[0]?.payload).toMatchObject({ ok: false, error: { phase: 'request', message: expect.stringContaining('GASTOWN_API_URL') } });
  });
});

describe('other effects', () => {
  it('stop, mail, nudge and merge go through the control protocol', async () => {
    const t = new DispatchTown();
    const rigId = t.rig();
    const beadId = slingOne(t, rigId);
    await t.tick();
    const agentId = String(t.row(`SELECT bead_id FROM agent_metadata WHERE current_hook_bead_id = ?`, beadId).bead_id);
    const mail = [t.mail(agentId, { subject: 'first', from: 'mayor' }), t.mail(agentId, { subject: 'second' })];
    expect(await t.executor.run({ kind: 'deliver_mail', agent_id: agentId, message_ids: mail }, ectx(t))).toEqual([{ event_type: 'mail_delivered', agent_id: agentId, payload: { message_ids: mail, ok: true } }]);
    const text = (t.container.transport.of('message')[0]?.body as { text: string }).text;
    expect(text).toContain('[MAIL from mayor] first');
    expect(text).toContain('second');
    const nudge = t.nudge(agentId, { source: 'reconciler:warn', mode: 'immediate' });
    expect(await t.executor.run({ kind: 'deliver_nudge', agent_id: agentId, nudge_id: nudge }, ectx(t))).toEqual([{ event_type: 'nudge_sent', agent_id: agentId, payload: { nudge_id: nudge, ok: true } }]);
    expect((t.container.transport.of('message')[1]?.body as { text: string }).text).toBe('[NUDGE from reconciler:warn] nudge');
    expect(await t.executor.run({ kind: 'stop_agent', agent_id: agentId, reason: 'gupp' }, ectx(t))).toEqual([]);
    expect(t.container.transport.of('stop')[0]?.body).toEqual({ reason: 'gupp' });
    // After the stop, a message to the agent fails: ok false.
    expect((await t.executor.run({ kind: 'deliver_nudge', agent_id: agentId, nudge_id: nudge }, ectx(t)))[0]?.payload).toMatchObject({ ok: false });

    const mr = t.mergeRequest({ rig_id: rigId, branch: 'gt/toast/12345678', target_branch: 'main', status: 'in_progress' });
    expect(await t.executor.run({ kind: 'git_merge', bead_id: mr, request_id: `${mr}.1` }, ectx(t))).toEqual([]);
    expect(t.container.transport.of('merge')[0]?.body).toMatchObject({ request_id: `${mr}.1`, rig_id: rigId, git_url: 'https://github.com/acme/app.git', default_branch: 'main', branch: 'gt/toast/12345678', target_branch: 'main', config: { town_id: t.townId } });
    t.container.transport.all = 'fail';
    const refused = await t.executor.run({ kind: 'git_merge', bead_id: mr, request_id: `${mr}.2` }, ectx(t));
    expect(refused[0]).toMatchObject({ event_type: 'merge_result', bead_id: mr, payload: { request_id: `${mr}.2`, ok: false } });
  });

  it('observe maps running, exited, not_found, hydrating and older dispatches', async () => {
    const t = new DispatchTown();
    const rigId = t.rig();
    const beadId = slingOne(t, rigId);
    await t.tick();
    const agentId = String(t.row(`SELECT bead_id FROM agent_metadata WHERE current_hook_bead_id = ?`, beadId).bead_id);
    const ghost = t.agent({ role: 'polecat', rig_id: rigId, status: 'working', current_dispatch_id: crypto.randomUUID() });
    let seen = await t.executor.observe([agentId, ghost], ectx(t));
    expect(seen.get(agentId)).toEqual({ status: 'running' });
    expect(seen.get(ghost)).toEqual({ status: 'not_found' });
    t.container.transport.exitAgent(agentId, 'completed');
    expect((await t.executor.observe([agentId], ectx(t))).get(agentId)).toEqual({ status: 'exited', exit_reason: 'completed' });
    t.sql.run(`UPDATE agent_metadata SET current_dispatch_id = ? WHERE bead_id = ?`, crypto.randomUUID(), agentId);
    expect((await t.executor.observe([agentId], ectx(t))).get(agentId)).toEqual({ status: 'unknown' });
    t.container.transport.replies.set('status', 'hydrating');
    seen = await t.executor.observe([ghost], ectx(t));
    expect(seen.get(ghost)).toEqual({ status: 'unknown' });
  });
});
