/**
 * The local launcher's HTTP routes (`container.md` §11), the `LocalTownContainerDO` transport:
 * `POST /towns/:townId/start {env}`, `POST /towns/:townId/stop {signal?}`, `GET /towns/:townId`,
 * and the proxy `ANY /towns/:townId/c/*` → the town's control server (method, headers incl. the
 * control secret, body). Loopback only; `{data}` / `{error}` envelopes as `http-api.md` §1.1.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { Logger } from '../redact.ts';
import type { LauncherTimings } from './launcher-timings.ts';
import { TownStartError } from './town-process.ts';
import { TownBusyError } from './towns.ts';
import type { Towns } from './towns.ts';

/** A town id as a path segment (`container.md` §9.2): a UUID or `[A-Za-z0-9._-]{1,128}`, never `.`/`..`. */
export const TOWN_ID = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,128}$/;

/** `POST /towns/:townId/start`: §1's boot env; only `GASTOWN_*` keys, the control secret required. */
export const TownStartBody = z
  .object({
    env: z.record(z.string().regex(/^GASTOWN_[A-Z0-9_]{1,64}$/, 'only GASTOWN_* variables'), z.string().max(16_384)),
  })
  .refine((b) => (b.env.GASTOWN_CONTROL_SECRET ?? '') !== '', { path: ['env', 'GASTOWN_CONTROL_SECRET'], message: 'required' });

/** `POST /towns/:townId/stop`: SIGTERM (drain) by default, SIGKILL to destroy, SIGINT for the fast local exit. */
export const TownStopBody = z.object({ signal: z.enum(['SIGTERM', 'SIGINT', 'SIGKILL']).default('SIGTERM') });

/** Headers that describe one hop, never forwarded either way. */
const HOP_HEADERS = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'content-length']);

function fail(c: Context, status: ContentfulStatusCode, code: string, message: string, details?: unknown): Response {
  return c.json({ error: details === undefined ? { code, message } : { code, message, details } }, status);
}

async function jsonBody(c: Context): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const text = await c.req.text();
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: fail(c, 400, 'invalid_json', 'The request body is not valid JSON.') };
  }
}

function invalid(c: Context, error: z.ZodError): Response {
  const issues = error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), code: i.code, message: i.message }));
  return fail(c, 400, 'validation_failed', 'The request body is invalid.', { location: 'body', issues });
}

/** What the routes need. */
export interface LauncherAppDeps {
  towns: Towns;
  timings: LauncherTimings;
  log: Logger;
}

/** Builds the launcher's Hono app. */
export function createLauncherApp({ towns, timings, log }: LauncherAppDeps): Hono {
  const app = new Hono();

  app.use('/towns/:townId/*', async (c, next) => {
    if (!TOWN_ID.test(c.req.param('townId') ?? '')) return fail(c, 400, 'invalid_id', 'The town id is not a valid path id.', { param: 'townId' });
    await next();
    return undefined;
  });

  app.get('/health', (c) => c.json({ data: { status: 'ok' } }));

  app.post('/towns/:townId/start', async (c) => {
    const townId = c.req.param('townId');
    const body = await jsonBody(c);
    if (!body.ok) return body.response;
    const parsed = TownStartBody.safeParse(body.value);
    if (!parsed.success) return invalid(c, parsed.error);
    const given = parsed.data.env.GASTOWN_TOWN_ID;
    if (given !== undefined && given !== townId) return fail(c, 400, 'validation_failed', 'GASTOWN_TOWN_ID differs from the path.', { location: 'body', issues: [{ path: ['env', 'GASTOWN_TOWN_ID'], code: 'custom', message: 'differs from the path' }] });
    try {
      const started = await towns.start(townId, parsed.data.env);
      return c.json({ data: { started: true, port: started.port, pid: started.pid, already_running: started.alreadyRunning } });
    } catch (err) {
      if (err instanceof TownBusyError) return fail(c, 409, 'conflict', err.message);
      if (err instanceof TownStartError) {
        log.warn('town.start_failed', { town_id: townId, phase: err.phase, exit_code: err.exitCode, error: err.message });
        return fail(c, 500, 'start_failed', err.message.split('\n')[0] ?? 'start failed', { phase: err.phase, exit_code: err.exitCode, output_tail: err.message.slice(-2000) });
      }
      log.error('town.start_error', { town_id: townId, error: err });
      return fail(c, 500, 'internal_error', 'The launcher failed to start the town.');
    }
  });

  app.post('/towns/:townId/stop', async (c) => {
    const townId = c.req.param('townId');
    const body = await jsonBody(c);
    if (!body.ok) return body.response;
    const parsed = TownStopBody.safeParse(body.value);
    if (!parsed.success) return invalid(c, parsed.error);
    const stopped = towns.stop(townId, parsed.data.signal);
    if (stopped === null) return fail(c, 404, 'not_found', `Town ${townId} has no running control server.`);
    return c.json({ data: { stopping: true, pid: stopped.pid, signal: parsed.data.signal } }, 202);
  });

  app.get('/towns/:townId', (c) => {
    const townId = c.req.param('townId');
    const town = towns.describe(townId);
    if (town === null) return fail(c, 404, 'not_found', `Town ${townId} has no running control server.`);
    return c.json({ data: { town_id: townId, running: true, ...town } });
  });

  app.all('/towns/:townId/c/*', async (c) => {
    const townId = c.req.param('townId');
    const port = towns.portOf(townId);
    if (port === null) return fail(c, 404, 'not_found', `Town ${townId} has no running control server.`);
    const url = new URL(c.req.url);
    const prefix = `/towns/${townId}/c`;
    const target = `http://127.0.0.1:${port}${url.pathname.slice(prefix.length) || '/'}${url.search}`;
    const headers = new Headers();
    c.req.raw.headers.forEach((value, key) => {
      if (!HOP_HEADERS.has(key.toLowerCase())) headers.set(key, value);
    });
    const method = c.req.method;
    const body = method === 'GET' || method === 'HEAD' ? undefined : await c.req.arrayBuffer();
    let upstream: Response;
    try {
      upstream = await fetch(target, {
        method,
        headers,
        ...(body === undefined || body.byteLength === 0 ? {} : { body }),
        signal: AbortSignal.any([c.req.raw.signal, AbortSignal.timeout(timings.proxyTimeoutMs)]),
      });
    } catch (err) {
      log.warn('town.proxy_failed', { town_id: townId, method, path: url.pathname, error: err });
      return fail(c, 503, 'container_unavailable', `Town ${townId}'s control server could not be reached.`);
    }
    const out = new Headers();
    upstream.headers.forEach((value, key) => {
      if (!HOP_HEADERS.has(key.toLowerCase()) && key.toLowerCase() !== 'content-encoding') out.set(key, value);
    });
    return new Response(upstream.body, { status: upstream.status, headers: out });
  });

  app.notFound((c) => fail(c, 404, 'not_found', 'No route matches this method and path.'));
  app.onError((err, c) => {
    log.error('launcher.internal_error', { path: c.req.path, error: err });
    return fail(c, 500, 'internal_error', 'The launcher failed to handle this request.');
  });
  return app;
}
