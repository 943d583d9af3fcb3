/**
 * The workers pool's outbound fetch (runs in Node, inside Miniflare; `vitest.config.ts`): a
 * request to `FAKE_GIT_HOST_ORIGIN` goes to one shared fake git host (`test/fakes/git-host/`,
 * created on first use, its repositories deleted when the process exits), with two setup routes
 * the fake host has no HTTP form for — `POST /__scm-setup/repos {owner, repo, default_branch,
 * files?}` and `POST /__scm-setup/commits {repo, branch, files, from?}`. Every other request
 * passes through to the network unchanged, so tests not about git hosting see no difference.
 */
import { z } from 'zod';
import { createFakeGitHost, type FakeGitHostCore } from '../fakes/git-host/index.ts';
import { FAKE_GIT_HOST_ORIGIN, SCM_SETUP_PREFIX } from './scm-host-origin.ts';

/** What Miniflare hands the outbound service: a fetch `Request` from its own bundled undici. */
interface OutboundRequest {
  url: string;
  method: string;
  headers: Iterable<[string, string]>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

let host: Promise<FakeGitHostCore> | null = null;

function fakeHost(): Promise<FakeGitHostCore> {
  if (host === null) {
    const created = createFakeGitHost();
    host = created;
    process.once('beforeExit', () => {
      void created.then((h) => h.dispose());
    });
  }
  return host;
}

const RepoBody = z.object({
  owner: z.string().min(1),
  repo: z.string().min(1),
  default_branch: z.string().min(1).default('main'),
  files: z.record(z.string(), z.string()).optional(),
});
const CommitBody = z.object({
  repo: z.string().min(1),
  branch: z.string().min(1),
  files: z.record(z.string(), z.string().nullable()),
  from: z.string().min(1).optional(),
});

async function setup(h: FakeGitHostCore, path: string, request: Request): Promise<Response> {
  const raw: unknown = await request.json();
  if (path === `${SCM_SETUP_PREFIX}/repos`) {
    const body = RepoBody.parse(raw);
    const repo = await h.createRepo(body.owner, body.repo, { default_branch: body.default_branch, ...(body.files === undefined ? {} : { files: body.files }) });
    return Response.json({ owner: repo.owner, repo: repo.repo, path: repo.path, default_branch: repo.default_branch, git_url: `${FAKE_GIT_HOST_ORIGIN}/${repo.path}.git` });
  }
  if (path === `${SCM_SETUP_PREFIX}/commits`) {
    const body = CommitBody.parse(raw);
    return Response.json({ sha: await h.commitFiles(body.repo, body.branch, body.files, body.from === undefined ? {} : { from: body.from }) });
  }
  return Response.json({ error: `no setup route ${path}` }, { status: 404 });
}

/** Connection-level headers Node's fetch sets itself. */
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'upgrade']);

/**
 * Rebuilds Miniflare's request as a Node `Request` (the fake host's handler speaks Node fetch);
 * redirects are left to workerd, which follows them when the worker asked it to.
 */
async function nodeRequest(request: OutboundRequest): Promise<Request> {
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const headers = [...request.headers].filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase()));
  return new Request(request.url, { method: request.method, headers, ...(hasBody ? { body: await request.arrayBuffer() } : {}), redirect: 'manual' });
}

/** The outbound service: the fake git host on its origin, the network everywhere else. */
export async function scmOutbound(request: OutboundRequest): Promise<Response> {
  const forwarded = await nodeRequest(request);
  const url = new URL(forwarded.url);
  if (url.origin !== FAKE_GIT_HOST_ORIGIN) return fetch(forwarded);
  const h = await fakeHost();
  if (url.pathname.startsWith(`${SCM_SETUP_PREFIX}/`)) {
    try {
      return await setup(h, url.pathname, forwarded);
    } catch (e) {
      return Response.json({ error: e instanceof Error ? e.message : String(e) }, { status: 400 });
    }
  }
  return h.handler(forwarded);
}
