/**
 * The plugin's HTTP client for the worker (`tools.md` §3): the agent token as a bearer (kept in
 * memory), JSON bodies, a per-call timeout plus the tool's abort signal, the `{data}` / `{error}`
 * envelopes, and one shared `P/refresh-token` + one retry on a 401. Created once per plugin load.
 */
import type { AgentContext } from './context.ts';

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
}

/** What the client needs besides the agent context. */
export interface ApiClientOptions {
  /** Upper bound of one HTTP call (`tools.md` §3: 30 s). */
  callTimeoutMs: number;
  fetch?: typeof fetch;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

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

  /** `P` = `/api/towns/:townId/rigs/:rigId/agents/:agentId` + `suffix`. */
  agentPath(suffix: string): string {
    const c = this.#ctx;
    return `/api/towns/${enc(c.townId)}/rigs/${enc(c.rigId)}/agents/${enc(c.agentId)}${suffix}`;
  }

  /** `M` = `/api/towns/:townId/mayor/tools` + `suffix`. */
  mayorPath(suffix: string): string {
    return `/api/towns/${enc(this.#ctx.townId)}/mayor/tools${suffix}`;
  }

  /** One call; a 401 refreshes the token once and retries once. Resolves with `data`; throws `GastownApiError`. */
  async call(method: Method, path: string, body?: unknown, opts: CallOptions = {}): Promise<unknown> {
    const sent = this.#token;
    const first = await this.#send(method, path, body, opts);
    if (first.status !== 401) return unwrap(first);
    await this.#refresh(sent, opts);
    return unwrap(await this.#send(method, path, body, opts));
  }

  /** Renews the token unless another call already did since `stale` was sent. */
  async #refresh(stale: string, opts: CallOptions): Promise<void> {
    if (this.#token !== stale) return;
    this.#refreshing ??= (async () => {
      try {
        const data = unwrap(await this.#send('POST', this.agentPath('/refresh-token'), undefined, opts));
        const token = (data as { token?: unknown } | null)?.token;
        if (typeof token !== 'string' || token === '') throw new GastownApiError(0, 'bad_reply', 'refresh-token returned no token');
        this.#token = token;
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
    let res: Response;
    try {
      res = await this.#fetch(`${this.#ctx.apiUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.any(signals),
      });
    } catch (err) {
      throw new GastownApiError(0, 'network_error', err instanceof Error ? err.message : String(err));
    }
    const text = await res.text().catch(() => '');
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
  if (reply.status >= 200 && reply.status < 300) {
    const obj = reply.json as { data?: unknown } | null;
    return obj !== null && typeof obj === 'object' && 'data' in obj ? obj.data : reply.json;
  }
  const err = (reply.json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof err?.code === 'string' ? err.code : 'http_error';
  const message = typeof err?.message === 'string' ? err.message : reply.text.slice(0, 500) || 'no message';
  throw new GastownApiError(reply.status, code, message);
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
