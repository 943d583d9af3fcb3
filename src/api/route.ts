/**
 * `route()`: the one way routes are declared (`http-api.md` §5). It records the route in the
 * route table, then runs the fixed order of checks of §1.3 — tags from the matched params →
 * body size (413) → credential (401) → path id syntax (400) → town scope (404/403) → rate limit
 * (429) → JSON and zod validation (400) — before the handler.
 */
import type { Context, Handler, Hono, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { UUID_PATTERN } from '../protocol/common.ts';
import { BadRequest, Forbidden, NotFound } from '../errors.ts';
import { RATE_RULES, rateKey, type RateRuleName, type RateScope } from '../rate-limit/rules.ts';
import { unwrap } from '../town/rpc-result.ts';
import type { AppEnv } from './app-env.ts';
import { authenticate, requireAdmin, type AuthKind } from './authenticate.ts';
import { checkTokenScope } from './token-scope.ts';
import type { AgentRole } from '../protocol/common.ts';
import { townStub } from './town-stub.ts';
import { jsonBody, parseJsonBody, queryOf } from './validation.ts';
import { limitBody } from './body-limit.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Default JSON body limit (`http-api.md` §6). */
export const DEFAULT_BODY_LIMIT = 256 * 1024;

export interface RouteOptions<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  auth: AuthKind;
  body?: B;
  query?: Q;
  bodyLimit?: number;
  rateLimit?: { rule: RateRuleName; scope: RateScope };
  /** Agent routes: the roles allowed (any other is a 403); absent = every role. */
  roles?: readonly AgentRole[];
  /** `bytes`: the body is raw octets (`db-snapshot` PUT), read into `rawBytes`; default JSON. */
  bodyKind?: 'json' | 'bytes';
}

export interface RouteEntry {
  method: Method;
  pattern: string;
  auth: AuthKind;
}

type In<B, Q> = (B extends z.ZodType ? { in: { json: z.input<B> }; out: { json: z.output<B> } } : object) &
  (Q extends z.ZodType ? { in: { query: Record<string, string> }; out: { query: z.output<Q> } } : object);

export type RouteContext<P extends string, B, Q> = Context<AppEnv, P, In<B, Q>>;

/** A path param named `<x>Id`, lowercased; its syntax was checked by the guard. */
export function pathId(c: Context<AppEnv>, name: string): string {
  const value = c.req.param(name);
  if (value === undefined) throw new Error(`route has no :${name} param`);
  return value.toLowerCase();
}

function tagParams(c: Context<AppEnv>, method: Method, pattern: string): void {
  const tags = c.get('tags');
  tags.route = `${method} ${pattern}`;
  for (const [name, value] of Object.entries(c.req.param() as Record<string, string>)) {
    if (name.endsWith('Id')) tags[name] = value.toLowerCase();
  }
}

function guard(method: Method, pattern: string, opts: RouteOptions<z.ZodType | undefined, z.ZodType | undefined>): MiddlewareHandler<AppEnv>[] {
  const limit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  return [
    async (c, next) => {
      tagParams(c, method, pattern);
      await next();
    },
    limitBody(limit),
    async (c, next) => {
      // Read the body under the limit now, so an oversized body is a 413 before anything else.
      const hasBody = method !== 'GET' && method !== 'DELETE';
      const bytes = opts.bodyKind === 'bytes';
      c.set('rawBytes', hasBody && bytes ? new Uint8Array(await c.req.arrayBuffer()) : null);
      c.set('rawBody', hasBody && !bytes ? await c.req.text() : '');
      const caller = await authenticate(c, opts.auth, Date.now());
      c.set('caller', caller);
      const tags = c.get('tags');
      tags.caller_kind = caller.kind;
      if (caller.kind === 'user' || caller.kind === 'admin') tags.caller_id = caller.sub;
      if (caller.kind === 'agent') tags.caller_id = caller.claims.agentId.toLowerCase();
      for (const [name, value] of Object.entries(c.req.param() as Record<string, string>)) {
        if (name.endsWith('Id') && !UUID_PATTERN.test(value)) {
          throw new BadRequest('invalid_id', `The path parameter ${name} must be a UUID.`, { param: name });
        }
      }
      if (opts.auth === 'user-town' && caller.kind === 'user') {
        const check = await townStub(c.env, pathId(c, 'townId')).authorize(caller.sub);
        if (check === 'not_found') throw new NotFound('town', pathId(c, 'townId'));
        if (check === 'forbidden') throw new Forbidden('You do not own this town.');
      }
      if (opts.auth === 'admin-town') {
        requireAdmin(caller);
        // Debug routes work on any town; ownership is not checked, existence is.
        const check = await townStub(c.env, pathId(c, 'townId')).authorize('');
        if (check === 'not_found') throw new NotFound('town', pathId(c, 'townId'));
      }
      await checkTokenScope(c, opts.auth, caller, opts.roles);
      if (opts.rateLimit !== undefined) {
        const scope = opts.rateLimit.scope;
        const id = scope === 'user' && caller.kind === 'user' ? caller.sub : scope === 'agent' ? pathId(c, 'agentId') : pathId(c, 'townId');
        const key = rateKey(opts.rateLimit.scope, id, opts.rateLimit.rule);
        unwrap(await townStub(c.env, pathId(c, 'townId')).checkRateLimit(key, RATE_RULES[opts.rateLimit.rule]));
      }
      await next();
    },
    ...(opts.bodyKind === 'bytes' ? [] : [parseJsonBody()]),
  ];
}

/** The declared routes, for the route-table test and `docs/api.md`. */
export class RouteTable {
  readonly entries: RouteEntry[] = [];
  constructor(readonly app: Hono<AppEnv>) {}

  route<P extends string, B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
    method: Method,
    pattern: P,
    opts: RouteOptions<B, Q>,
    handler: (c: RouteContext<P, B, Q>) => Response | Promise<Response>,
  ): void {
    this.entries.push({ method, pattern, auth: opts.auth });
    const validators: MiddlewareHandler<AppEnv>[] = [];
    if (opts.query !== undefined) validators.push(queryOf(opts.query));
    if (opts.body !== undefined) validators.push(jsonBody(opts.body));
    // The validators above make `c.req.valid()` match `In<B, Q>`; Hono cannot infer that
    // through a generic helper, so the handler's context type is asserted once here.
    const typed = handler as unknown as Handler<AppEnv>;
    const chain: Handler<AppEnv>[] = [...guard(method, pattern, opts), ...validators, typed];
    const path: string = pattern;
    this.app.on(method, [path], ...chain);
  }
}
