/**
 * `agent_done` (`gt_done`): the polecat side (MR creation with review fields, target branch,
 * pr_url checks, follow-ups and no_changes) and the refinery side (PR phase, direct merge, no_pr,
 * and the unhooked refinery that must never merge — seed 000 §6c).
 */
import { describe, expect, it } from 'vitest';
import { TownBuilder } from '../town-builder.ts';
import { NOW, ofType, run, townEvent, types } from './event-ctx.ts';

const PR = 'https://github.com/acme/app/pull/7';

function done(agent: string, dispatch: string, payload: Record<string, unknown> = {}, beadId: string | null = null) {
  return townEvent('agent_done', { dispatch_id: dispatch, branch: 'gt/toast/abcd1234', ...payload }, { agent_id: agent, bead_id: beadId });
}

function polecatTown(opts: { rigConfig?: Record<string, unknown>; gitUrl?: string; labels?: string[]; issueStatus?: 'in_progress' | 'open' } = {}) {
  const b = new TownBuilder();
  const rig = b.rig({ config: opts.rigConfig ?? {}, ...(opts.gitUrl === undefined ? {} : { git_url: opts.gitUrl }) });
  const issue = b.bead({ rig_id: rig, status: opts.issueStatus ?? 'in_progress', title: 'Fix login', priority: 'high', labels: opts.labels ?? [] });
  const dispatch = crypto.randomUUID();
  const agent = b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: issue, current_dispatch_id: dispatch });
  return { b, rig, issue, agent, dispatch };
}

const released = (agent: string) => [
  { type: 'unhook', agent_id: agent, reason: 'done' },
  { type: 'transition_agent', agent_id: agent, from: 'working', to: 'idle', reason: { code: 'done', message: expect.any(String) } },
];

describe('agent_done from a polecat', () => {
  it('creates the MR (review fields, tracks edge), moves the issue in_review, then unhooks and idles', () => {
    const { b, rig, issue, agent, dispatch } = polecatTown();
    const r = run(b, done(agent, dispatch, { summary: 'fixed it' }));
    expect(r).toEqual({
      actions: [
        {
          type: 'create_bead',
          fields: {
            type: 'merge_request',
            title: 'Merge: Fix login',
            body: 'fixed it',
            rig_id: rig,
            priority: 'high',
            review: { branch: 'gt/toast/abcd1234', target_branch: 'main', pr_url: null },
          },
          edges: [{ type: 'tracks', direction: 'out', bead_id: issue }],
        },
        { type: 'transition_bead', bead_id: issue, from: 'in_progress', to: 'in_review', reason: { code: 'review_submitted', message: expect.any(String) } },
        { type: 'bead_event', bead_id: issue, event_type: 'review_submitted', agent_id: agent, data: { branch: 'gt/toast/abcd1234', target_branch: 'main', pr_url: null } },
        ...released(agent),
      ],
    });
  });

  it('keeps an https pr_url on the rig\'s repository', () => {
    const { b, agent, dispatch } = polecatTown();
    const r = run(b, done(agent, dispatch, { pr_url: PR }));
    expect(ofType(r.actions, 'create_bead')[0]?.fields.review?.pr_url).toBe(PR);
    expect(ofType(r.actions, 'bead_event').map((e) => e.event_type)).toEqual(['review_submitted']);
  });

  const refused: Array<{ name: string; url: string; kind: string }> = [
    { name: 'another repository', url: 'https://github.com/evil/app/pull/7', kind: 'host_mismatch' },
    { name: 'another host', url: 'https://gitlab.com/acme/app/-/merge_requests/7', kind: 'host_mismatch' },
    { name: 'loopback http on an https rig', url: 'http://127.0.0.1:9/acme/app/pull/7', kind: 'unrecognized_url' },
    { name: 'not a PR URL', url: 'https://github.com/acme/app/issues/7', kind: 'unrecognized_url' },
  ];
  for (const c of refused) {
    it(`refuses a pr_url on ${c.name}: MR without it + pr_creation_failed`, () => {
      const { b, issue, agent, dispatch } = polecatTown();
      const r = run(b, done(agent, dispatch, { pr_url: c.url }));
      expect(ofType(r.actions, 'create_bead')[0]?.fields.review?.pr_url).toBeNull();
      expect(ofType(r.actions, 'bead_event')[0]).toEqual({ type: 'bead_event', bead_id: issue, event_type: 'pr_creation_failed', agent_id: agent, data: { pr_url: c.url, kind: c.kind, message: expect.any(String) } });
    });
  }

  it('accepts loopback http when the rig itself is on loopback (development, the fake host)', () => {
    const b = new TownBuilder({ github_api_url: 'http://127.0.0.1:9100/api/v3' });
    const rig = b.rig({ git_url: 'http://127.0.0.1:9100/acme/app.git' });
    const issue = b.bead({ rig_id: rig, status: 'in_progress' });
    const dispatch = crypto.randomUUID();
    const agent = b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: issue, current_dispatch_id: dispatch });
    const url = 'http://127.0.0.1:9100/acme/app/pull/3';
    expect(ofType(run(b, done(agent, dispatch, { pr_url: url })).actions, 'create_bead')[0]?.fields.review?.pr_url).toBe(url);
  });

  it('targets the convoy feature branch for a review-then-land member, the default branch otherwise', () => {
    const rtl = polecatTown();
    const convoy = rtl.b.convoy({ merge_mode: 'review-then-land', feature_branch: 'convoy/x/12345678/head' });
    rtl.b.member(convoy, rtl.issue);
    expect(ofType(run(rtl.b, done(rtl.agent, rtl.dispatch)).actions, 'create_bead')[0]?.fields.review?.target_branch).toBe('convoy/x/12345678/head');
    const ram = polecatTown();
    ram.b.member(ram.b.convoy({ merge_mode: 'review-and-merge', feature_branch: null }), ram.issue);
    expect(ofType(run(ram.b, done(ram.agent, ram.dispatch)).actions, 'create_bead')[0]?.fields.review?.target_branch).toBe('main');
  });

  for (const label of ['gt:rework', 'gt:pr-feedback', 'gt:pr-conflict', 'gt:pr-fixup']) {
    it(`a ${label} follow-up closes without a new MR`, () => {
      const { b, issue, agent, dispatch } = polecatTown({ labels: [label] });
      const r = run(b, done(agent, dispatch, { pr_url: PR }));
      expect(r.actions).toEqual([{ type: 'transition_bead', bead_id: issue, from: 'in_progress', to: 'closed', reason: { code: 'followup_done', message: expect.any(String) } }, ...released(agent)]);
    });
  }

  it('no_changes closes the issue without an MR', () => {
    const { b, issue, agent, dispatch } = polecatTown();
    expect(run(b, done(agent, dispatch, { no_changes: true })).actions).toEqual([
      { type: 'transition_bead', bead_id: issue, from: 'in_progress', to: 'closed', reason: { code: 'no_changes', message: expect.any(String) } },
      ...released(agent),
    ]);
  });

  it('a hookless polecat → warning only', () => {
    const b = new TownBuilder();
    const dispatch = crypto.randomUUID();
    const agent = b.agent({ role: 'polecat', rig_id: b.rig(), status: 'working', current_dispatch_id: dispatch });
    expect(run(b, done(agent, dispatch))).toEqual({ actions: [], warning: expect.stringContaining('without a hook') });
  });

  it('hooked to an issue no longer in_progress → nothing submitted, but released', () => {
    const { b, agent, dispatch } = polecatTown({ issueStatus: 'open' });
    const r = run(b, done(agent, dispatch));
    expect(r.actions).toEqual(released(agent));
    expect(r.warning).toContain('nothing submitted');
  });
});

function refineryTown(opts: { rigConfig?: Record<string, unknown>; storedPr?: string | null; hooked?: boolean; mrStatus?: 'open' | 'in_progress' | 'closed' } = {}) {
  const b = new TownBuilder();
  const rig = b.rig({ config: opts.rigConfig ?? {} });
  const issue = b.bead({ rig_id: rig, status: 'in_review' });
  const mr = b.mergeRequest({ rig_id: rig, status: opts.mrStatus ?? 'in_progress', source: issue, pr_url: opts.storedPr ?? null });
  const dispatch = crypto.randomUUID();
  const agent = b.agent({ role: 'refinery', rig_id: rig, status: 'working', hook: opts.hooked === false ? null : mr, current_dispatch_id: dispatch });
  return { b, rig, issue, mr, agent, dispatch };
}

describe('agent_done from a refinery hooked to its in_progress MR', () => {
  it('a valid pr_url → stored, reviewed_at = now, MR stays in the PR phase', () => {
    const { b, mr, agent, dispatch } = refineryTown();
    expect(run(b, done(agent, dispatch, { pr_url: PR })).actions).toEqual([
      { type: 'set_review_fields', bead_id: mr, patch: { pr_url: PR, reviewed_at: NOW } },
      { type: 'bead_event', bead_id: mr, event_type: 'review_completed', agent_id: agent, data: { outcome: 'pr', pr_url: PR } },
      ...released(agent),
    ]);
  });

  it('direct strategy without pr_url → MR closed (merged) with its merge commit', () => {
    const { b, mr, agent, dispatch } = refineryTown({ rigConfig: { merge_strategy: 'direct' } });
    const r = run(b, done(agent, dispatch, { merge_commit: 'abcdef1' }));
    expect(types(r.actions)).toEqual(['set_review_fields', 'bead_event', 'transition_bead', 'unhook', 'transition_agent']);
    expect(r.actions[0]).toEqual({ type: 'set_review_fields', bead_id: mr, patch: { merge_commit: 'abcdef1' } });
    expect(r.actions[2]).toMatchObject({ bead_id: mr, from: 'in_progress', to: 'closed', reason: { code: 'merged' } });
  });

  it('a review-then-land member MR merges directly even on a pr rig', () => {
    const { b, issue, mr, agent, dispatch } = refineryTown();
    b.member(b.convoy({ merge_mode: 'review-then-land' }), issue);
    expect(ofType(run(b, done(agent, dispatch)).actions, 'transition_bead')).toEqual([{ type: 'transition_bead', bead_id: mr, from: 'in_progress', to: 'closed', reason: { code: 'merged', message: expect.any(String) } }]);
  });

  it('pr strategy with a stored pr_url → reviewed_at = now', () => {
    const { b, mr, agent, dispatch } = refineryTown({ storedPr: PR });
    const r = run(b, done(agent, dispatch));
    expect(r.actions[0]).toEqual({ type: 'set_review_fields', bead_id: mr, patch: { pr_url: PR, reviewed_at: NOW } });
    expect(ofType(r.actions, 'transition_bead')).toEqual([]);
  });

  it('pr strategy without any pr_url → MR failed (no_pr)', () => {
    const { b, mr, agent, dispatch } = refineryTown();
    expect(ofType(run(b, done(agent, dispatch)).actions, 'transition_bead')).toEqual([{ type: 'transition_bead', bead_id: mr, from: 'in_progress', to: 'failed', reason: { code: 'no_pr', message: expect.any(String) } }]);
  });

  it('an invalid pr_url → pr_creation_failed; MR failed unless a PR is already stored', () => {
    const bad = 'https://github.com/evil/app/pull/1';
    const fresh = refineryTown();
    const r = run(fresh.b, done(fresh.agent, fresh.dispatch, { pr_url: bad }));
    expect(types(r.actions)).toEqual(['bead_event', 'transition_bead', 'unhook', 'transition_agent']);
    expect(r.actions[1]).toMatchObject({ to: 'failed', reason: { code: 'invalid_pr_url' } });
    const stored = refineryTown({ storedPr: PR });
    expect(types(run(stored.b, done(stored.agent, stored.dispatch, { pr_url: bad })).actions)).toEqual(['bead_event', 'set_review_fields', 'bead_event', 'unhook', 'transition_agent']);
  });
});

describe('agent_done from a refinery without a hook (seed 000 §6c: never a silent merge)', () => {
  it('naming an in_progress MR without pr_url → failed (refinery_unhooked_done) + high escalation, never closed', () => {
    for (const strategy of ['direct', 'pr'] as const) {
      const { b, mr, agent, dispatch } = refineryTown({ hooked: false, rigConfig: { merge_strategy: strategy } });
      const r = run(b, done(agent, dispatch, { bead_id: mr, merge_commit: 'abcdef1' }));
      expect(r.actions).toEqual([
        { type: 'transition_bead', bead_id: mr, from: 'in_progress', to: 'failed', reason: { code: 'refinery_unhooked_done', message: expect.any(String) } },
        { type: 'escalate', category: 'refinery_unhooked_done', severity: 'high', parent_bead_id: mr, title: expect.any(String), body: expect.any(String), source_agent_id: agent },
        { type: 'transition_agent', agent_id: agent, from: 'working', to: 'idle', reason: { code: 'done', message: expect.any(String) } },
      ]);
      expect(ofType(r.actions, 'transition_bead').some((a) => a.to === 'closed')).toBe(false);
    }
  });

  it('the MR may also be named by the event row\'s bead_id', () => {
    const { b, mr, agent, dispatch } = refineryTown({ hooked: false });
    expect(ofType(run(b, done(agent, dispatch, {}, mr)).actions, 'transition_bead')[0]).toMatchObject({ bead_id: mr, to: 'failed' });
  });

  it('with a pr_url the MR keeps polling: refinery idle, MR untouched', () => {
    const { b, mr, agent, dispatch } = refineryTown({ hooked: false, storedPr: PR });
    expect(run(b, done(agent, dispatch, { bead_id: mr, pr_url: PR })).actions).toEqual([{ type: 'transition_agent', agent_id: agent, from: 'working', to: 'idle', reason: { code: 'done', message: expect.any(String) } }]);
  });

  it('unhooked by request-changes (MR back to open) → the refinery goes idle', () => {
    const { b, mr, agent, dispatch } = refineryTown({ hooked: false, mrStatus: 'open' });
    expect(types(run(b, done(agent, dispatch, { bead_id: mr })).actions)).toEqual(['transition_agent']);
  });

  it('naming nothing, or a finished MR → warning only', () => {
    const none = refineryTown({ hooked: false });
    expect(run(none.b, done(none.agent, none.dispatch))).toEqual({ actions: [], warning: expect.any(String) });
    const closed = refineryTown({ hooked: false, mrStatus: 'closed' });
    expect(run(closed.b, done(closed.agent, closed.dispatch, { bead_id: closed.mr }))).toEqual({ actions: [], warning: expect.any(String) });
  });
});

it('agent_done from the mayor → warning only', () => {
  const b = new TownBuilder();
  const mayor = b.agent({ role: 'mayor', status: 'working' });
  expect(run(b, done(mayor, crypto.randomUUID()))).toEqual({ actions: [], warning: expect.any(String) });
});
