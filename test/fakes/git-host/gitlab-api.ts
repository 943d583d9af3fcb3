/**
 * The fake host's GitLab REST API under `/api/v4` (`PRIVATE-TOKEN` or Bearer): projects by
 * numeric id or URL-encoded path (nested groups), merge requests list/create/get with
 * `has_conflicts` / `detailed_merge_status` from `git merge-tree` (or the test overrides),
 * merging, and notes. MR `web_url`s are `<origin>/<path>/-/merge_requests/<iid>`.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { apiError, originOf, paginate, parseBody } from './api-support.ts';
import type { MountedApp } from './handler.ts';
import type { FakeHostState } from './host-state.ts';
import { derivedMergeableState, mergePull, pullCommits, pullMergeability, type Mergeability } from './merge-ops.ts';
import type { FakePull } from './pulls.ts';
import type { HostedRepo } from './repos.ts';
import { runGit } from './run-git.ts';

const AUTHOR = { id: 1, username: 'fake-user', name: 'Fake User' };

const CreateMr = z.object({
  source_branch: z.string().min(1),
  target_branch: z.string().min(1),
  title: z.string().min(1),
  description: z.string().nullish(),
  draft: z.boolean().optional(),
});
const MergeMr = z.object({ squash: z.boolean().optional(), sha: z.string().optional() });
const NoteBody = z.object({ body: z.string().min(1) });

function projectJson(repo: HostedRepo, origin: string): Record<string, unknown> {
  return { id: repo.id, path: repo.repo, path_with_namespace: repo.path, default_branch: repo.default_branch, web_url: `${origin}/${repo.path}`, http_url_to_repo: `${origin}/${repo.path}.git` };
}

function mrState(pull: FakePull): 'opened' | 'closed' | 'merged' {
  return pull.merged ? 'merged' : pull.state === 'closed' ? 'closed' : 'opened';
}

/** The GitLab mergeability fields of an MR, from the same derivation as GitHub's `mergeable_state`. */
function mergeFields(pull: FakePull, mergeability: Mergeability | null): Record<string, unknown> {
  if (pull.state !== 'open') return { has_conflicts: false, merge_status: 'cannot_be_merged', detailed_merge_status: 'not_open' };
  const state = derivedMergeableState(pull, mergeability);
  const detailed = state === 'dirty' ? 'conflict' : state === 'blocked' ? 'not_approved' : state === 'draft' ? 'draft_status' : state === 'unknown' ? 'checking' : 'mergeable';
  const legacy = state === 'dirty' ? 'cannot_be_merged' : state === 'unknown' ? 'checking' : 'can_be_merged';
  return { has_conflicts: state === 'dirty', merge_status: legacy, detailed_merge_status: detailed };
}

/** An MR as GitLab renders it; `mergeability` undefined = not computed (lists). */
export function mrJson(pull: FakePull, origin: string, mergeability?: Mergeability | null): Record<string, unknown> {
  return {
    id: pull.id,
    iid: pull.number,
    project_id: pull.repo.id,
    title: pull.title,
    description: pull.body,
    state: mrState(pull),
    source_branch: pull.head_ref,
    target_branch: pull.base_ref,
    sha: pull.head_sha,
    merge_commit_sha: pull.merge_commit_sha,
    draft: pull.draft,
    work_in_progress: pull.draft,
    author: AUTHOR,
    web_url: `${origin}/${pull.repo.path}/-/merge_requests/${pull.number}`,
    created_at: pull.created_at,
    updated_at: pull.updated_at,
    merged_at: pull.merged_at,
    closed_at: pull.closed_at,
    ...(mergeability === undefined ? {} : mergeFields(pull, mergeability)),
  };
}

type Env = { Variables: { repo: HostedRepo } };
type C = Context<Env>;

/** The app for `/api/v4`. */
export function gitlabApp(state: FakeHostState): MountedApp {
  const app = new Hono<Env>().basePath('/api/v4');
  const { repos, pulls } = state;

  function projectOf(id: string): HostedRepo | null {
    return /^[0-9]+$/.test(id) ? repos.byId(Number(id)) : repos.get(id);
  }

  app.use('/projects/:id/*', async (c, next) => {
    const repo = projectOf(c.req.param('id'));
    if (repo === null) return apiError(404, '404 Project Not Found');
    c.set('repo', repo);
    await next();
  });
  app.get('/projects/:id', (c) => {
    const repo = projectOf(c.req.param('id'));
    return repo === null ? apiError(404, '404 Project Not Found') : c.json(projectJson(repo, originOf(c.req.raw)));
  });

  function mrOf(c: C): FakePull | Response {
    const iid = Number.parseInt(c.req.param('iid') ?? '', 10);
    return pulls.get(c.get('repo'), iid) ?? apiError(404, '404 Not found');
  }

  app.get('/projects/:id/merge_requests', (c) => {
    const query = new URL(c.req.url).searchParams;
    const wanted = query.get('state') ?? 'all';
    const source = query.get('source_branch');
    const target = query.get('target_branch');
    const list = pulls
      .list(c.get('repo'))
      .filter((p) => wanted === 'all' || mrState(p) === wanted)
      .filter((p) => (source === null || p.head_ref === source) && (target === null || p.base_ref === target));
    return c.json(paginate(list, query).map((p) => mrJson(p, originOf(c.req.raw))));
  });

  app.post('/projects/:id/merge_requests', async (c) => {
    const body = await parseBody(c.req.raw, CreateMr, 400);
    if (body instanceof Response) return body;
    const repo = c.get('repo');
    const headSha = await repos.resolve(repo, `refs/heads/${body.source_branch}`);
    const baseSha = await repos.resolve(repo, `refs/heads/${body.target_branch}`);
    if (headSha === null || baseSha === null) return apiError(400, headSha === null ? 'Invalid source branch' : 'Invalid target branch');
    if (pulls.list(repo).some((p) => p.state === 'open' && p.head_ref === body.source_branch && p.base_ref === body.target_branch)) {
      return apiError(409, `Another open merge request already exists for this source branch`);
    }
    const ahead = await runGit(['rev-list', '--count', `${baseSha}..${headSha}`], { cwd: repo.dir });
    if (ahead.stdout.toString('utf8').trim() === '0') return apiError(400, 'The source branch has no commits that are not in the target branch');
    const pull = pulls.create(repo, { title: body.title, body: body.description ?? '', head_ref: body.source_branch, base_ref: body.target_branch, head_sha: headSha, draft: body.draft ?? false });
    return c.json(mrJson(pull, originOf(c.req.raw), await pullMergeability(repos, pull)), 201);
  });

  app.get('/projects/:id/merge_requests/:iid', async (c) => {
    const pull = mrOf(c);
    if (pull instanceof Response) return pull;
    return c.json(mrJson(pull, originOf(c.req.raw), await pullMergeability(repos, pull)));
  });

  app.put('/projects/:id/merge_requests/:iid/merge', async (c) => {
    const pull = mrOf(c);
    if (pull instanceof Response) return pull;
    const body = await parseBody(c.req.raw, MergeMr, 400);
    if (body instanceof Response) return body;
    if (pull.state !== 'open') return apiError(405, '405 Method Not Allowed');
    const { head } = await pullCommits(repos, pull);
    if (body.sha !== undefined && body.sha !== head) return apiError(409, 'SHA does not match HEAD of source branch');
    const state = derivedMergeableState(pull, await pullMergeability(repos, pull));
    if (state !== 'clean') return apiError(405, '405 Method Not Allowed');
    const merged = await mergePull(repos, pull, body.squash === true ? 'squash' : 'merge');
    if (!merged.ok) return apiError(merged.status, merged.message);
    return c.json(mrJson(pull, originOf(c.req.raw), null));
  });

  app.get('/projects/:id/merge_requests/:iid/notes', (c) => {
    const pull = mrOf(c);
    if (pull instanceof Response) return pull;
    return c.json(pull.comments.map((n) => ({ id: n.id, body: n.body, created_at: n.created_at, author: AUTHOR, system: false })));
  });

  app.post('/projects/:id/merge_requests/:iid/notes', async (c) => {
    const pull = mrOf(c);
    if (pull instanceof Response) return pull;
    const body = await parseBody(c.req.raw, NoteBody, 400);
    if (body instanceof Response) return body;
    const note = pulls.comment(pull, body.body);
    return c.json({ id: note.id, body: note.body, created_at: note.created_at, author: AUTHOR, system: false }, 201);
  });

  app.notFound(() => apiError(404, '404 Not Found'));
  return { prefix: '/api/v4', fetch: (request) => app.fetch(request) };
}
