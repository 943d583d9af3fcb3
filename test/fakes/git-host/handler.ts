/**
 * The fake git host's request handler, `(Request) → Promise<Response>`: control routes
 * (`/__fake/*`, unrecorded, no auth) first; every other request is recorded, may be hit by a
 * queued failure, must carry an accepted token (git: Basic password, else 401 with
 * `WWW-Authenticate: Basic` so git asks its credential helper; API: Bearer / `PRIVATE-TOKEN`),
 * then goes to git smart HTTP or one of the API apps.
 */
import type { FakeHostState } from './host-state.ts';
import { failureResponse } from './request-log.ts';
import { decodePath, parseGitPath, serveGit } from './smart-http.ts';
import { presentedAuth } from './tokens.ts';

/** A sub-application mounted under a path prefix (an API flavour or the control routes). */
export interface MountedApp {
  prefix: string;
  fetch(request: Request): Response | Promise<Response>;
}

const JSON_TYPE = /^application\/(.+\+)?json/i;

async function jsonBody(request: Request): Promise<unknown> {
  if (request.method === 'GET' || request.method === 'HEAD') return null;
  if (!JSON_TYPE.test(request.headers.get('content-type') ?? '')) return null;
  try {
    return JSON.parse(await request.clone().text()) as unknown;
  } catch {
    return null;
  }
}

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function unauthorized(isGit: boolean, sent: boolean): Response {
  if (isGit) return new Response('Authentication required\n', { status: 401, headers: { 'www-authenticate': 'Basic realm="fake-git-host"' } });
  return Response.json({ message: sent ? 'Bad credentials' : 'Requires authentication' }, { status: 401 });
}

/** Builds the handler over `state`; `control` is unauthenticated, `apis` need a token. */
export function buildHandler(state: FakeHostState, control: MountedApp, apis: readonly MountedApp[]): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    // `%2F` stays encoded: it is part of a GitLab project id.
    const path = decodePath(url.pathname);
    if (under(path, control.prefix)) return control.fetch(request);

    const auth = presentedAuth(request.headers);
    const isGit = !path.startsWith('/api/') && parseGitPath(path) !== null;
    const rec = state.log.record({
      method: request.method,
      path,
      query: url.search.replace(/^\?/, ''),
      auth_sent: auth.sent,
      token: auth.token,
      body: isGit ? null : await jsonBody(request),
    });
    const response = await answer();
    rec.status = response.status;
    return response;

    async function answer(): Promise<Response> {
      const failure = state.log.takeFailure(request.method, path);
      if (failure !== null) return failureResponse(failure);
      if (isGit) {
        if (auth.scheme !== 'basic' || !state.tokens.accepts(auth.token)) return unauthorized(true, auth.sent);
        return serveGit(request, state.repos, auth.user ?? 'git');
      }
      const app = apis.find((a) => under(path, a.prefix));
      if (app === undefined) return Response.json({ message: 'Not Found' }, { status: 404 });
      if (!state.tokens.accepts(auth.token)) return unauthorized(false, auth.sent);
      return app.fetch(request);
    }
  };
}
