/**
 * Git smart HTTP for the fake host: `/<owner…>/<repo>.git/*` handed to `git http-backend` as a
 * CGI (GIT_PROJECT_ROOT = the repository root, every repository exported, receive-pack enabled
 * through REMOTE_USER), the request body on stdin, the CGI headers parsed back into a Response.
 */
import type { RepoStore } from './repos.ts';
import { runGit } from './run-git.ts';

/** The path with percent-escapes decoded except reserved ones (`%2F` stays); raw when malformed. */
export function decodePath(pathname: string): string {
  try {
    return decodeURI(pathname);
  } catch {
    return pathname;
  }
}

/** `/<path>.git<rest>` of a git request, or null when the path names no repository. */
export function parseGitPath(pathname: string): { repoPath: string; rest: string } | null {
  const m = /^\/(.+?)\.git(\/.*)?$/.exec(pathname);
  if (m === null || m[1] === undefined) return null;
  return { repoPath: m[1], rest: m[2] ?? '' };
}

/** Splits CGI output into status, headers and body. */
function parseCgi(out: Buffer): Response {
  let split = out.indexOf('\r\n\r\n');
  let sepLength = 4;
  if (split < 0) {
    split = out.indexOf('\n\n');
    sepLength = 2;
  }
  if (split < 0) return new Response('git http-backend produced no headers', { status: 502 });
  const headers = new Headers();
  let status = 200;
  for (const line of out.subarray(0, split).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
    else headers.append(name, value);
  }
  const body = out.subarray(split + sepLength);
  const empty = status === 204 || status === 304 || body.length === 0;
  return new Response(empty ? null : new Uint8Array(body), { status, headers });
}

/** Serves one git request for an authenticated `user`; 404 when the repository does not exist. */
export async function serveGit(request: Request, repos: RepoStore, user: string): Promise<Response> {
  const url = new URL(request.url);
  const parsed = parseGitPath(decodePath(url.pathname));
  const hosted = parsed === null ? null : repos.get(parsed.repoPath);
  if (parsed === null || hosted === null) return new Response('repository not found\n', { status: 404 });
  const body = request.method === 'GET' || request.method === 'HEAD' ? new Uint8Array() : new Uint8Array(await request.arrayBuffer());
  const env: Record<string, string> = {
    GIT_PROJECT_ROOT: repos.root,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: request.method,
    PATH_INFO: `/${hosted.owner}/${hosted.repo}.git${parsed.rest}`,
    QUERY_STRING: url.search.startsWith('?') ? url.search.slice(1) : url.search,
    CONTENT_TYPE: request.headers.get('content-type') ?? '',
    CONTENT_LENGTH: String(body.length),
    REMOTE_USER: user === '' ? 'git' : user,
    REMOTE_ADDR: '127.0.0.1',
    HOME: repos.root,
  };
  const encoding = request.headers.get('content-encoding');
  if (encoding !== null) env.HTTP_CONTENT_ENCODING = encoding;
  const protocol = request.headers.get('git-protocol');
  if (protocol !== null) env.GIT_PROTOCOL = protocol;
  const run = await runGit(['http-backend'], { cwd: repos.root, env, input: body });
  if (run.code !== 0 && run.stdout.length === 0) return new Response(`git http-backend failed: ${run.stderr.trim()}\n`, { status: 500 });
  return parseCgi(run.stdout);
}
