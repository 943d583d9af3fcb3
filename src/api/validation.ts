/**
 * Body and query validation: the JSON body is parsed once (400 `invalid_json`), then
 * `@hono/zod-validator` checks it; failures become 400 `validation_failed` listing issue paths
 * and codes (`http-api.md` §1.2). Messages name fields, never echo values.
 */
import { zValidator, type Hook } from '@hono/zod-validator';
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { BadRequest, ValidationFailed } from '../errors.ts';
import type { AppEnv } from './app-env.ts';

/** The part of a zod error this module reads. */
type ZodIssues = { issues: readonly z.core.$ZodIssue[] };
type WireIssue = { path: (string | number)[]; code: string; message: string };

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Maps zod issues to the wire form. Zod reports unknown keys as one issue on the enclosing
 * object; here each key becomes its own issue whose path ends with that key, so a client can
 * point at the offending field.
 */
export function wireIssues(error: ZodIssues): WireIssue[] {
  return error.issues.flatMap((i): WireIssue[] => {
    const path = i.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (i.code === 'unrecognized_keys') return i.keys.map((key) => ({ path: [...path, key], code: i.code, message: `Unrecognized key: "${key}"` }));
    return [{ path, code: i.code, message: i.message }];
  });
}

function describe(location: 'body' | 'query', error: ZodIssues): string {
  const issues = wireIssues(error);
  const first = issues[0];
  const where = first === undefined || first.path.length === 0 ? location : first.path.map(String).join('.');
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `Invalid ${location}: ${where}: ${first?.message ?? 'invalid'}${more}.`;
}

/**
 * Parses the body read by the guard: empty → `{}`; a non-JSON content type or bad JSON → 400.
 * The parsed value is placed in Hono's body cache, where the validator reads it.
 */
export function parseJsonBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const text = c.get('rawBody');
    const type = (c.req.header('Content-Type') ?? '').split(';')[0]?.trim() ?? '';
    if (text.trim() === '') {
      // Hono's json() parses the cached *text* (a promise at run time, typed as the string), so
      // both caches must say `{}`.
      (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve('{}');
      c.req.bodyCache.json = Promise.resolve({});
    } else {
      if (!JSON_TYPE.test(type)) throw new BadRequest('invalid_json', 'The body must be JSON sent with Content-Type: application/json.');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new BadRequest('invalid_json', 'The request body is not valid JSON.');
      }
      c.req.bodyCache.json = Promise.resolve(parsed);
    }
    await next();
  };
}

/** Validates the JSON body with `schema`. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  const hook: Hook<z.infer<T>, AppEnv, string, 'json', object, T> = (result) => {
    if (!result.success) throw new ValidationFailed(describe('body', result.error), wireIssues(result.error), 'body');
  };
  return zValidator<T, 'json', AppEnv, string, typeof hook>('json', schema, hook);
}

/** Validates the query string with `schema`. */
export function queryOf<T extends z.ZodType>(schema: T) {
  const hook: Hook<z.infer<T>, AppEnv, string, 'query', object, T> = (result) => {
    if (!result.success) throw new ValidationFailed(describe('query', result.error), wireIssues(result.error), 'query');
  };
  return zValidator<T, 'query', AppEnv, string, typeof hook>('query', schema, hook);
}
