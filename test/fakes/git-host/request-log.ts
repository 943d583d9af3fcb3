/**
 * What the fake git host remembers about traffic: every request (method, path, whether and which
 * credentials were sent, the JSON body, the answer's status) for assertions, and the queue of
 * canned failures (`{path_glob, status | 'malformed_json', count}`) tests use to simulate outages.
 * Control requests (`/__fake/*`) are neither recorded nor failed.
 */
import { globToRegExp } from '../worker-api/state.ts';

/** One request as the fake host saw it. */
export interface RecordedRequest {
  /** Arrival order, from 1. */
  seq: number;
  method: string;
  /** Decoded path, e.g. `/api/v3/repos/acme/app/pulls/1` or `/acme/app.git/info/refs`. */
  path: string;
  /** The query string without `?` (`''` when none). */
  query: string;
  /** True when an `Authorization` or `PRIVATE-TOKEN` header was sent. */
  auth_sent: boolean;
  /** The presented token (test tokens only), or null. */
  token: string | null;
  /** The parsed JSON body of an API request; null for git traffic, empty or non-JSON bodies. */
  body: unknown;
  /** The status answered; 0 until the answer is ready. */
  status: number;
}

/** A queued failure: the next `count` requests whose path matches `path_glob` get `status`. */
export interface QueuedFailure {
  /** `*` one path segment, `**` any; without a leading `/` it matches a path suffix. */
  path_glob: string;
  /** An HTTP status, or `malformed_json` for a 200 whose body is not JSON. */
  status: number | 'malformed_json';
  count: number;
  /** Only requests with this method (any when absent). */
  method?: string;
}

interface ArmedFailure {
  re: RegExp;
  failure: QueuedFailure;
  remaining: number;
}

/** Recorded requests and queued failures of one host. */
export class RequestLog {
  readonly requests: RecordedRequest[] = [];
  private failures: ArmedFailure[] = [];
  private seq = 0;

  record(entry: Omit<RecordedRequest, 'seq' | 'status'>): RecordedRequest {
    const rec: RecordedRequest = { ...entry, seq: ++this.seq, status: 0 };
    this.requests.push(rec);
    return rec;
  }

  queueFailure(failure: QueuedFailure): void {
    if (!Number.isInteger(failure.count) || failure.count < 1) throw new Error('fake git host: a queued failure needs count >= 1');
    this.failures.push({ re: globToRegExp(failure.path_glob), failure, remaining: failure.count });
  }

  /** The failure the next request to `path` must get (consumed), or null. */
  takeFailure(method: string, path: string): QueuedFailure | null {
    const armed = this.failures.find((f) => f.remaining > 0 && f.re.test(path) && (f.failure.method === undefined || f.failure.method.toUpperCase() === method));
    if (armed === undefined) return null;
    armed.remaining -= 1;
    this.failures = this.failures.filter((f) => f.remaining > 0);
    return armed.failure;
  }

  /** Requests whose path matches `pathGlob` (and `method` when given). */
  matching(pathGlob: string, method?: string): RecordedRequest[] {
    const re = globToRegExp(pathGlob);
    return this.requests.filter((r) => re.test(r.path) && (method === undefined || r.method === method.toUpperCase()));
  }

  /** Forgets every request and queued failure. */
  reset(): void {
    this.requests.length = 0;
    this.failures = [];
  }
}

/** The answer to a request hit by a queued failure. */
export function failureResponse(failure: QueuedFailure): Response {
  if (failure.status === 'malformed_json') return new Response('{"message": "truncated', { status: 200, headers: { 'content-type': 'application/json' } });
  return Response.json({ message: `fake git host: queued failure (${failure.status})` }, { status: failure.status });
}
