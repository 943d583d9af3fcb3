/**
 * Structured JSON logging. Every line carries the request's tags (route, request_id, caller
 * and id params, `http-api.md` §5) when written inside a request, through AsyncLocalStorage.
 * Callers pass ids and codes, never bodies, tokens or secrets.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Tags of the running request. */
export type RequestTags = Record<string, string>;

const requestScope = new AsyncLocalStorage<RequestTags>();

/** Runs `fn` with `tags` attached to every log line written inside it. */
export function withRequestTags<T>(tags: RequestTags, fn: () => T): T {
  return requestScope.run(tags, fn);
}

/** The tags of the running request (a live object: route middleware adds to it). */
export function currentTags(): RequestTags | undefined {
  return requestScope.getStore();
}

/** Writes one JSON line: `{level, msg, ...tags, ...fields}`. */
export function logLine(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg, ...currentTags(), ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
