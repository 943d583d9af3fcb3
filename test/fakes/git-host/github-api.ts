/**
 * The fake host's GitHub REST API under `/api/v3` (Enterprise layout): repository, pulls
 * list/create/get/update, `PUT pulls/:n/merge` (really merging, with the repository's allowed
 * methods and the `sha` guard), reviews, issue comments, `commits/:ref/check-runs` and
 * `/status` (paginated, `total_count` is the full count), and `POST git/refs`.
 * `mergeable_state` comes from `git merge-tree` unless a test overrode it.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { apiError, originOf, paginate, parseBody } from './api-support.ts';
import type { MountedApp } from './handler.ts';
import type { FakeHostState } from './host-state.ts';
import { derivedMergeableState, mergePull, pullCommits, pullMergeability, type Mergeability } from './merge-ops.ts';
import type { FakePull, MergeMethod } from './pulls.ts';
import type { HostedRepo } from './repos.ts';
import { runGit } from './run-git.ts';

const USER = { login: 'fake-user', id: 1, type: 'User' };

const CreatePull = z.object({
  title: z.string().min(1),
  head: z.string().min(1),
  base: z.string().min(1),
  body: z.string().nullish(),
  draft: z.boolean().optional(),
});
const UpdatePull = z.object({ title: z.string().optional(), body: z.string().nullish(), state: z.enum(['open', 'closed']).optional() });
const MergeBody = z.object({
  merge_method: z.enum(['merge', 'squash', 'rebase']).default('merge'),
  sha: z.string().optional(),
  commit_title: z.string().optional(),
  commit_message: z.string().optional(),
});
const ReviewBody = z.object({ event: z.enum(['APPROVE', 'REQUEST_CHANGES', 'COMMENT']).default('COMMENT'), body: z.string().default('') });
const CommentBody = z.object({ body: z.string().min(1) });
const RefBody = z.object({ ref: z.string().regex(/^refs\/[^\s]+$/), sha: z.string().min(4) });

function repoJson(repo: HostedRepo, origin: string): Record<string, unknown> {
  return {
    id: repo.id,
    name: repo.repo,
    full_name: repo.path,
    owner: { login: repo.owner },
    private: false,
    default_branch: repo.default_branch,
    html_url: `${origin}/${repo.path}`,
    clone_url: `${origin}/${repo.path}.git`,
  };
}

/** A pull as GitHub renders it; `mergeability` undefined = not computed (lists omit it, like GitHub). */
export function pullJson(pull: FakePull, origin: string, mergeability?: Mergeability | null): Record<string, unknown> {
  const repo = pull.repo;
  const json: Record<string, unknown> = {
    id: pull.id,
    node_id: `PR_fake${pull.id}`,
    number: pull.number,
    state: pull.state,
    title: pull.title,
    body: pull.body,
    draft: pull.draft,
    merged: pull.merged,
    merged_at: pull.merged_at,
    closed_at: pull.closed_at,
    merge_commit_sha: pull.merge_commit_sha,
    user: USER,
    html_url: `${origin}/${repo.path}/pull/${pull.number}`,
    url: `${origin}/api/v3/repos/${repo.path}/pulls/${pull.number}`,
    head: { ref: pull.head_ref, sha: pull.head_sha, label: `${repo.owner}:${pull.head_ref}`, repo: repoJson(repo, origin) },
    base: { ref: pull.base_ref, label: `${repo.owner}:${pull.base_ref}`, repo: repoJson(repo, origin) },
    created_at: pull.created_at,
    updated_at: pull.updated_at,
  };
  if (mergeability !== undefined) {
    const state = derivedMergeableState(pull, mergeability);
    json.mergeable_state = state;
    json.mergeable = mergeability === null ? null : mergeability.clean;
  }
  return json;
}

type Env = { Variables: { repo: HostedRepo } };
type C = Context<Env>;

function numberParam(c: C): number {
  const n = Number.parseInt(c.req.param('number') ?? '', 10);
  return Number.isSafeInteger(n) ? n : -1;
}

/** The app for `/api/v3`. */
export function githubApp(state: FakeHostState): MountedApp {
  const app = new Hono<Env>().basePath('/api/v3');
  const { repos, pulls } = state;

  app.use('/repos/:owner/:repo/*', async (c, next) => {
    const repo = repos.get(`${c.req.param('owner')}/${c.req.param('repo')}`);
    if (repo === null) return apiError(404, 'Not Found');
    c.set('repo', repo);
    await next();
  });
  app.get('/repos/:owner/:repo', (c) => {
    const repo = repos.get(`${c.req.param('owner')}/${c.req.param('repo')}`);
    return repo === null ? apiError(404, 'Not Found') : c.json(repoJson(repo, originOf(c.req.raw)));
  });

  function pullOf(c: C): FakePull | Response {
    return pulls.get(c.get('repo'), numberParam(c)) ?? apiError(404, 'Not Found');
  }

  app.get('/repos/:owner/:repo/pulls', (c) => {
    const query = new URL(c.req.url).searchParams;
    const wanted = query.get('state') ?? 'open';
    const head = query.get('head');
    const base = query.get('base');
    const list = pulls
      .list(c.get('repo'))
      .filter((p) => wanted === 'all' || p.state === wanted)
      .filter((p) => head === null || head === p.head_ref || head.endsWith(`:${p.head_ref}`))
      .filter((p) => base === null || base === p.base_ref);
    return c.json(paginate(list, query).map((p) => pullJson(p, originOf(c.req.raw))));
  });

  app.post('/repos/:owner/:repo/pulls', async (c) => {
    const body = await parseBody(c.req.raw, CreatePull, 422);
    if (body instanceof Response) return body;
    const repo = c.get('repo');
    const headRef = body.head.includes(':') ? body.head.slice(body.head.indexOf(':') + 1) : body.head;
    const headSha = await repos.resolve(repo, `refs/heads/${headRef}`);
    const baseSha = await repos.resolve(repo, `refs/heads/${body.base}`);
    if (headSha === null) return apiError(422, 'Validation Failed', { errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }] });
    if (baseSha === null) return apiError(422, 'Validation Failed', { errors: [{ resource: 'PullRequest', field: 'base', code: 'invalid' }] });
    if (pulls.list(repo).some((p) => p.state === 'open' && p.head_ref === headRef && p.base_ref === body.base)) {
      return apiError(422, 'Validation Failed', { errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${repo.owner}:${headRef}.` }] });
    }
    const ahead = await runGit(['rev-list', '--count', `${baseSha}..${headSha}`], { cwd: repo.dir });
    if (ahead.stdout.toString('utf8').trim() === '0') {
      return apiError(422, 'Validation Failed', { errors: [{ resource: 'PullRequest', code: 'custom', message: `No commits between ${body.base} and ${headRef}` }] });
    }
    const pull = pulls.create(repo, { title: body.title, body: body.body ?? '', head_ref: headRef, base_ref: body.base, head_sha: headSha, draft: body.draft ?? false });
    return c.json(pullJson(pull, originOf(c.req.raw), await pullMergeability(repos, pull)), 201);
  });

  app.get('/repos/:owner/:repo/pulls/:number', async (c) => {
    const pull = pullOf(c);
    if (pull instanceof Response) return pull;
    return c.json(pullJson(pull, originOf(c.req.raw), await pullMergeability(repos, pull)));
  });

  app.patch('/repos/:owner/:repo/pulls/:number', async (c) => {
    const pull = pullOf(c);
    if (pull instanceof Response) return pull;
    const body = await parseBody(c.req.raw, UpdatePull, 422);
    if (body instanceof Response) return body;
    if (body.title !== undefined) pull.title = body.title;
    if (body.body !== undefined) pull.body = body.body ?? '';
    if (body.state !== undefined && !pull.merged) pulls.override(pull, { state: body.state });
    return c.json(pullJson(pull, originOf(c.req.raw), await pullMergeability(repos, pull)));
  });

  app.put('/repos/:owner/:repo/pulls/:number/merge', async (c) => {
    const pull = pullOf(c);
    if (pull instanceof Response) return pull;
    const body = await parseBody(c.req.raw, MergeBody, 422);
    if (body instanceof Response) return body;
    const method: MergeMethod = body.merge_method;
    if (!pulls.allowedMethods(pull.repo).has(method)) return apiError(405, `${method[0]?.toUpperCase()}${method.slice(1)} merges are not allowed on this repository.`);
    if (pull.state !== 'open') return apiError(405, 'Pull Request is not mergeable');
    const { head } = await pullCommits(repos, pull);
    if (body.sha !== undefined && body.sha !== head) return apiError(409, 'Head branch was modified. Review and try the merge again.');
    const mergeable = derivedMergeableState(pull, await pullMergeability(repos, pull));
    if (mergeable === 'dirty' || mergeable === 'blocked' || mergeable === 'draft') return apiError(405, 'Pull Request is not mergeable');
    const merged = await mergePull(repos, pull, method);
    if (!merged.ok) return apiError(merged.status, merged.message);
    return c.json({ sha: merged.sha, merged: true, message: 'Pull Request successfully merged' });
  });

  app.get('/repos/:owner/:repo/pulls/:number/reviews', (c) => {
    const pull = pullOf(c);
    if (pull instanceof Response) return pull;
    return c.json(pull.reviews.map((r) => ({ id: r.id, state: r.state, body: r.body, submitted_at: r.submitted_at, user: USER })));
  });

  app.post('/repos/:owner/:repo/pulls/:number/reviews', async (c) => {
    const pull = pullOf(c);
    if (pull instanceof Response) return pull;
    const body = await parseBody(c.req.raw, ReviewBody, 422);
    if (body instanceof Response) return body;
    const state = body.event === 'APPROVE' ? 'APPROVED' : body.event === 'REQUEST_CHANGES' ? 'CHANGES_REQUESTED' : 'COMMENTED';
    const review = pulls.review(pull, state, body.body);
    return c.json({ id: review.id, state: review.state, body: review.body, submitted_at: review.submitted_at, user: USER });
  });

  app.get('/repos/:owner/:repo/issues/:number/comments', (c) => {
    const pull = pullOf(c);
    if (pull instanceof Response) return pull;
    return c.json(pull.comments.map((m) => ({ id: m.id, body: m.body, created_at: m.created_at, user: USER })));
  });

  app.post('/repos/:owner/:repo/issues/:number/comments', async (c) => {
    const pull = pullOf(c);
    if (pull instanceof Response) return pull;
    const body = await parseBody(c.req.raw, CommentBody, 422);
    if (body instanceof Response) return body;
    const comment = pulls.comment(pull, body.body);
    return c.json({ id: comment.id, body: comment.body, created_at: comment.created_at, user: USER }, 201);
  });

  app.get('/repos/:owner/:repo/commits/:ref/check-runs', async (c) => {
    const repo = c.get('repo');
    const sha = await repos.resolve(repo, c.req.param('ref'));
    if (sha === null) return apiError(422, `No commit found for SHA: ${c.req.param('ref')}`);
    const runs = pulls.checkRuns(repo, sha);
    const page = paginate(runs, new URL(c.req.url).searchParams);
    return c.json({ total_count: runs.length, check_runs: page.map((r) => ({ id: r.id, name: r.name, status: r.status, conclusion: r.conclusion, head_sha: r.head_sha })) });
  });

  app.get('/repos/:owner/:repo/commits/:ref/status', async (c) => {
    const repo = c.get('repo');
    const sha = await repos.resolve(repo, c.req.param('ref'));
    if (sha === null) return apiError(422, `No commit found for SHA: ${c.req.param('ref')}`);
    const statuses = pulls.commitStatuses(repo, sha);
    const combined = statuses.some((s) => s.state === 'failure' || s.state === 'error') ? 'failure' : statuses.length === 0 || statuses.some((s) => s.state === 'pending') ? 'pending' : 'success';
    const page = paginate(statuses, new URL(c.req.url).searchParams);
    return c.json({ state: combined, sha, total_count: statuses.length, statuses: page });
  });

  app.post('/repos/:owner/:repo/git/refs', async (c) => {
    const repo = c.get('repo');
    const body = await parseBody(c.req.raw, RefBody, 422);
    if (body instanceof Response) return body;
    const sha = await repos.resolve(repo, body.sha);
    if (sha === null) return apiError(422, 'Object does not exist');
    const created = await runGit(['update-ref', body.ref, sha, ''], { cwd: repo.dir });
    if (created.code !== 0) return apiError(422, 'Reference already exists');
    return c.json({ ref: body.ref, object: { sha, type: 'commit' } }, 201);
  });

  app.notFound(() => apiError(404, 'Not Found'));
  return { prefix: '/api/v3', fetch: (request) => app.fetch(request) };
}
