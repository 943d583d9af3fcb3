/**
 * State of the fake worker API: recorded requests, token sets, canned failures and overrides,
 * the stored registry, snapshots and events, the prime replies and the accepted `gt_done`
 * reports. Kept apart from the routes so tests can read it.
 */
import type { Context } from 'hono';
import type { Done, PrimeResult } from '../../../src/protocol/agent.ts';
import type { DrainStatus, MayorIdResult } from '../../../src/protocol/container.ts';

/** One request as the fake saw it (before auth and validation). */
export interface RecordedRequest {
  method: string;
  /** Full path, e.g. `/api/towns/<t>/rigs/<r>/agents/<a>/heartbeat`. */
  path: string;
  /** Parsed JSON body; null when empty or not JSON. */
  body: unknown;
  /** Raw body bytes of an octet-stream request. */
  raw: Uint8Array | null;
  /** The bearer token, or null. */
  auth: string | null;
}

/** An override: return a Response, or a value sent as `{data}` with 200. */
export type FakeHandler = (req: RecordedRequest, c: Context) => Response | Promise<Response> | { data: unknown; status?: number };

/** `*` matches within one path segment, `**` across segments; a glob not starting with `/` matches a path suffix. */
export function globToRegExp(glob: string): RegExp {
  const full = glob.startsWith('/') ? glob : `**/${glob}`;
  let re = '';
  for (let i = 0; i < full.length; i++) {
    const ch = full.charAt(i);
    if (ch === '*' && full.charAt(i + 1) === '*') {
      re += '.*';
      i++;
    } else if (ch === '*') {
      re += '[^/]*';
    } else {
      re += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

interface Failure {
  re: RegExp;
  status: number;
  remaining: number;
}

/** Everything the fake remembers. */
export class FakeState {
  readonly requests: RecordedRequest[] = [];
  readonly overrides: { re: RegExp; handler: FakeHandler }[] = [];
  readonly failures: Failure[] = [];
  /** Valid tokens per principal (`container` or an agent id); null = any bearer accepted. */
  readonly tokens = new Map<string, Set<string>>();
  readonly snapshots = new Map<string, Uint8Array>();
  readonly events = new Map<string, { type: string; data: unknown; at: string }[]>();
  registry: Record<string, unknown> = {};
  registryUpdatedAt: string | null = null;
  mayorId: MayorIdResult;
  drainStatus: DrainStatus = { draining: false, drain_nonce: null, drain_started_at: null };
  drainNonce: string | null = null;
  gitToken: string | null = 'ghs_fakegittoken0001';
  /** What `P/prime` answers per agent id (a default reply for agents not set). */
  readonly primes = new Map<string, PrimeResult>();
  /** Accepted `P/done` bodies per agent id, in arrival order. */
  readonly dones = new Map<string, Done[]>();
  #issued = 0;
  readonly #waiters: { pred: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }[] = [];

  constructor(mayorId: MayorIdResult) {
    this.mayorId = mayorId;
  }

  record(req: RecordedRequest): void {
    this.requests.push(req);
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const w = this.#waiters[i];
      if (w !== undefined && w.pred(req)) {
        this.#waiters.splice(i, 1);
        w.resolve(req);
      }
    }
  }

  /** Resolves with the first recorded request (past or future) matching `pred`. */
  waitFor(pred: (r: RecordedRequest) => boolean): Promise<RecordedRequest> {
    const seen = this.requests.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ pred, resolve }));
  }

  /** A canned failure status for `path`, consumed; null when none is pending. */
  takeFailure(path: string): number | null {
    for (const f of this.failures) {
      if (f.remaining > 0 && f.re.test(path)) {
        f.remaining -= 1;
        return f.status;
      }
    }
    return null;
  }

  override(path: string): FakeHandler | null {
    for (let i = this.overrides.length - 1; i >= 0; i--) {
      const o = this.overrides[i];
      if (o !== undefined && o.re.test(path)) return o.handler;
    }
    return null;
  }

  /** True when `token` is valid for `principal` (any bearer when the principal has no token set). */
  accepts(principal: string, token: string | null): boolean {
    if (token === null) return false;
    const set = this.tokens.get(principal);
    return set === undefined || set.has(token);
  }

  /** A fresh JWT-shaped token for `principal`, now valid alongside the older ones. */
  issue(principal: string): string {
    this.#issued += 1;
    const token = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ p: principal, n: this.#issued })).toString('base64url')}.fakesig${this.#issued}`;
    const set = this.tokens.get(principal);
    if (set !== undefined) set.add(token);
    return token;
  }
}
