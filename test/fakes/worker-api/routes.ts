/**
 * Routes of the fake worker API: the P routes of `http-api.md` §4.3 the control server and the
 * plugin's rig tools call (prime, done, escalations, request-changes, mail/check), the C routes of
 * §4.5 and `refresh-git-token`, with bodies validated by the shared protocol
 * schemas (400 `validation_failed` on a mismatch) and bearer tokens checked per principal.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { z } from 'zod';
import {
  AgentEventsBatch,
  Completed,
  Done,
  EscalationCreate,
  EvictionContext,
  Heartbeat,
  NudgeDelivered,
  RequestChanges,
  Waiting,
} from '../../../src/protocol/agent.ts';
import {
  ContainerEviction,
  ContainerReady,
  ContainerTelemetryEvents,
  MergeResultReport,
  RegistryPut,
} from '../../../src/protocol/container.ts';
import { fakeBead, fakeEscalation, fakePrime } from './records.ts';
import type { FakeState, RecordedRequest } from './state.ts';

type Env = { Variables: { rec: RecordedRequest } };
type C = Context<Env>;

const P = '/api/towns/:townId/rigs/:rigId/agents/:agentId';
const CP = '/api/towns/:townId/container';
const HOUR = 3_600_000;

function fail(c: C, status: 400 | 401 | 403 | 404 | 409 | 500 | 503, code: string, message: string, details?: unknown): Response {
  return c.json({ error: { code, message, ...(details === undefined ? {} : { details }) } }, status);
}

function ok(c: C, data: unknown, status: 200 | 201 = 200): Response {
  return c.json({ data }, status);
}

/** The request's body through `schema`, or a 400 response. */
function valid<S extends z.ZodType>(c: C, schema: S): z.infer<S> | Response {
  const parsed = schema.safeParse(c.get('rec').body ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path, code: i.code, message: i.message }));
  return fail(c, 400, 'validation_failed', 'The body does not match the schema.', { location: 'body', issues });
}

function tokenResult(token: string): { token: string; expires_at: string } {
  return { token, expires_at: new Date(Date.now() + 8 * HOUR).toISOString() };
}

/** Mounts every route on a new app; `townId` is the only town that exists. */
export function buildRoutes(state: FakeState, townId: string): Hono<Env> {
  const app = new Hono<Env>();

  app.use('*', async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    let body: unknown = null;
    if (!type.includes('octet-stream') && bytes.length > 0) {
      try {
        body = JSON.parse(Buffer.from(bytes).toString('utf8'));
      } catch {
        body = null;
      }
    }
    const auth = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? null;
    const rec: RecordedRequest = { method: c.req.method, path: c.req.path, body, raw: type.includes('octet-stream') ? bytes : null, auth };
    c.set('rec', rec);
    state.record(rec);
    const failure = state.takeFailure(rec.path);
    if (failure !== null) {
      const code = failure === 401 ? 'unauthorized' : failure === 404 ? 'not_found' : failure === 429 ? 'rate_limited' : `http_${failure}`;
      return c.json({ error: { code, message: `Injected failure ${failure}.` } }, failure as 400);
    }
    const handler = state.override(rec.path);
    if (handler !== null) {
      const out = await handler(rec, c);
      return out instanceof Response ? out : c.json({ data: out.data }, (out.status ?? 200) as 200);
    }
    await next();
  });

  // Town, then credential, per http-api.md §1.3 (wrong town → 404 like a deleted town).
  const guard = (principal: (c: C) => string) => async (c: C, next: () => Promise<void>) => {
    if (c.req.param('townId') !== townId) return fail(c, 404, 'not_found', 'No such town.');
    if (!state.accepts(principal(c), c.get('rec').auth)) {
      return fail(c, 401, 'unauthorized', 'Missing or invalid credential.', { reason: 'bad_signature' });
    }
    await next();
  };
  app.use(`${P}/*`, guard((c) => c.req.param('agentId') ?? ''));
  app.use(`${CP}/*`, guard(() => 'container'));
  app.use('/api/towns/:townId/rigs/:rigId/refresh-git-token', guard(() => 'container'));

  app.post(`${P}/heartbeat`, (c) => {
    const b = valid(c, Heartbeat);
    return b instanceof Response ? b : ok(c, { drain_nonce: state.drainNonce });
  });
  app.post(`${P}/events`, (c) => {
    const b = valid(c, AgentEventsBatch);
    if (b instanceof Response) return b;
    const list = state.events.get(c.req.param('agentId')) ?? [];
    list.push(...b.events);
    state.events.set(c.req.param('agentId'), list);
    return ok(c, { appended: b.events.length, last_seq: list.length });
  });
  app.post(`${P}/completed`, (c) => {
    const b = valid(c, Completed);
    return b instanceof Response ? b : ok(c, { accepted: true });
  });
  app.post(`${P}/waiting`, (c) => {
    const b = valid(c, Waiting);
    return b instanceof Response ? b : ok(c, { accepted: true });
  });
  app.post(`${P}/eviction-context`, (c) => {
    const b = valid(c, EvictionContext);
    return b instanceof Response ? b : ok(c, { accepted: true });
  });
  app.get(`${P}/pending-nudges`, (c) => ok(c, []));
  app.post(`${P}/nudge-delivered`, (c) => {
    const b = valid(c, NudgeDelivered);
    return b instanceof Response ? b : ok(c, { delivered: true });
  });
  // Rig tools of the plugin (tools.md §4), so a real kilo + plugin session can run against the fake.
  app.post(`${P}/prime`, (c) => {
    const agentId = c.req.param('agentId');
    return ok(c, state.primes.get(agentId) ?? fakePrime(agentId, c.req.param('rigId')));
  });
  app.post(`${P}/done`, (c) => {
    const b = valid(c, Done);
    if (b instanceof Response) return b;
    const agentId = c.req.param('agentId');
    state.dones.set(agentId, [...(state.dones.get(agentId) ?? []), b]);
    return ok(c, { accepted: true });
  });
  app.post(`${P}/escalations`, (c) => {
    const b = valid(c, EscalationCreate);
    return b instanceof Response ? b : ok(c, fakeEscalation(randomUUID(), c.req.param('agentId'), b), 201);
  });
  app.post(`${P}/request-changes`, (c) => {
    const b = valid(c, RequestChanges);
    if (b instanceof Response) return b;
    const rework = fakeBead({ id: randomUUID(), rig_id: c.req.param('rigId'), title: 'Rework requested by the refinery', body: b.feedback, labels: ['gt:rework'] });
    return ok(c, { rework_bead: rework }, 201);
  });
  app.post(`${P}/mail/check`, (c) => ok(c, []));
  app.post(`${P}/refresh-token`, (c) => ok(c, tokenResult(state.issue(c.req.param('agentId')))));
  app.get(`${P}/db-snapshot`, (c) => {
    const bytes = state.snapshots.get(c.req.param('agentId'));
    if (bytes === undefined) return fail(c, 404, 'not_found', 'No snapshot stored.');
    return new Response(bytes, { status: 200, headers: { 'content-type': 'application/octet-stream' } });
  });
  app.put(`${P}/db-snapshot`, (c) => {
    const raw = c.get('rec').raw ?? new Uint8Array();
    state.snapshots.set(c.req.param('agentId'), raw);
    return ok(c, { bytes: raw.length, sha256: createHash('sha256').update(raw).digest('hex') });
  });
  app.delete(`${P}/db-snapshot`, (c) => {
    if (!state.snapshots.delete(c.req.param('agentId'))) return fail(c, 404, 'not_found', 'No snapshot stored.');
    return ok(c, { deleted: true });
  });

  app.get(`${CP}/registry`, (c) => ok(c, { registry: state.registry, updated_at: state.registryUpdatedAt }));
  app.put(`${CP}/registry`, (c) => {
    const b = valid(c, RegistryPut);
    if (b instanceof Response) return b;
    state.registry = b.registry;
    state.registryUpdatedAt = new Date().toISOString();
    return ok(c, { updated_at: state.registryUpdatedAt });
  });
  app.get(`${CP}/mayor-id`, (c) => ok(c, state.mayorId));
  app.get(`${CP}/drain-status`, (c) => ok(c, state.drainStatus));
  app.post(`${CP}/eviction`, (c) => {
    const b = valid(c, ContainerEviction);
    if (b instanceof Response) return b;
    const nonce = state.drainStatus.drain_nonce ?? `nonce-${Date.now()}`;
    state.drainStatus = { draining: true, drain_nonce: nonce, drain_started_at: new Date().toISOString() };
    return ok(c, { drain_nonce: nonce });
  });
  app.post(`${CP}/ready`, (c) => {
    const b = valid(c, ContainerReady);
    if (b instanceof Response) return b;
    if (b.nonce !== state.drainStatus.drain_nonce) return fail(c, 409, 'nonce_mismatch', 'Wrong drain nonce.');
    state.drainStatus = { draining: false, drain_nonce: null, drain_started_at: null };
    return ok(c, { draining: false });
  });
  app.post(`${CP}/events`, (c) => {
    const b = valid(c, ContainerTelemetryEvents);
    return b instanceof Response ? b : ok(c, { accepted: b.events.length });
  });
  app.post(`${CP}/merge-result`, (c) => {
    const b = valid(c, MergeResultReport);
    return b instanceof Response ? b : ok(c, { accepted: true });
  });
  app.post(`${CP}/refresh-token`, (c) => ok(c, tokenResult(state.issue('container'))));
  app.post('/api/towns/:townId/rigs/:rigId/refresh-git-token', (c) => {
    if (state.gitToken === null) return fail(c, 409, 'no_git_credentials', 'No git token resolves for this rig.');
    return ok(c, { token: state.gitToken, expires_at: null });
  });

  app.notFound((c) => fail(c, 404, 'not_found', 'No route matches this method and path.'));
  return app;
}
