/**
 * The demo's HTTP client for the worker: JSON in, `{data}` out, an `ApiError` naming the route,
 * status and error code otherwise; and a retry helper for calls that may wait on a cold
 * container start.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const REQUEST_TIMEOUT_MS = 15_000;

export class ApiError extends Error {
  constructor(method, path, status, body) {
    const err = body && typeof body === 'object' && body.error ? body.error : null;
    super(`${method} ${path} → ${status}${err ? ` ${err.code}: ${err.message}` : ''}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = err?.code ?? null;
  }
}

/**
 * `api(method, path, body?, {auth, timeoutMs})` against `base`. `token.value` is sent as the
 * bearer token unless `auth: false` (/debug answers an unauthenticated localhost request in
 * development, and refuses a non-admin token).
 */
export function apiClient(base, token) {
  return async function api(method, path, body, { auth = true, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
    const headers = { Accept: 'application/json' };
    if (auth && token.value) headers.Authorization = `Bearer ${token.value}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (!res.ok) throw new ApiError(method, path, res.status, parsed);
    return parsed?.data;
  };
}

/** True for failures worth another try: the container starting or busy, a rate limit, a network error. */
export function isRetryable(error) {
  if (error instanceof ApiError) return error.status === 503 || error.status === 429 || error.status === 502;
  return true;
}

/** `call()` until it succeeds, a non-retryable error, or `deadline`; says why it retries (once per reason). */
export async function withRetries(call, { deadline, say, pauseMs }) {
  let last = '';
  for (;;) {
    try {
      return await call();
    } catch (e) {
      if (!isRetryable(e) || Date.now() + pauseMs >= deadline) throw e;
      const message = e instanceof Error ? e.message : String(e);
      if (message !== last) say(`retrying: ${message}`);
      last = message;
      await sleep(pauseMs);
    }
  }
}
