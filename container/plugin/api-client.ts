/**
 * The plugin's HTTP client for the worker (`tools.md` §3): the agent token as a bearer (kept in
 * memory), JSON bodies, a per-call timeout plus the tool's abort signal, the `{data}` / `{error}`
 * envelopes, and on a 401 one `P/refresh-token` (shared by concurrent calls) and one retry.
 * Created once per plugin load; every tool and hook calls through it.
 */
import type { AgentContext } from './context.ts';
import { fieldOf, stringField } from './json-fields.ts';

/** A failed call; `message` is what the model reads: `Gastown API error (<status> <code>): <message>`. */
export class GastownApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, detail: string) {
    super(`Gastown API error (${status} ${code}): ${detail}`);
    this.name = 'GastownApiError';
    this.status = status;
    this.code = code;
  }
}

/** Options of one call. */
export interface CallOptions {
  /** The tool call's abort signal (the session was aborted). */
  signal?: AbortSignal;
  /** Query parameters (GET lists). */
  query?: Readonly<Record<string, string>>;
}

/** What the client needs besides the agent context. */
export interface ApiClientOptions {
  /** Upper bound of one HTTP call (`tools.md` §3: 30 s). */
  callTimeoutMs: number;
  fetch?: typeof fetch;
  /** Called with each renewed token (the plugin stores it in the child's env). */
  onTokenRenewed?: (token: string) => void;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Validation issues shown to the model, at most. */
const MAX_ISSUES_SHOWN = 10;
/** Longest `details` JSON appended to an error message. */
const MAX_DETAILS_CHARS = 1000;
/** Longest non-JSON error body quoted in an error message. */
const MAX_TEXT_CHARS = 500;

/** Calls the worker as one agent. */
export class GastownApi {
  readonly #ctx: AgentContext;
  readonly #opts: ApiClientOptions;
  readonly #fetch: typeof fetch;
  #token: string;
  /** The refresh in flight, shared by concurrent 401s. */
  #refreshing: Promise<void> | null = null;

  constructor(ctx: AgentContext, opts: ApiClientOptions) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.#fetch = opts.fetch ?? fetch;
    this.#token = ctx.token;
  }

  /** The token the next call sends. */
  get token(): string {
    return this.#token;
  }

  /** `P` = `/api/towns/:townId/rigs/:rigId/agents/:agentId` + `suffix` (the mayor's rig is its town). */
  agentPath(suffix: string): string {
    const c = this.#ctx;
    return `/api/towns/${enc(c.townId)}/rigs/${enc(c.rigId)}/agents/${enc(c.agentId)}${suffix}`;
  }

  /** `M` = `/api/towns/:townId/mayor/tools` + `suffix`. */
  mayorPath(suffix: string): string {
    return `/api/towns/${enc(this.#ctx.townId)}/mayor/tools${suffix}`;
  }

  /**
   * One call; resolves with the envelope's `data`, throws `GastownApiError`. A 401 renews the
   * token once and retries once; the retry's answer is final (no third attempt).
   */
  async call(method: Method, path: string, body?: unknown, opts: CallOptions = {}): Promise<unknown> {
    const sent = this.#token;
    const first = await this.#send(method, path, body, opts);
    if (first.status !== 401) return unwrap(first);
    await this.#refresh(sent);
    return unwrap(await this.#send(method, path, body, opts));
  }

  /** Renews the token unless another call already did since `stale` was sent. */
  async #refresh(stale: string): Promise<void> {
    if (this.#token !== stale) return;
    this.#refreshing ??= (async () => {
      try {
        // Not bound to one caller's signal: the refresh serves every call waiting on it.
        const data = unwrap(await this.#send('POST', this.agentPath('/refresh-token'), undefined, {}));
        const token = stringField(data, 'token');
        if (token === undefined || token === '') throw new GastownApiError(0, 'bad_reply', 'refresh-token returned no token.');
        this.#token = token;
        this.#opts.onTokenRenewed?.(token);
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  async #send(method: Method, path: string, body: unknown, opts: CallOptions): Promise<Reply> {
    const signals = [AbortSignal.timeout(this.#opts.callTimeoutMs), ...(opts.signal === undefined ? [] : [opts.signal])];
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const search = opts.query === undefined ? '' : new URLSearchParams(opts.query).toString();
    let res: Response;
    try {
      res = await this.#fetch(`${this.#ctx.apiUrl}${path}${search === '' ? '' : `?${search}`}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.any(signals),
      });
    } catch (err) {
      throw new GastownApiError(0, networkCode(err), err instanceof Error ? err.message : String(err));
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new GastownApiError(0, networkCode(err), err instanceof Error ? err.message : String(err));
    }
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.status, json, text };
  }
}

interface Reply {
  status: number;
  json: unknown;
  text: string;
}

/** `data` of a 2xx envelope, else the error as a `GastownApiError`. */
function unwrap(reply: Reply): unknown {
  const json = reply.json;
  if (reply.status >= 200 && reply.status < 300) return json !== null && typeof json === 'object' && 'data' in json ? fieldOf(json, 'data') : json;
  const error = fieldOf(json, 'error');
  const code = stringField(error, 'code') ?? 'http_error';
  const message = stringField(error, 'message') ?? (reply.text.slice(0, MAX_TEXT_CHARS) || 'no message');
  throw new GastownApiError(reply.status, code, message + describeDetails(fieldOf(error, 'details')));
}

/** Validation issues as `path: message` lines; other details as compact JSON; nothing without details. */
function describeDetails(details: unknown): string {
  if (details === null || typeof details !== 'object') return '';
  const issues = fieldOf(details, 'issues');
  if (Array.isArray(issues)) {
    const lines = issues.slice(0, MAX_ISSUES_SHOWN).map((issue: unknown) => {
      const path = fieldOf(issue, 'path');
      const where = Array.isArray(path) && path.length > 0 ? path.map(String).join('.') : '(body)';
      return `- ${where}: ${stringField(issue, 'message') ?? JSON.stringify(issue)}`;
    });
    const more = issues.length > MAX_ISSUES_SHOWN ? [`- … ${issues.length - MAX_ISSUES_SHOWN} more`] : [];
    return `\n${[...lines, ...more].join('\n')}`;
  }
  const json = JSON.stringify(details);
  return json === '{}' ? '' : ` Details: ${json.length > MAX_DETAILS_CHARS ? `${json.slice(0, MAX_DETAILS_CHARS)}…` : json}`;
}

/** The code of a call that got no HTTP answer. */
function networkCode(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'timeout';
  if (err instanceof Error && err.name === 'AbortError') return 'aborted';
  return 'network_error';
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
