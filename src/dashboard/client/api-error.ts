/**
 * API failures as the dashboard shows them: `ApiError` carries the envelope of `http-api.md`
 * §1.1 (status, code, message, details) and a readable sentence for the page; `issuesOf` reads
 * a `validation_failed` error's issues so forms can put each message next to its field. Pure.
 */
import { ErrorEnvelope } from '../../protocol/common.ts';

/** One zod issue as the API reports it (`details.issues`) or the client's own check finds it. */
export interface FieldIssue {
  path: (string | number)[];
  message: string;
}

/** A failed API call (or a failure to reach the API: status 0). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | null = null,
  ) {
    super(message);
  }
}

/** The ApiError for a non-2xx response with `body` (parsed JSON, or null when it was not JSON). */
export function apiErrorFrom(status: number, body: unknown): ApiError {
  const parsed = ErrorEnvelope.safeParse(body);
  if (parsed.success) {
    const e = parsed.data.error;
    return new ApiError(status, e.code, e.message, e.details ?? null);
  }
  return new ApiError(status, 'unexpected_response', `The server answered ${status} without an error message.`);
}

/** The ApiError for a request that never got an answer. */
export function networkError(): ApiError {
  return new ApiError(0, 'network', 'Could not reach the Gastown server. Check that it is running, then try again.');
}

const ADVICE: Readonly<Record<string, string>> = {
  unauthorized: 'Please sign in again.',
  forbidden: 'This town belongs to another user.',
  rate_limited: 'Wait a moment before trying again.',
  container_draining: 'The town container is restarting; try again in a minute.',
  container_unavailable: 'The town container could not be reached; try again in a minute.',
  unavailable: 'The service is busy; try again in a moment.',
};

/** One readable sentence (or two) for an error, for a banner next to the action that failed. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const advice = ADVICE[error.code];
    const issues = issuesOf(error);
    const first = issues[0];
    const detail = first !== undefined && !error.message.includes(first.message) ? ` ${labelOfPath(first.path)}: ${first.message}.` : '';
    return [error.message + detail, advice].filter((s) => s !== undefined && s !== '').join(' ');
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The issues of a `validation_failed` error (empty for any other error). */
export function issuesOf(error: unknown): FieldIssue[] {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed' || error.details === null) return [];
  const issues = error.details.issues;
  if (!Array.isArray(issues)) return [];
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    if (typeof issue !== 'object' || issue === null) continue;
    const path: unknown = Reflect.get(issue, 'path');
    const message: unknown = Reflect.get(issue, 'message');
    if (!Array.isArray(path) || typeof message !== 'string') continue;
    out.push({ path: path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number'), message });
  }
  return out;
}

/** `["refinery","gates",0]` → `refinery.gates[0]`. */
export function labelOfPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return 'value';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
