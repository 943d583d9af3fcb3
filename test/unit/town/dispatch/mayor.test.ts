/**
 * The mayor's lifecycle (`reconciler.md` §6b): `startMayor` creates or wakes the mayor with a
 * fresh dispatch and returns (does not queue) its intent; the start request carries every rig,
 * the message and dashboard context; `mayorContext().config` is byte-identical to the config of
 * the next mayor `/agents/start`.
 */
import { describe, expect, it } from 'vitest';
import { verifyToken } from '../../../../src/auth/jwt.ts';
import { mayorContext, startMayor } from '../../../../src/town/dispatch/mayor.ts';
import type { EffectIntent } from '../../../../src/town/context.ts';
import { DispatchTown, SECRET } from './dispatch-town.ts';

function start(t: DispatchTown, opts: { message?: string; uiContext?: string } = {}) {
  const ctx = t.command();
  const result = t.sql.transaction(() => startMayor(ctx, opts));
  return { ...result, queued: ctx.effects };
}

async function run(t: DispatchTown, intent: EffectIntent) {
  return t.executor.run(intent, { townId: t.townId, now: t.now, deadline: t.now + 60_000 });
}

describe('startMayor', () => {
  it('creates the mayor, sets it working with a new dispatch, and returns the intent', () => {
    const t = new DispatchTown();
    const r = start(t, { message: 'Build a login page', uiContext: 'viewing beads' });
    expect(r.queued).toEqual([]);
    expect(r.intent).toEqual({ kind: 'dispatch', agent_id: r.agentId, bead_id: null, dispatch_id: r.dispatchId, role: 'mayor', prompt: 'Build a login page', dashboard_context: 'viewing beads' });
    const row = t.row(`SELECT * FROM agent_metadata WHERE bead_id = ?`, r.agentId);
    const at = new Date(t.now).toISOString();
    expect(row).toMatchObject({ role: 'mayor', status: 'working', current_dispatch_id: r.dispatchId, last_dispatch_at: at, working_since: at });
  });

  it('wakes a waiting mayor with a new dispatch id; the same mayor is reused', () => {
    const t = new DispatchTown();
    const first = start(t);
    t.sql.run(`UPDATE agent_metadata SET status = 'waiting' WHERE bead_id = ?`, first.agentId);
    t.now += 60_000;
    const second = start(t);
    expect(second.agentId).toBe(first.agentId);
    expect(second.dispatchId).not.toBe(first.dispatchId);
    expect(t.row(`SELECT status FROM agent_metadata WHERE bead_id = ?`, first.agentId).status).toBe('working');
  });
});

describe('mayor start request', () => {
  it('lists every rig, defaults the prompt, and carries the dashboard context', async () => {
    const t = new DispatchTown();
    const app = t.rig({ name: 'app' });
    const web = t.rig({ name: 'web', git_url: 'https://gitlab.com/acme/web.git', default_branch: 'trunk' });
    t.patchConfig({ role_models: { mayor: 'anthropic/claude-opus-4', polecat: null, refinery: null }, custom_instructions: { mayor: 'Be brief.', polecat: '', refinery: '' } });
    const quiet = start(t);
    await run(t, quiet.intent);
    const r = start(t, { message: 'hello', uiContext: 'ctx' });
    await run(t, r.intent);
    const [a, b] = t.container.starts();
    expect(a).toMatchObject({ role: 'mayor', rig_id: t.townId, town_id: t.townId, name: 'mayor', prompt: 'Mayor ready.', model: 'anthropic/claude-opus-4' });
    expect(a?.dashboard_context).toBeUndefined();
    expect(a?.rig).toBeUndefined();
    // Both rigs share a creation time here, so compare them by name.
    expect([...(a?.rigs ?? [])].sort((x, y) => x.name.localeCompare(y.name))).toEqual([
      { rig_id: app, name: 'app', git_url: 'https://github.com/acme/app.git', default_branch: 'main' },
      { rig_id: web, name: 'web', git_url: 'https://gitlab.com/acme/web.git', default_branch: 'trunk' },
    ]);
    expect(a?.system_prompt).toContain('Be brief.');
    expect(b).toMatchObject({ prompt: 'hello', dashboard_context: 'ctx', dispatch_id: r.dispatchId });
    const claims = await verifyToken(b?.agent_token ?? '', SECRET, { now: t.now, expectedScope: 'agent' });
    expect(claims).toMatchObject({ role: 'mayor', rigId: t.townId, agentId: r.agentId, dispatchId: r.dispatchId });
  });
});

describe('mayorContext', () => {
  it('no mayor: null id and token, models and config all the same', async () => {
    const t = new DispatchTown();
    const c = await mayorContext(t.env, t.sql, t.now);
    expect(c).toMatchObject({ agent_id: null, agent_token: null, model: 'anthropic/claude-sonnet-4.6', small_model: 'anthropic/claude-haiku-4.5' });
    expect(c.config.town_id).toBe(t.townId);
  });

  it('a fresh mayor token (dispatchId null) and a config byte-identical to the next start', async () => {
    const t = new DispatchTown();
    t.rig();
    t.patchConfig({
      provider: { kind: 'kilo', token: 'kilo-token-123456', organization_id: 'org-1' },
      git_auth: { github_token: 'ghp_stored', gitlab_token: 'glpat-1' },
      github_cli_pat: 'ghp_pat',
      git_author_name: 'Ada',
      git_author_email: 'ada@example.com',
      env_vars: { FOO: 'bar' },
    });
    const r = start(t);
    const context = await mayorContext(t.env, t.sql, t.now);
    expect(context.agent_id).toBe(r.agentId);
    const claims = await verifyToken(context.agent_token ?? '', SECRET, { now: t.now, expectedScope: 'agent' });
    expect(claims).toMatchObject({ role: 'mayor', agentId: r.agentId, rigId: t.townId, townId: t.townId, dispatchId: null });
    await run(t, r.intent);
    const startBody = t.container.starts()[0];
    expect(JSON.stringify(context.config)).toBe(JSON.stringify(startBody?.config));
    expect(context.model).toBe(startBody?.model);
    expect(context.small_model).toBe(startBody?.small_model);
    expect(context.config.git_auth).toEqual({ github_token: 'ghp_pat', gitlab_token: 'glpat-1' });
  });
});
