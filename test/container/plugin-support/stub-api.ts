/**
 * A tiny loopback stub of the worker for the plugin tests: `startStubApi()` listens on
 * 127.0.0.1:0 and serves P (one agent's own path) and M (the mayor tools) like the worker does:
 * bearer check (401), path ids (400 `invalid_id`), the worker's own body and query schemas (400
 * `validation_failed`), `{data}` / `{error}` envelopes. It records every request and lets a test
 * revoke the token, force 401s, fail or hold the token refresh, and override any route's answer.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UUID_PATTERN } from '../../../src/protocol/common.ts';
import { STUB_ROUTES } from './routes.ts';
import type { StubReply, StubRequest, StubRoute } from './routes.ts';

export type { StubReply, StubRequest } from './routes.ts';
export { STUB_RECORD_ID } from './routes.ts';

/** Who the plugin under test is. */
export interface StubIdentity {
  townId: string;
  /** The town id for the mayor. */
  rigId: string;
  agentId: string;
  /** The token the plugin starts with. */
  token: string;
}

/** An answer computed by a test instead of the route's default (after auth and validation). */
export type StubHandler = (req: StubRequest) => StubReply | Promise<StubReply>;

/** A running stub. */
export interface StubApi {
  url: string;
  /** Every request, in arrival order. */
  readonly requests: StubRequest[];
  /** `P` and `M` of this identity, for assertions. */
  readonly P: string;
  readonly M: string;
  /** The token the stub accepts now (null after `revokeToken` until the next refresh). */
  readonly validToken: string | null;
  /** Requests to `pattern` (`P/…` / `M/…`), optionally of one method. */
  matching(pattern: string, method?: string): StubRequest[];
  /** Replaces the answer of `method pattern`; null restores the default. */
  on(method: string, pattern: string, handler: StubHandler | null): void;
  /** The current token stops working (as if expired); a refresh with it still succeeds. */
  revokeToken(): void;
  /** The next `count` non-refresh requests answer 401 even with a valid token. */
  rejectNext(count: number): void;
  /** Refreshes answer `status` with an error envelope until reset with null. */
  failRefresh(status: number | null): void;
  /** Refresh answers wait until the returned function is called. */
  holdRefresh(): () => void;
  /** Resolves once `pred` holds for the recorded requests (checked on each request). */
  until(pred: (requests: readonly StubRequest[]) => boolean): Promise<void>;
  close(): Promise<void>;
}

/** `pattern` segments against `path` segments; path ids become params. */
function matchPattern(pattern: string, base: string, path: string): Record<string, string> | null {
  const want = `${base}${pattern.slice(1)}`.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = decodeURIComponent(got[i] ?? '');
    if (w.startsWith(':')) params[w.slice(1)] = g;
    else if (w !== g) return null;
  }
  return params;
}

function errorReply(status: number, code: string, message: string, details?: Record<string, unknown>): StubReply {
  return { status, body: { error: { code, message, ...(details === undefined ? {} : { details }) } } };
}

function issuesOf(error: { issues: readonly { path: readonly PropertyKey[]; code: string; message: string }[] }) {
  return error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), code: i.code, message: i.message }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the stub for `identity`. */
export async function startStubApi(identity: StubIdentity): Promise<StubApi> {
  const P = `/api/towns/${identity.townId}/rigs/${identity.rigId}/agents/${identity.agentId}`;
  const M = `/api/towns/${identity.townId}/mayor/tools`;
  const requests: StubRequest[] = [];
  const overrides = new Map<string, StubHandler>();
  const issued = new Set<string>([identity.token]);
  const waiters: { pred: (r: readonly StubRequest[]) => boolean; resolve: () => void }[] = [];
  let validToken: string | null = identity.token;
  let rejectCount = 0;
  let refreshFailure: number | null = null;
  let refreshGate: Promise<void> | null = null;
  let renewals = 0;

  function find(method: string, path: string): { route: StubRoute; params: Record<string, string> } | null {
    for (const route of STUB_ROUTES) {
      if (route.method !== method) continue;
      const params = matchPattern(route.pattern, route.pattern.startsWith('P/') ? P : M, path);
      if (params !== null) return { route, params };
    }
    return null;
  }

  async function answer(rec: StubRequest, rawBody: string): Promise<StubReply> {
    const found = find(rec.method, rec.path);
    if (found === null) return errorReply(404, 'not_found', `No route ${rec.method} ${rec.path}.`);
    const { route, params } = found;
    rec.route = route.pattern;
    rec.params = params;
    const refresh = route.pattern === 'P/refresh-token';
    if (refresh) {
      if (rec.auth === null || !issued.has(rec.auth)) return errorReply(401, 'unauthorized', 'Unknown token.', { reason: 'bad_signature' });
    } else {
      if (rec.auth === null || rec.auth !== validToken) return errorReply(401, 'unauthorized', 'The token has expired.', { reason: 'expired' });
      if (rejectCount > 0) {
        rejectCount--;
        return errorReply(401, 'unauthorized', 'The token has expired.', { reason: 'expired' });
      }
    }
    for (const [name, value] of Object.entries(params)) {
      if (!UUID_PATTERN.test(value)) return errorReply(400, 'invalid_id', `${name} must be a UUID.`, { param: name });
    }
    if (route.query !== undefined) {
      const q = route.query.safeParse(rec.query);
      if (!q.success) return errorReply(400, 'validation_failed', 'The query is invalid.', { location: 'query', issues: issuesOf(q.error) });
    }
    if (rawBody !== '') {
      try {
        rec.body = JSON.parse(rawBody) as unknown;
      } catch {
        return errorReply(400, 'invalid_json', 'The body is not JSON.');
      }
    }
    if (route.body !== undefined) {
      const b = route.body.safeParse(rec.body);
      if (!b.success) return errorReply(400, 'validation_failed', 'The body is invalid.', { location: 'body', issues: issuesOf(b.error) });
    } else if (rec.body !== undefined && JSON.stringify(rec.body) !== '{}') {
      return errorReply(400, 'validation_failed', 'This route takes no body.', { location: 'body', issues: [] });
    }
    rec.valid = true;
    if (refresh) {
      if (refreshGate !== null) await refreshGate;
      if (refreshFailure !== null) return errorReply(refreshFailure, refreshFailure === 401 ? 'unauthorized' : 'internal_error', 'Refresh refused.');
      renewals++;
      const token = `renewed-token-${renewals}`;
      issued.add(token);
      validToken = token;
      return { status: 200, body: { data: { token, expires_at: '2030-01-01T00:00:00.000Z' } } };
    }
    const override = overrides.get(`${rec.method} ${route.pattern}`);
    return override === undefined ? route.reply(rec) : await override(rec);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const header = req.headers.authorization ?? '';
    const rec: StubRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      route: null,
      params: {},
      query: Object.fromEntries(url.searchParams),
      auth: header.startsWith('Bearer ') ? header.slice('Bearer '.length) : null,
      body: undefined,
      valid: false,
      status: 0,
    };
    const reply = await answer(rec, await readBody(req));
    rec.status = reply.status;
    requests.push(rec);
    for (const w of [...waiters]) {
      if (w.pred(requests)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.body));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal_error', message: String(err) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    P,
    M,
    get validToken() {
      return validToken;
    },
    matching: (pattern, method) => requests.filter((r) => r.route === pattern && (method === undefined || r.method === method)),
    on(method, pattern, handler) {
      if (handler === null) overrides.delete(`${method} ${pattern}`);
      else overrides.set(`${method} ${pattern}`, handler);
    },
    revokeToken() {
      validToken = null;
    },
    rejectNext(count) {
      rejectCount = count;
    },
    failRefresh(status) {
      refreshFailure = status;
    },
    holdRefresh() {
      let release = (): void => undefined;
      refreshGate = new Promise<void>((resolve) => {
        release = () => {
          refreshGate = null;
          resolve();
        };
      });
      return release;
    },
    until(pred) {
      if (pred(requests)) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ pred, resolve }));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
