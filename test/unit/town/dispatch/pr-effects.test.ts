/**
 * `PrEffectExecutor` over a real (node:sqlite) town and a stubbed fetch (`scm.md` §2, §4, §7): the
 * poll reads its facts from SQL after commit and reports `pr_polled`; feedback only when the rig
 * auto-resolves or auto-merges; an MR that left the PR phase reports nothing and sends nothing; a
 * GitLab rig uses the GitLab token; the wall-clock deadline survives a town clock far in the past.
 */
import { describe, expect, it } from 'vitest';
import { PrEffectExecutor } from '../../../../src/town/dispatch/pr-effects.ts';
import { TownBuilder } from '../reconciler/town-builder.ts';
import { NOW } from '../reconciler/rules/rule-ctx.ts';
import { stubFetch, type StubFetch } from '../scm/stub-fetch.ts';

const PULL = 'https://api.github.com/repos/acme/app/pulls/7';
const OPEN_PULL = { state: 'open', merged: false, mergeable_state: 'clean', draft: false, head: { sha: 'abc1234' }, base: { ref: 'main' } };
/** A town clock long before the wall clock: a deadline computed on it would already be over. */
const CTX = { townId: 'town', now: NOW - 400 * 24 * 3600_000, deadline: NOW - 400 * 24 * 3600_000 + 25_000 };

function prTown(opts: { refinery?: Record<string, unknown>; status?: 'in_progress' | 'closed'; gitUrl?: string; prUrl?: string; gitAuth?: Record<string, unknown> } = {}) {
  const b = new TownBuilder({ git_auth: { github_token: 'ghp_stored_token_123456', ...opts.gitAuth } });
  const rig = b.rig({ git_url: opts.gitUrl ?? 'https://github.com/acme/app.git', config: { refinery: opts.refinery ?? {} } });
  const issue = b.bead({ rig_id: rig, status: 'in_review' });
  const mr = b.mergeRequest({ rig_id: rig, status: opts.status ?? 'in_progress', source: issue, pr_url: opts.prUrl ?? 'https://github.com/acme/app/pull/7', branch: 'gt/x' });
  return { b, mr };
}

function executor(b: TownBuilder, stub: StubFetch): PrEffectExecutor {
  return new PrEffectExecutor({ sql: () => b.sql, env: {}, development: false, fetch: stub.fetch });
}

describe('PrEffectExecutor: poll_pr', () => {
  it('reports the status as pr_polled, without feedback when the rig neither auto-resolves nor auto-merges', async () => {
    const { b, mr } = prTown({ refinery: { auto_merge: false, auto_resolve_pr_feedback: false, auto_resolve_merge_conflicts: false } });
    const stub = stubFetch().on('GET', PULL, { json: OPEN_PULL });
    const events = await executor(b, stub).run({ kind: 'poll_pr', bead_id: mr }, CTX);
    expect(events).toEqual([{ event_type: 'pr_polled', bead_id: mr, payload: { outcome: { ok: true, state: 'open', mergeable: 'clean', head_sha: 'abc1234', base_ref: 'main', is_draft: false } } }]);
    expect(stub.calls.map((c) => [c.method, c.url, c.headers.authorization])).toEqual([['GET', PULL, 'Bearer ghp_stored_token_123456']]);
  });

  it('asks for feedback when auto-merge is on (GraphQL, check runs, statuses)', async () => {
    const { b, mr } = prTown();
    const stub = stubFetch()
      .on('GET', PULL, { json: OPEN_PULL })
      .on('POST', 'https://api.github.com/graphql', { status: 502, text: 'bad gateway' })
      .on('GET', /\/commits\/abc1234\/check-runs/, { json: { total_count: 0, check_runs: [] } })
      .on('GET', /\/commits\/abc1234\/status/, { json: { state: 'success', total_count: 0, statuses: [] } });
    const [event] = await executor(b, stub).run({ kind: 'poll_pr', bead_id: mr }, CTX);
    expect(event?.payload).toMatchObject({ outcome: { ok: true }, feedback: { ok: false } });
    expect(stub.calls.map((c) => c.method)).toContain('POST');
  });

  it('an MR that left the PR phase reports nothing and sends nothing', async () => {
    const { b, mr } = prTown({ status: 'closed' });
    const stub = stubFetch();
    expect(await executor(b, stub).run({ kind: 'poll_pr', bead_id: mr }, CTX)).toEqual([]);
    expect(await executor(b, stub).run({ kind: 'merge_pr', bead_id: mr }, CTX)).toEqual([]);
    expect(stub.calls).toEqual([]);
  });

  it('a GitLab rig is polled with the stored GitLab token only', async () => {
    const { b, mr } = prTown({
      gitUrl: 'https://gitlab.example.com/grp/app.git',
      prUrl: 'https://gitlab.example.com/grp/app/-/merge_requests/3',
      gitAuth: { gitlab_instance_url: 'https://gitlab.example.com', gitlab_token: 'glpat-stored-token-000' },
    });
    const stub = stubFetch().on('GET', 'https://gitlab.example.com/api/v4/projects/grp%2Fapp/merge_requests/3', { json: { state: 'merged', has_conflicts: false, sha: 'def5678', target_branch: 'main', draft: false } });
    const [event] = await executor(b, stub).run({ kind: 'poll_pr', bead_id: mr }, CTX);
    expect(event?.payload).toMatchObject({ outcome: { ok: true, state: 'merged' } });
    expect(stub.calls.map((c) => [c.headers['private-token'], c.headers.authorization])).toEqual([['glpat-stored-token-000', undefined]]);
  });
});

describe('PrEffectExecutor: merge_pr', () => {
  it('a PR URL on another host: not merged, nothing sent', async () => {
    const { b, mr } = prTown({ prUrl: 'https://github.com/evil/app/pull/7' });
    const stub = stubFetch();
    const [event] = await executor(b, stub).run({ kind: 'merge_pr', bead_id: mr }, CTX);
    expect(event).toMatchObject({ event_type: 'pr_merge_attempted', bead_id: mr, payload: { ok: false, error: expect.stringContaining('no token was sent') } });
    expect(stub.calls).toEqual([]);
  });

  it('other intents are not git-host effects', async () => {
    const { b } = prTown();
    await expect(executor(b, stubFetch()).run({ kind: 'stop_agent', agent_id: 'a', reason: 'x' }, CTX)).rejects.toThrow(/not a git-host effect/);
  });
});
