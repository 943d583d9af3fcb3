/**
 * The one HTTP call shape of the git-hosting clients: a JSON request through an injected `fetch`
 * with a timeout and no redirect following (a token must never follow a redirect to another
 * host), classified into data validated by a zod schema, an HTTP error (status 0 = network error
 * or timeout; `transient` for ≥ 500, 429 and 0) or an invalid response (`json_parse` /
 * `schema_mismatch`). Used by `github-pulls.ts`, `github-feedback.ts` and `gitlab-mrs.ts`.
 */
import type { z } from 'zod';
import { redactTokenLike } from './token-chain.ts';

/** `fetch` as the clients need it; the worker's global `fetch`, a service binding, or a stub. */
export type ScmFetch = (url: string, init: RequestInit) => Promise<Response>;

/** Per-request timeout of every git-host API call (`scm.md` §4). */
export const SCM_REQUEST_TIMEOUT_MS = 10_000;

/** Options every client call takes. */
export interface ScmCallOptions {
  /** Defaults to `SCM_REQUEST_TIMEOUT_MS`. */
  timeout_ms?: number;
  /** Epoch ms (the effect's deadline): a call never runs past it, whatever `timeout_ms` says. */
  deadline?: number;
}

/** The time one call may take: `timeout_ms`, cut to what is left before `deadline` (never negative). */
export function callTimeoutMs(opts: ScmCallOptions, now: number): number {
  const timeout = opts.timeout_ms ?? SCM_REQUEST_TIMEOUT_MS;
  return opts.deadline === undefined ? timeout : Math.max(0, Math.min(timeout, opts.deadline - now));
}

/** A classified HTTP failure. */
export interface HttpFailure {
  ok: false;
  kind: 'http_error';
  /** 0 = network error or timeout. */
  status: number;
  transient: boolean;
  /** The host's error message (`{message}` of GitHub/GitLab), redacted and cut; for error texts. */
  message: string;
}

/** A body that was not JSON or did not match the schema. */
export interface InvalidResponse {
  ok: false;
  kind: 'invalid_response';
  reason: 'json_parse' | 'schema_mismatch';
  /** The (2xx) status the body came with. */
  status: number;
  /** First schema issue (path and message), for error texts; never body content. */
  message: string;
}

export type HttpJsonResult<T> = { ok: true; status: number; data: T } | HttpFailure | InvalidResponse;

/** ≥ 500, 429 and 0 (network error, timeout) are worth retrying. */
export function isTransientStatus(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}

const MAX_MESSAGE = 200;

async function errorMessage(response: Response): Promise<string> {
  try {
    const text = await response.text();
    let message = text;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') message = parsed.message;
    } catch {
      // not JSON: keep the text
    }
    return redactTokenLike(message.replace(/\s+/g, ' ').trim().slice(0, MAX_MESSAGE));
  } catch {
    return '';
  }
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'schema mismatch';
  const path = issue.path.map(String).join('.');
  return `${path === '' ? '(root)' : path}: ${issue.message}`.slice(0, MAX_MESSAGE);
}

class ScmTimeout extends Error {
  override readonly name = 'ScmTimeout';
}

/**
 * Sends one request; 2xx bodies are parsed as JSON and validated by `schema`. The timeout covers
 * the whole call, body included. Never throws: a network error, timeout or thrown `fetch` is
 * `http_error` with status 0.
 */
export async function requestJson<S extends z.ZodType>(
  fetch: ScmFetch,
  url: string,
  init: RequestInit,
  schema: S,
  opts: ScmCallOptions = {},
): Promise<HttpJsonResult<z.infer<S>>> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ScmTimeout());
    }, callTimeoutMs(opts, Date.now()));
  });
  try {
    return await Promise.race([exchange(fetch, url, { ...init, redirect: 'manual', signal: controller.signal }, schema), timeout]);
  } catch (e) {
    return { ok: false, kind: 'http_error', status: 0, transient: true, message: e instanceof ScmTimeout ? 'timed out' : 'network error' };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

async function exchange<S extends z.ZodType>(fetch: ScmFetch, url: string, init: RequestInit, schema: S): Promise<HttpJsonResult<z.infer<S>>> {
  const response = await fetch(url, init);
  if (response.status < 200 || response.status >= 300) {
    const message = await errorMessage(response);
    return { ok: false, kind: 'http_error', status: response.status, transient: isTransientStatus(response.status), message };
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, kind: 'invalid_response', reason: 'json_parse', status: response.status, message: 'the body is not JSON' };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, kind: 'invalid_response', reason: 'schema_mismatch', status: response.status, message: describeIssue(parsed.error) };
  return { ok: true, status: response.status, data: parsed.data };
}

/** One line describing a failed call, for `error` texts (`HTTP 409: Head branch was modified`). */
export function describeFailure(failure: HttpFailure | InvalidResponse): string {
  if (failure.kind === 'invalid_response') return `unexpected response (${failure.reason}: ${failure.message})`;
  if (failure.status === 0) return failure.message === '' ? 'network error' : failure.message;
  return failure.message === '' ? `HTTP ${failure.status}` : `HTTP ${failure.status}: ${failure.message}`;
}
