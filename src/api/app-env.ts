/**
 * The Hono environment of the worker: bindings plus what the request pipeline attaches —
 * request id, route tags, the authenticated caller.
 */
import type { Env } from '../env.ts';
import type { RequestTags } from '../observability/log.ts';
import type { AgentClaims, ContainerClaims } from '../auth/claims.ts';

export type Caller =
  | { kind: 'none' }
  | { kind: 'user'; sub: string; admin: boolean }
  | { kind: 'admin'; sub: string }
  | { kind: 'agent'; claims: AgentClaims }
  | { kind: 'container'; claims: ContainerClaims };

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    tags: RequestTags;
    caller: Caller;
    /** The raw request body text, read once under the route's size limit. */
    rawBody: string;
    /** The body of a `bodyKind: 'bytes'` route, read under its limit; null on every other route. */
    rawBytes: Uint8Array | null;
  };
}

/** The `actor` recorded on writes (`domain.md` §9). */
export function actorOf(caller: Caller): string {
  switch (caller.kind) {
    case 'user':
      return `user:${caller.sub}`;
    case 'admin':
      return `admin:${caller.sub}`;
    case 'agent':
      return `agent:${caller.claims.agentId}`;
    case 'container':
    case 'none':
      return 'system';
  }
}
