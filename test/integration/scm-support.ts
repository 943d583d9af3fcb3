/**
 * Support for the workerd git-hosting tests (`scm.md`, `test/integration/scm-*.test.ts`): a
 * reconciler harness town whose rig lives on the fake git host (reached through the pool's
 * outbound fetch, `scm-outbound.ts`), whose `poll_pr` / `merge_pr` effects run for real (the
 * TownDO's own `ContainerExecutor`, global `fetch`) while dispatches stay fake, plus typed calls
 * to the fake host: setup (repositories, commits), its GitHub REST API as a human or a polecat
 * would call it, and its `/__fake/*` control routes.
 */
import { runInDurableObject } from 'cloudflare:test';
import { expect } from 'vitest';
import type { EffectIntent } from '../../src/town/context.ts';
import { ContainerExecutor } from '../../src/town/dispatch/container-executor.ts';
import type { NewTownEvent } from '../../src/town/events/town-events.ts';
import type { EffectContext } from '../../src/town/reconciler/effects.ts';
import type { TownDO } from '../../src/town/town-do.ts';
import { DEFAULT_FAKE_TOKEN } from '../fakes/git-host/tokens.ts';
import { call } from './helpers.ts';
import { harness, type TownHarness } from './reconciler-support.ts';
import { agentPath, agentToken, dispatchedPolecat, type AgentIdentity } from './report-support.ts';
import { FAKE_GIT_HOST_ORIGIN, SCM_SETUP_PREFIX } from './scm-host-origin.ts';

export { DEFAULT_FAKE_TOKEN, FAKE_GIT_HOST_ORIGIN };

export const MIN = 60_000;

/** Per-test timeout of the scenarios: many ticks, each with real HTTP to the fake host. */
export const SCENARIO_TIMEOUT_MS = 60_000;

/** The fake host's GitHub Enterprise API base: the town's `github_api_url`. */
export const FAKE_GITHUB_API = `${FAKE_GIT_HOST_ORIGIN}/api/v3`;

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  auth_sent: boolean;
  token: string | null;
  body: unknown;
  status: number;
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

async function post<T>(path: string, body: unknown, what: string): Promise<T> {
  return json<T>(await fetch(`${FAKE_GIT_HOST_ORIGIN}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }), what);
}

/** A GitLab REST call with a `PRIVATE-TOKEN`, as a person or an agent with `glab` would make it. */
export async function gitlab(method: string, path: string, body?: unknown, token = DEFAULT_FAKE_TOKEN): Promise<Response> {
  return fetch(`${FAKE_GIT_HOST_ORIGIN}/api/v4${path}`, {
    method,
    headers: { 'private-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** A GitHub REST call with a token, as a person or an agent with `gh` would make it. */
export async function github(method: string, path: string, body?: unknown, token = DEFAULT_FAKE_TOKEN): Promise<Response> {
  return fetch(`${FAKE_GITHUB_API}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** One repository on the fake host, with the calls a test makes about it. */
export class HostedRepo {
  constructor(
    /** `owner/repo`. */
    readonly path: string,
    readonly git_url: string,
  ) {}

  /** Commits `files` on `branch` (created from `from`, default the default branch); the new sha. */
  async commit(branch: string, files: Record<string, string | null>, from?: string): Promise<string> {
    return (await post<{ sha: string }>(`${SCM_SETUP_PREFIX}/commits`, { repo: this.path, branch, files, ...(from === undefined ? {} : { from }) }, 'commit')).sha;
  }

  /** Opens a PR `head → base` through the REST API (what a polecat's `gh pr create` does); its number and `html_url`. */
  async openPr(head: string, base = 'main', title = `Change ${head}`): Promise<{ number: number; html_url: string }> {
    return json(await github('POST', `/repos/${this.path}/pulls`, { head, base, title }), 'open PR');
  }

  async pull(n: number): Promise<{ state: string; merged: boolean; head: { sha: string }; merge_commit_sha: string | null }> {
    return json(await github('GET', `/repos/${this.path}/pulls/${n}`), 'get PR');
  }

  /** Opens a GitLab MR `source → target`; its iid and `web_url`. */
  async openMr(source: string, target = 'main', title = `Change ${source}`): Promise<{ iid: number; web_url: string }> {
    return json(await gitlab('POST', `/projects/${encodeURIComponent(this.path)}/merge_requests`, { source_branch: source, target_branch: target, title }), 'open MR');
  }

  /** A human merges the GitLab MR on the host. */
  async humanMergeMr(iid: number): Promise<void> {
    await json(await gitlab('PUT', `/projects/${encodeURIComponent(this.path)}/merge_requests/${iid}/merge`, {}), 'merge MR');
  }

  /** A human merges the PR on the host. */
  async humanMerge(n: number): Promise<void> {
    await json(await github('PUT', `/repos/${this.path}/pulls/${n}/merge`, { merge_method: 'merge' }), 'merge PR');
  }

  /** A human reviews the PR (`APPROVE`, `REQUEST_CHANGES`, `COMMENT`). */
  async review(n: number, event: 'APPROVE' | 'REQUEST_CHANGES' | 'COMMENT', body = 'review'): Promise<void> {
    await json(await github('POST', `/repos/${this.path}/pulls/${n}/reviews`, { event, body }), 'review PR');
  }

  /** Forces PR fields (`reviewDecision`, `mergeable_state`, `state`, …) through `/__fake/pulls/set`. */
  async setPull(n: number, fields: Record<string, unknown>): Promise<void> {
    await post(`/__fake/pulls/set`, { repo: this.path, number: n, fields }, 'set PR');
  }

  /** Adds check runs to the PR's current head. */
  async addCheckRuns(n: number, runs: { name?: string; status: string; conclusion?: string | null }[]): Promise<void> {
    await post(`/__fake/check-runs`, { repo: this.path, target: { pr: n }, runs }, 'add check runs');
  }

  /** The merge methods `PUT …/merge` accepts (others → 405). */
  async setMergeMethods(methods: ('merge' | 'squash' | 'rebase')[]): Promise<void> {
    await post(`/__fake/merge-methods`, { repo: this.path, methods }, 'set merge methods');
  }

  /** Requests the host recorded for this repository's API and git paths, optionally one method. */
  async requests(method?: string): Promise<RecordedRequest[]> {
    const all = await json<RecordedRequest[]>(await fetch(`${FAKE_GIT_HOST_ORIGIN}/__fake/requests`), 'requests');
    return all.filter((r) => (method === undefined || r.method === method) && (r.path.startsWith(`/api/v3/repos/${this.path}/`) || r.path.startsWith(`/api/v4/projects/${encodeURIComponent(this.path)}`) || r.path.startsWith(`/${this.path}.git/`)));
  }
}

/** A new repository under a test-unique owner, with one README commit on `main`. */
export async function createRepo(name = 'app', files?: Record<string, string>): Promise<HostedRepo> {
  const owner = `t${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const made = await post<{ path: string; git_url: string }>(`${SCM_SETUP_PREFIX}/repos`, { owner, repo: name, default_branch: 'main', ...(files === undefined ? {} : { files }) }, 'create repo');
  return new HostedRepo(made.path, made.git_url);
}

export interface ScmTown extends TownHarness {
  repo: HostedRepo;
}

/**
 * A harness town on the fake host, GitHub flavour (`github_api_url` and `git_auth.github_token`)
 * or GitLab (`gitlab_instance_url` and `gitlab_token`), the token accepted unless `token: null`
 * (none) or another value; the harness rig's `git_url` is a new repository (set in SQL: rigs have
 * no URL patch); PR effects run for real. `rigConfig` is PATCHed onto the rig.
 */
export async function scmTown(
  opts: { flavour?: 'github' | 'gitlab'; token?: string | null; townConfig?: Record<string, unknown>; rigConfig?: Record<string, unknown>; repoName?: string } = {},
): Promise<ScmTown> {
  const token = opts.token === undefined ? DEFAULT_FAKE_TOKEN : opts.token;
  const hosting =
    opts.flavour === 'gitlab'
      ? { git_auth: { gitlab_instance_url: FAKE_GIT_HOST_ORIGIN, ...(token === null ? {} : { gitlab_token: token }) } }
      : { github_api_url: FAKE_GITHUB_API, ...(token === null ? {} : { git_auth: { github_token: token } }) };
  const h = await harness({ ...hosting, ...opts.townConfig });
  const repo = await createRepo(opts.repoName);
  await h.sql(`UPDATE rigs SET git_url = ? WHERE rig_id = ?`, repo.git_url, h.rigId);
  if (opts.rigConfig !== undefined) {
    const r = await call('PATCH', `/api/towns/${h.townId}/rigs/${h.rigId}`, { token: h.token, body: { config: opts.rigConfig } });
    expect(r.status).toBe(200);
  }
  await realPrEffects(h);
  return { ...h, repo };
}

/**
 * Routes `poll_pr` and `merge_pr` of the harness's fake executor to the TownDO's real
 * `ContainerExecutor` (its git-host half, global `fetch` → the outbound service); every other
 * intent stays with the fake. The harness re-installs its fake on each tick, so the fake itself
 * is taught to forward.
 */
async function realPrEffects(h: TownHarness): Promise<void> {
  const real = await runInDurableObject(h.stub, (instance: TownDO) => new ContainerExecutor(instance.executorDeps()));
  const fake = h.fake;
  const fakeRun = fake.run.bind(fake);
  fake.run = async (intent: EffectIntent, ctx?: EffectContext): Promise<NewTownEvent[]> => {
    if (intent.kind !== 'poll_pr' && intent.kind !== 'merge_pr') return fakeRun(intent);
    fake.intents.push(intent);
    if (ctx === undefined) throw new Error('a git-host effect needs its effect context');
    return real.run(intent, ctx);
  };
}

/** Ticks (one second apart) until `done` holds; fails after `max` ticks. */
export async function tickUntil(h: TownHarness, done: () => Promise<boolean>, max = 10, stepMs = 1000): Promise<void> {
  for (let i = 0; i < max; i += 1) {
    if (await done()) return;
    await h.advance(stepMs);
    await h.tick();
  }
  expect(await done(), `condition not reached after ${max} ticks`).toBe(true);
}

/** A bead's status. */
export async function statusOf(h: TownHarness, beadId: string): Promise<string> {
  return String((await h.bead(beadId)).status);
}

/** The MR tracking `issueId` (its newest), or null. */
export async function mrOf(h: TownHarness, issueId: string): Promise<string | null> {
  const rows = await h.sql<{ bead_id: string }>(
    `SELECT mr.bead_id FROM beads mr JOIN bead_dependencies d ON d.bead_id = mr.bead_id
     WHERE d.depends_on_bead_id = ? AND d.dependency_type = 'tracks' AND mr.type = 'merge_request' ORDER BY mr.created_at DESC, mr.bead_id LIMIT 1`,
    issueId,
  );
  return rows[0]?.bead_id ?? null;
}

/** The review row of an MR. */
export async function reviewOf(h: TownHarness, mrId: string): Promise<Record<string, unknown>> {
  const rows = await h.sql(`SELECT * FROM review_metadata WHERE bead_id = ?`, mrId);
  const row = rows[0];
  if (row === undefined) throw new Error(`no review row for ${mrId}`);
  return row;
}

/** One bead event as stored. */
export interface StoredBeadEvent {
  event_type: string;
  old_value: string | null;
  new_value: string | null;
  metadata: Record<string, unknown>;
}

/** Bead events of a bead, oldest first, with parsed metadata. */
export async function beadEvents(h: TownHarness, beadId: string, type?: string): Promise<StoredBeadEvent[]> {
  const rows = await h.sql<{ event_type: string; old_value: string | null; new_value: string | null; metadata: string }>(
    `SELECT event_type, old_value, new_value, metadata FROM bead_events WHERE bead_id = ? ORDER BY seq`,
    beadId,
  );
  return rows.map((r) => ({ ...r, metadata: JSON.parse(r.metadata) as Record<string, unknown> })).filter((e) => type === undefined || e.event_type === type);
}

/** The status changes of a bead as `from→to:reason_code`. */
export async function statusTrail(h: TownHarness, beadId: string): Promise<string[]> {
  return (await beadEvents(h, beadId, 'status_changed')).map((e) => {
    const reason = e.metadata.reason;
    const code = typeof reason === 'object' && reason !== null && 'code' in reason ? String(reason.code) : '?';
    return `${e.old_value ?? ''}→${e.new_value ?? ''}:${code}`;
  });
}

/** `gt_done` of an agent through P`/done`. */
export async function done(who: AgentIdentity, body: Record<string, unknown>): Promise<void> {
  const r = await call('POST', `${agentPath(who)}/done`, { token: await agentToken(who), body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

/** A submitted PR: its source issue, MR (in the PR phase), number and URL. */
export interface SubmittedPr {
  issueId: string;
  mrId: string;
  number: number;
  html_url: string;
  branch: string;
}

/**
 * The polecat side of the PR strategy through real routes: a dispatched polecat, its branch with
 * one commit, its PR opened on the host, its `gt_done` with the PR URL; then ticks until the MR is
 * `in_progress` (the PR phase with review off, or a refinery holding it with review on).
 */
export async function submittedPr(t: ScmTown, title = 'Add a feature', files?: Record<string, string>): Promise<SubmittedPr> {
  const polecat = await dispatchedPolecat(t, title);
  const branch = `gt/toast/${polecat.beadId.slice(0, 8)}`;
  await t.repo.commit(branch, files ?? { 'feature.txt': `${title}\n` });
  const pr = await t.repo.openPr(branch);
  await done(polecat, { branch, pr_url: pr.html_url, summary: 'done', bead_id: polecat.beadId });
  let mrId: string | null = null;
  await tickUntil(t, async () => {
    mrId = await mrOf(t, polecat.beadId);
    return mrId !== null && (await statusOf(t, mrId)) === 'in_progress';
  });
  if (mrId === null) throw new Error('no merge request');
  return { issueId: polecat.beadId, mrId, number: pr.number, html_url: pr.html_url, branch };
}

/** Ticks a poll interval apart until the MR leaves `in_progress`. */
export async function pollUntilSettled(t: TownHarness, mrId: string, maxPolls = 6): Promise<void> {
  await tickUntil(t, async () => (await statusOf(t, mrId)) !== 'in_progress', maxPolls, MIN);
}
