/**
 * The fake host's GitLab API (`scm.md` §8) driven by Gastown's clients over loopback: a
 * self-managed instance with nested groups (URL-encoded project id, `PRIVATE-TOKEN`), MR
 * creation and polling without feedback, conflicts from `git merge-tree`, merged/closed states,
 * a 403 naming `read_api`, notes, and the control routes over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRepoUrl } from '../../src/town/scm/parse-repo-url.ts';
import { nextPollCounterState } from '../../src/town/scm/poll-counters.ts';
import { pollPr } from '../../src/town/scm/poll-pr.ts';
import type { RepoRef } from '../../src/town/scm/repo-ref.ts';
import type { TokenResolution } from '../../src/town/scm/token-chain.ts';
import { startFakeGitHost, type FakeGitHost } from '../fakes/git-host/index.ts';

const GL_TOKEN = 'glpat-fake-0001';
const TOKEN: TokenResolution = { token: GL_TOKEN, source: 'stored', trace: [{ source: 'stored', outcome: 'used' }] };

let host: FakeGitHost;
let count = 0;

beforeAll(async () => {
  host = await startFakeGitHost({ tokens: [GL_TOKEN] });
});
afterAll(async () => {
  await host.stop();
});

interface Fixture {
  repo: string;
  encoded: string;
  rig: RepoRef;
  web_url: string;
  iid: number;
}

function gitlab(method: string, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method, headers: { 'private-token': GL_TOKEN, 'content-type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  return fetch(`${host.gitlab_url}/api/v4${path}`, init);
}

async function fixture(files: Record<string, string> = { 'feature.txt': 'x\n' }): Promise<Fixture> {
  const name = `svc.api${++count}`;
  const repo = `platform/backend/${name}`;
  const created = await host.createRepo('platform/backend', name, { default_branch: 'main', files: { 'shared.txt': 'base\n' } });
  await host.commitFiles(repo, 'feature', files);
  const encoded = encodeURIComponent(repo);
  const res = await gitlab('POST', `/projects/${encoded}/merge_requests`, { source_branch: 'feature', target_branch: 'main', title: 'Feature' });
  expect(res.status).toBe(201);
  const mr = (await res.json()) as { iid: number; web_url: string };
  const rig = parseRepoUrl(created.git_url, { development: true, gitlab_instance_url: host.gitlab_url });
  if (rig === null) throw new Error('rig URL did not parse');
  return { repo, encoded, rig, web_url: mr.web_url, iid: mr.iid };
}

function poll(f: Fixture) {
  return pollPr({ rig: f.rig, pr_url: f.web_url, development: true, resolveToken: async () => TOKEN, wants_feedback: true }, fetch);
}

describe('fake GitLab host with the scm clients', () => {
  it('creates an MR on a nested group and polls it through the URL-encoded project id', async () => {
    const f = await fixture();
    expect(f.web_url).toBe(`${host.url}/${f.repo}/-/merge_requests/1`);
    expect(f.rig).toMatchObject({ provider: 'gitlab', owner: 'platform/backend', api_base: `${host.url}/api/v4` });
    const head = await host.resolve(f.repo, 'feature');
    expect(await poll(f)).toEqual({ outcome: { ok: true, state: 'open', mergeable: 'clean', head_sha: head, base_ref: 'main', is_draft: false } });
    const read = host.control.requests(`/api/v4/projects/${f.encoded}/merge_requests/1`, 'GET');
    expect(read).toEqual([expect.objectContaining({ auth_sent: true, token: GL_TOKEN, status: 200 })]);
  });

  it('reports conflicts as dirty, and merged / closed MRs', async () => {
    const f = await fixture({ 'shared.txt': 'feature side\n' });
    await host.commitFiles(f.repo, 'main', { 'shared.txt': 'main side\n' });
    expect((await poll(f)).outcome).toMatchObject({ ok: true, mergeable: 'dirty' });

    const g = await fixture();
    const merged = await gitlab('PUT', `/projects/${g.encoded}/merge_requests/${g.iid}/merge`, { squash: true });
    expect(merged.status).toBe(200);
    expect(await host.readFile(g.repo, 'main', 'feature.txt')).toBe('x\n');
    expect((await poll(g)).outcome).toMatchObject({ ok: true, state: 'merged' });

    const h = await fixture();
    host.control.setPull(h.repo, h.iid, { state: 'closed' });
    expect((await poll(h)).outcome).toMatchObject({ ok: true, state: 'closed' });
  });

  it('a 403 fails at once with a message naming read_api', async () => {
    const f = await fixture();
    host.control.queueFailure({ path_glob: `/api/v4/projects/${f.encoded}/merge_requests/*`, status: 403, count: 1 });
    const report = await poll(f);
    expect(report.outcome).toEqual({ ok: false, kind: 'http_error', status: 403, transient: false });
    const state = nextPollCounterState({ transient: 2, non_transient: 0 }, report.outcome, { provider: 'gitlab', pr_url: f.web_url });
    expect(state).toMatchObject({ transient: 2, non_transient: 0 });
    expect(state.fail?.message).toMatch(/^GitLab .*read_api.*Reporter/);
    expect(state.fail?.message).toContain(`MR !${f.iid}`);
  });

  it('finds a project by numeric id, lists MRs and keeps notes', async () => {
    const f = await fixture();
    const project = (await (await gitlab('GET', `/projects/${f.encoded}`)).json()) as { id: number; path_with_namespace: string };
    expect(project.path_with_namespace).toBe(f.repo);
    const list = (await (await gitlab('GET', `/projects/${project.id}/merge_requests?state=opened&source_branch=feature`)).json()) as { iid: number }[];
    expect(list.map((m) => m.iid)).toEqual([f.iid]);
    expect((await gitlab('POST', `/projects/${f.encoded}/merge_requests/${f.iid}/notes`, { body: 'Please rebase' })).status).toBe(201);
    const notes = (await (await gitlab('GET', `/projects/${f.encoded}/merge_requests/${f.iid}/notes`)).json()) as { body: string }[];
    expect(notes.map((n) => n.body)).toEqual(['Please rebase']);
    expect((await gitlab('POST', `/projects/${f.encoded}/merge_requests`, { source_branch: 'feature', target_branch: 'main', title: 'dup' })).status).toBe(409);
  });

  it('is steerable over HTTP (/__fake/*) without a token and without being recorded', async () => {
    const f = await fixture();
    host.control.reset();
    const set = await fetch(`${host.url}/__fake/pulls/set`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ repo: f.repo, number: f.iid, fields: { mergeable_state: 'dirty' } }) });
    expect(set.status).toBe(200);
    const queued = await fetch(`${host.url}/__fake/failures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path_glob: 'merge_requests/*', status: 503, count: 1 }) });
    expect(queued.status).toBe(200);
    expect((await poll(f)).outcome).toMatchObject({ ok: false, status: 503, transient: true });
    expect((await poll(f)).outcome).toMatchObject({ ok: true, mergeable: 'dirty' });
    const recorded = (await (await fetch(`${host.url}/__fake/requests`)).json()) as { path: string; status: number }[];
    expect(recorded.map((r) => r.status)).toEqual([503, 200]);
    const missing = await fetch(`${host.url}/__fake/pulls/set`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ repo: 'no/such', number: 1, fields: {} }) });
    expect(missing.status).toBe(404);
  });
});
