/**
 * Steering the fake git host: `FakeControl` (called directly by tests in the same process) and
 * the same operations over HTTP under `/__fake/*` (for tests that only hold the URL, e.g. through
 * workerd's outbound fetch): recorded requests, queued failures, tokens, PR overrides, review
 * threads, check runs, commit statuses and allowed merge methods. Control traffic is never
 * recorded, failed or authenticated.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { MountedApp } from './handler.ts';
import type { FakeHostState } from './host-state.ts';
import { pullCommits } from './merge-ops.ts';
import { type CommitStatus, type FakePull, type MergeMethod, type PullOverrides } from './pulls.ts';
import type { HostedRepo } from './repos.ts';
import type { QueuedFailure, RecordedRequest } from './request-log.ts';

/** A commit given by sha (or any rev), or as "the current head of PR/MR `pr`". */
export type CommitTarget = { sha: string } | { pr: number };

export interface CheckRunInput {
  name?: string;
  status: string;
  conclusion?: string | null;
}

export interface StatusInput {
  state: CommitStatus['state'];
  context?: string;
  description?: string | null;
}

/** The operations of `/__fake/*`, callable directly. `repo` is `owner/repo` (owner may nest). */
export interface FakeControl {
  /** Recorded requests, optionally only those matching `pathGlob` (and `method`). */
  requests(pathGlob?: string, method?: string): RecordedRequest[];
  queueFailure(failure: QueuedFailure): void;
  /** Forgets recorded requests and queued failures (repositories and PRs stay). */
  reset(): void;
  /** The live PR/MR record (throws when absent). */
  pull(repo: string, number: number): FakePull;
  pulls(repo: string): FakePull[];
  /** Forces `reviewDecision`, `mergeStateStatus`, `isDraft`, `mergeable_state` or `state`; null = derive again. */
  setPull(repo: string, number: number, fields: PullOverrides): void;
  /** Adds `count` review threads (unresolved unless `resolved`); returns their ids. */
  addThreads(repo: string, number: number, count?: number, opts?: { resolved?: boolean }): number[];
  /** Resolves the threads with `ids`, or all of them. */
  resolveThreads(repo: string, number: number, ids?: readonly number[]): void;
  /** Adds check runs to a commit; resolves to its sha. */
  addCheckRuns(repo: string, target: CommitTarget, runs: readonly CheckRunInput[]): Promise<string>;
  /** Adds commit statuses to a commit; resolves to its sha. */
  addStatuses(repo: string, target: CommitTarget, statuses: readonly StatusInput[]): Promise<string>;
  /** The merge methods `PUT pulls/:n/merge` accepts for `repo` (others → 405). */
  setMergeMethods(repo: string, methods: readonly MergeMethod[]): void;
}

export function createControl(state: FakeHostState): FakeControl {
  function repoOf(path: string): HostedRepo {
    const repo = state.repos.get(path);
    if (repo === null) throw new ControlError(404, `no repository ${path}`);
    return repo;
  }
  function pullOf(path: string, number: number): FakePull {
    const pull = state.pulls.get(repoOf(path), number);
    if (pull === null) throw new ControlError(404, `no pull request ${path}#${number}`);
    return pull;
  }
  async function commitOf(path: string, target: CommitTarget): Promise<{ repo: HostedRepo; sha: string }> {
    const repo = repoOf(path);
    if ('pr' in target) return { repo, sha: (await pullCommits(state.repos, pullOf(path, target.pr))).head };
    const sha = await state.repos.resolve(repo, target.sha);
    if (sha === null) throw new ControlError(404, `no commit ${target.sha} in ${path}`);
    return { repo, sha };
  }
  return {
    requests: (pathGlob, method) => (pathGlob === undefined ? [...state.log.requests] : state.log.matching(pathGlob, method)),
    queueFailure: (failure) => state.log.queueFailure(failure),
    reset: () => state.log.reset(),
    pull: pullOf,
    pulls: (path) => state.pulls.list(repoOf(path)),
    setPull: (path, number, fields) => state.pulls.override(pullOf(path, number), fields),
    addThreads: (path, number, count = 1, opts = {}) => state.pulls.addThreads(pullOf(path, number), count, opts.resolved ?? false),
    resolveThreads: (path, number, ids) => state.pulls.resolveThreads(pullOf(path, number), ids),
    addCheckRuns: async (path, target, runs) => {
      const { repo, sha } = await commitOf(path, target);
      state.pulls.addCheckRuns(repo, sha, runs);
      return sha;
    },
    addStatuses: async (path, target, statuses) => {
      const { repo, sha } = await commitOf(path, target);
      state.pulls.addStatuses(repo, sha, statuses);
      return sha;
    },
    setMergeMethods: (path, methods) => state.pulls.setAllowedMethods(repoOf(path), methods),
  };
}

/** A control call naming something that does not exist (404) or malformed (400). */
export class ControlError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

const QueuedFailureBody = z.object({
  path_glob: z.string().min(1),
  status: z.union([z.number().int().min(100).max(599), z.literal('malformed_json')]),
  count: z.number().int().min(1).default(1),
  method: z.string().optional(),
});
const TokenBody = z.object({ token: z.string().min(1) });
const PullRef = { repo: z.string().min(1), number: z.number().int().min(1) };
const Target = z.union([z.object({ sha: z.string().min(1) }), z.object({ pr: z.number().int().min(1) })]);
const SetPullBody = z.object({
  ...PullRef,
  fields: z.object({
    reviewDecision: z.enum(['APPROVED', 'CHANGES_REQUESTED', 'REVIEW_REQUIRED']).nullable().optional(),
    mergeStateStatus: z.string().nullable().optional(),
    isDraft: z.boolean().optional(),
    mergeable_state: z.string().nullable().optional(),
    state: z.enum(['open', 'closed']).optional(),
  }),
});
const ThreadsBody = z.object({ ...PullRef, count: z.number().int().min(1).max(10_000).default(1), resolved: z.boolean().default(false) });
const ResolveBody = z.object({ ...PullRef, ids: z.array(z.number().int()).optional() });
const CheckRunsBody = z.object({
  repo: z.string().min(1),
  target: Target,
  runs: z.array(z.object({ name: z.string().optional(), status: z.string().min(1), conclusion: z.string().nullable().optional() })).min(1),
});
const StatusesBody = z.object({
  repo: z.string().min(1),
  target: Target,
  statuses: z.array(z.object({ state: z.enum(['pending', 'success', 'failure', 'error']), context: z.string().optional(), description: z.string().nullable().optional() })).min(1),
});
const MethodsBody = z.object({ repo: z.string().min(1), methods: z.array(z.enum(['merge', 'squash', 'rebase'])) });

function error(status: 400 | 404, message: string): Response {
  return Response.json({ error: { code: status === 404 ? 'not_found' : 'validation_failed', message } }, { status });
}

/** Runs `op` on the parsed body; a bad body is a 400, a `ControlError` its status. */
async function withBody<S extends z.ZodType>(request: Request, schema: S, op: (body: z.infer<S>) => unknown): Promise<Response> {
  let raw: unknown;
  try {
    raw = await request.json();
  } catch {
    return error(400, 'The body is not JSON.');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return error(400, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  try {
    const result = await op(parsed.data);
    return Response.json(result ?? { ok: true });
  } catch (e) {
    if (e instanceof ControlError) return error(e.status, e.message);
    throw e;
  }
}

function pullSummary(pull: FakePull): Record<string, unknown> {
  const { repo, ...rest } = pull;
  return { ...rest, repo: repo.path };
}

/** `/__fake/*` over HTTP. */
export function controlApp(state: FakeHostState, control: FakeControl): MountedApp {
  const app = new Hono().basePath('/__fake');
  app.get('/requests', (c) => c.json(control.requests(c.req.query('path_glob'), c.req.query('method'))));
  app.post('/failures', (c) => withBody(c.req.raw, QueuedFailureBody, (b) => control.queueFailure(b)));
  app.post('/reset', (c) => {
    control.reset();
    return c.json({ ok: true });
  });
  app.get('/tokens', (c) => c.json(state.tokens.list()));
  app.post('/tokens', (c) => withBody(c.req.raw, TokenBody, (b) => state.tokens.add(b.token)));
  app.post('/tokens/revoke', (c) => withBody(c.req.raw, TokenBody, (b) => state.tokens.revoke(b.token)));
  app.get('/pulls', (c) => {
    try {
      return c.json(control.pulls(c.req.query('repo') ?? '').map(pullSummary));
    } catch (e) {
      if (e instanceof ControlError) return error(e.status, e.message);
      throw e;
    }
  });
  app.post('/pulls/set', (c) => withBody(c.req.raw, SetPullBody, (b) => control.setPull(b.repo, b.number, b.fields)));
  app.post('/threads', (c) => withBody(c.req.raw, ThreadsBody, (b) => ({ ids: control.addThreads(b.repo, b.number, b.count, { resolved: b.resolved }) })));
  app.post('/threads/resolve', (c) => withBody(c.req.raw, ResolveBody, (b) => control.resolveThreads(b.repo, b.number, b.ids)));
  app.post('/check-runs', (c) => withBody(c.req.raw, CheckRunsBody, async (b) => ({ sha: await control.addCheckRuns(b.repo, b.target, b.runs) })));
  app.post('/statuses', (c) => withBody(c.req.raw, StatusesBody, async (b) => ({ sha: await control.addStatuses(b.repo, b.target, b.statuses) })));
  app.post('/merge-methods', (c) => withBody(c.req.raw, MethodsBody, (b) => control.setMergeMethods(b.repo, b.methods)));
  app.notFound((c) => error(404, `no control route ${c.req.method} ${c.req.path}`));
  return { prefix: '/__fake', fetch: (request) => app.fetch(request) };
}
