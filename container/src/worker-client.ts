/**
 * Calls from the control server to the worker (`container.md` §7): P routes with the agent's own
 * token, C routes with the container token. A 401 renews the token used (`P/refresh-token` or
 * `C/refresh-token`, concurrent callers sharing one renewal) and retries once; a second 401 throws.
 * Every call has a timeout from `Timings` and honours the caller's `AbortSignal`.
 */
import { DbSnapshotPutResult, GitTokenResult, TokenResult } from '../../src/protocol/agent.ts';
import { MergeResultReport } from '../../src/protocol/container.ts';
import type { Logger } from './redact.ts';
import type { Timings } from './timings.ts';

/** An agent as the worker client sees it: ids for the P path and its current token. */
export interface AgentCredentials {
  agentId: string;
  /** The town id for the mayor. */
  rigId: string;
  getToken(): string;
  setToken(token: string): void;
}

/**
 * A failed worker call. `status` is the HTTP status (0 for a network error, timeout or abort);
 * `code` the error envelope's code, else `http_<status>`, `timeout`, `aborted` or `network_error`.
 */
export class WorkerCallError extends Error {
  override readonly name = 'WorkerCallError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Constructor options of `WorkerClient`. */
export interface WorkerClientOptions {
  apiUrl: string;
  townId: string;
  getContainerToken(): string;
  setContainerToken(t: string): void;
  timings: Timings;
  log: Logger;
  fetch?: typeof fetch;
  /** Told every renewed token, so the redactor learns it before it can reach a log. */
  onSecret?(value: string): void;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Sent as `application/octet-stream` instead of a JSON body. */
  raw?: Uint8Array;
}

/** The worker's routes as the control server uses them (P and C of `http-api.md` §4.3, §4.5). */
export class WorkerClient {
  readonly #opts: WorkerClientOptions;
  readonly #base: string;
  readonly #fetch: typeof fetch;
  /** In-flight renewals by credential (`agent:<id>` or `container`), shared by concurrent 401s. */
  readonly #renewals = new Map<string, Promise<string>>();

  constructor(opts: WorkerClientOptions) {
    this.#opts = opts;
    this.#base = opts.apiUrl.replace(/\/+$/, '');
    this.#fetch = opts.fetch ?? fetch;
  }

  /** `/api/towns/:townId/rigs/:rigId/agents/:agentId` for `who`. */
  agentPath(who: Pick<AgentCredentials, 'agentId' | 'rigId'>): string {
    return `/api/towns/${enc(this.#opts.townId)}/rigs/${enc(who.rigId)}/agents/${enc(who.agentId)}`;
  }

  /** `/api/towns/:townId/container`. */
  containerPath(): string {
    return `/api/towns/${enc(this.#opts.townId)}/container`;
  }

  /**
   * A P route call (`path` relative to P, e.g. `/heartbeat`) with that agent's token; on 401 renews
   * via P/refresh-token once and retries once. Returns the parsed `data` (the raw bytes for a
   * non-JSON reply such as `GET /db-snapshot`) or throws `WorkerCallError`.
   */
  agent<T>(who: AgentCredentials, method: Method, path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
    const url = this.agentPath(who) + path;
    return this.#withRenewal<T>(`agent:${who.agentId}`, who.getToken.bind(who), () => this.renewAgentToken(who), method, url, body, opts);
  }

  /** A C route call (`path` relative to C, e.g. `/registry`) with the container token; 401 → renew once, retry once. */
  container<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
    const url = this.containerPath() + path;
    return this.#withRenewal<T>('container', () => this.#opts.getContainerToken(), () => this.renewContainerToken(), method, url, body, opts);
  }

  /** `POST …/rigs/:rigId/refresh-git-token` with the container token (`container.md` §9.3). */
  async refreshGitToken(rigId: string, opts: CallOptions = {}): Promise<GitTokenResult> {
    const url = `/api/towns/${enc(this.#opts.townId)}/rigs/${enc(rigId)}/refresh-git-token`;
    const data = await this.#withRenewal<unknown>('container', () => this.#opts.getContainerToken(), () => this.renewContainerToken(), 'POST', url, undefined, opts);
    const parsed = GitTokenResult.safeParse(data);
    if (!parsed.success) throw new WorkerCallError(0, 'invalid_response', 'refresh-git-token returned an unexpected body');
    this.#opts.onSecret?.(parsed.data.token);
    return parsed.data;
  }

  /** `PUT P/db-snapshot` (octet-stream, ≤ 10 MB): stores `who`'s kilo.db bytes (`container.md` §8). */
  async putDbSnapshot(who: AgentCredentials, bytes: Uint8Array, opts: CallOptions = {}): Promise<DbSnapshotPutResult> {
    const data = await this.agent<unknown>(who, 'PUT', '/db-snapshot', undefined, { ...opts, raw: bytes });
    const parsed = DbSnapshotPutResult.safeParse(data);
    if (!parsed.success) throw new WorkerCallError(0, 'invalid_response', 'db-snapshot PUT returned an unexpected body');
    return parsed.data;
  }

  /** `POST C/merge-result` (`container.md` §9.4): the outcome of a `/git/merge`, validated before it is sent. */
  async mergeResult(report: MergeResultReport, opts: CallOptions = {}): Promise<void> {
    await this.container<unknown>('POST', '/merge-result', MergeResultReport.parse(report), opts);
  }

  /** Renews `who`'s token now (`P/refresh-token`, accepted up to 24 h after expiry), stores it and returns it. */
  renewAgentToken(who: AgentCredentials): Promise<string> {
    return this.#shared(`agent:${who.agentId}`, async () => {
      const token = await this.#refresh(this.agentPath(who) + '/refresh-token', who.getToken());
      who.setToken(token);
      this.#opts.log.info('worker.token_renewed', { scope: 'agent', agent_id: who.agentId });
      return token;
    });
  }

  /** Renews the container token now (`C/refresh-token`), stores it and returns it. */
  renewContainerToken(): Promise<string> {
    return this.#shared('container', async () => {
      const token = await this.#refresh(this.containerPath() + '/refresh-token', this.#opts.getContainerToken());
      this.#opts.setContainerToken(token);
      this.#opts.log.info('worker.token_renewed', { scope: 'container' });
      return token;
    });
  }

  #shared(key: string, run: () => Promise<string>): Promise<string> {
    const running = this.#renewals.get(key);
    if (running !== undefined) return running;
    const p = run().finally(() => this.#renewals.delete(key));
    this.#renewals.set(key, p);
    return p;
  }

  async #refresh(url: string, token: string): Promise<string> {
    const data = await this.#request<unknown>('POST', url, token, undefined, {});
    const parsed = TokenResult.safeParse(data);
    if (!parsed.success) throw new WorkerCallError(0, 'invalid_response', 'refresh-token returned an unexpected body');
    this.#opts.onSecret?.(parsed.data.token);
    return parsed.data.token;
  }

  async #withRenewal<T>(
    key: string,
    getToken: () => string,
    renew: () => Promise<string>,
    method: Method,
    url: string,
    body: unknown,
    opts: CallOptions,
  ): Promise<T> {
    const used = getToken();
    try {
      return await this.#request<T>(method, url, used, body, opts);
    } catch (err) {
      if (!(err instanceof WorkerCallError) || err.status !== 401) throw err;
    }
    // Another call may already have renewed it: then just retry with the new token.
    const current = getToken();
    let next: string;
    try {
      next = current !== used ? current : await renew();
    } catch (err) {
      this.#opts.log.warn('worker.token_renew_failed', { scope: key, error: errorText(err) });
      throw err;
    }
    return this.#request<T>(method, url, next, body, opts);
  }

  async #request<T>(method: Method, url: string, token: string, body: unknown, opts: CallOptions): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? this.#opts.timings.workerCallTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal === undefined ? timeout : AbortSignal.any([timeout, opts.signal]);
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    let payload: RequestInit['body'];
    if (opts.raw !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      payload = opts.raw;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const route = `${method} ${url}`;
    try {
      const res = await this.#fetch(this.#base + url, { method, headers, body: payload, signal });
      return await readReply<T>(res, route);
    } catch (err) {
      if (err instanceof WorkerCallError) throw err;
      if (opts.signal?.aborted === true) throw new WorkerCallError(0, 'aborted', `${route}: aborted`);
      if (timeout.aborted) throw new WorkerCallError(0, 'timeout', `${route}: no answer within ${timeoutMs} ms`);
      throw new WorkerCallError(0, 'network_error', `${route}: ${errorText(err)}`);
    }
  }
}

/** `{data}` → data; octet-stream → bytes; an error envelope → `WorkerCallError`. */
async function readReply<T>(res: Response, route: string): Promise<T> {
  const type = res.headers.get('content-type') ?? '';
  if (res.ok) {
    if (!type.includes('json')) {
      const bytes = new Uint8Array(await res.arrayBuffer());
      return bytes as T;
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      throw new WorkerCallError(res.status, 'invalid_response', `${route} → ${res.status} with a body that is not JSON`);
    }
    return (isRecord(json) && 'data' in json ? json.data : json) as T;
  }
  let code = `http_${res.status}`;
  let message = `${route} → ${res.status}`;
  const text = await res.text().catch(() => '');
  try {
    const json: unknown = JSON.parse(text);
    if (isRecord(json) && isRecord(json.error)) {
      if (typeof json.error.code === 'string') code = json.error.code;
      if (typeof json.error.message === 'string') message = `${route} → ${res.status} ${code}: ${json.error.message}`;
    }
  } catch {
    // not JSON: the status says enough
  }
  throw new WorkerCallError(res.status, code, message);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
