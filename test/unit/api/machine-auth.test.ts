/**
 * Agent and container credentials on their routes (`http-api.md` §1.3, §2 rules 2–4), through the
 * real app with a fake TownDO: every 401 reason class, every 403 binding (town, rig, agent, role,
 * container town), the 404 of a dead agent or deleted town, renewal within and past 24 h, the
 * order of checks, and the `caller_kind`/`caller_id` tags of the request line.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/api/app.ts';
import type { Env } from '../../../src/env.ts';
import { mintAgentToken, mintContainerToken, mintUserToken } from '../../../src/auth/mint.ts';
import { signToken } from '../../../src/auth/jwt.ts';
import { NotFound, serializeError } from '../../../src/errors.ts';
import type { AgentRole } from '../../../src/protocol/common.ts';

const SECRET = 'machine-auth-secret';
const HOUR = 3600_000;
const TOWN = crypto.randomUUID();
const OTHER_TOWN = crypto.randomUUID();
const RIG = crypto.randomUUID();
const OTHER_RIG = crypto.randomUUID();
const POLECAT = crypto.randomUUID();
const MAYOR = crypto.randomUUID();
const DEAD = crypto.randomUUID();

/** A fake TownDO: the town exists unless `deleted`; live agents by id → rig. */
function fakeTown(state: { deleted: boolean; calls: string[] }) {
  const live = new Map<string, string>([
    [POLECAT, RIG],
    [MAYOR, TOWN],
  ]);
  const okv = <T>(value: T) => ({ ok: true as const, value });
  const rec = (name: string) => state.calls.push(name);
  return {
    async authorize() {
      rec('authorize');
      return state.deleted ? 'not_found' : 'forbidden';
    },
    async requireLiveAgent(agentId: string, rigId: string) {
      rec('requireLiveAgent');
      if (state.deleted) return { ok: false as const, error: serializeError(new NotFound('town')) };
      if (live.get(agentId) !== rigId) return { ok: false as const, error: serializeError(new NotFound('agent', agentId)) };
      return okv({ role: 'polecat' });
    },
    async checkRateLimit() {
      rec('checkRateLimit');
      return okv(undefined);
    },
    async heartbeat() {
      rec('heartbeat');
      return okv({ result: { drain_nonce: null }, kicked: false });
    },
    async reportAgentFact() {
      rec('reportAgentFact');
      return okv({ accepted: true });
    },
    async refreshGitToken() {
      rec('refreshGitToken');
      return okv({ token: 'ghs_fake', expires_at: null });
    },
    async getRegistry() {
      rec('getRegistry');
      return okv({ registry: {}, updated_at: null });
    },
  };
}

function setup(opts: { deleted?: boolean } = {}) {
  const state = { deleted: opts.deleted ?? false, calls: [] as string[] };
  const stub = fakeTown(state);
  const env = {
    ENVIRONMENT: 'test',
    GASTOWN_VERSION: 't',
    GASTOWN_JWT_SECRET: SECRET,
    TOWN: { idFromName: (name: string) => name, get: () => stub },
  } as unknown as Env;
  const { app } = createApp();
  return {
    state,
    async post(path: string, token: string | undefined, body: unknown = {}) {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (token !== undefined) headers.Authorization = `Bearer ${token}`;
      const res = await app.request(path, { method: 'POST', headers, body: JSON.stringify(body) }, env);
      return { status: res.status, body: (await res.json()) as { data?: Record<string, unknown>; error?: { code: string; details?: { reason?: string } } } };
    },
    async get(path: string, token: string) {
      const res = await app.request(path, { headers: { Authorization: `Bearer ${token}` } }, env);
      return { status: res.status, body: (await res.json()) as { error?: { code: string; details?: { reason?: string } } } };
    },
  };
}

function agentToken(agent: { townId?: string; rigId?: string; agentId?: string; role?: AgentRole }, now = Date.now()) {
  return mintAgentToken(SECRET, { townId: agent.townId ?? TOWN, rigId: agent.rigId ?? RIG, agentId: agent.agentId ?? POLECAT, role: agent.role ?? 'polecat', dispatchId: crypto.randomUUID() }, now).then((t) => t.token);
}

const P = (agentId = POLECAT, rigId = RIG, townId = TOWN) => `/api/towns/${townId}/rigs/${rigId}/agents/${agentId}`;
const C = (townId = TOWN) => `/api/towns/${townId}/container`;
const HEARTBEAT = { last_event_type: null, last_event_at: null, active_tools: [], container_instance_id: 'inst-1' };

afterEach(() => vi.restoreAllMocks());

describe('401 classes on agent and container routes', () => {
  it('missing and malformed credentials', async () => {
    const t = setup();
    expect((await t.post(`${P()}/heartbeat`, undefined, HEARTBEAT)).body.error?.details?.reason).toBe('missing');
    expect((await t.post(`${P()}/heartbeat`, 'not-a-jwt', HEARTBEAT)).body.error?.details?.reason).toBe('malformed');
    expect(t.state.calls).toEqual([]);
  });

  it('bad_signature: an agent token signed with another secret', async () => {
    const t = setup();
    const { token } = await signToken({ scope: 'agent', townId: TOWN, rigId: RIG, agentId: POLECAT, role: 'polecat', dispatchId: null }, 'another-secret', { now: Date.now(), ttlSeconds: 60 });
    const r = await t.post(`${P()}/heartbeat`, token, HEARTBEAT);
    expect(r.status).toBe(401);
    expect(r.body.error?.details?.reason).toBe('bad_signature');
  });

  it('wrong_scope: a user token on an agent route, a container token on an agent route, an agent token on a container route', async () => {
    const t = setup();
    const user = (await mintUserToken(SECRET, { sub: 'u1' }, Date.now())).token;
    const container = (await mintContainerToken(SECRET, TOWN, Date.now())).token;
    const agent = await agentToken({});
    for (const [path, token] of [
      [`${P()}/heartbeat`, user],
      [`${P()}/completed`, container],
      [`${C()}/eviction`, agent],
      [`${C()}/refresh-token`, agent],
      [`${P()}/refresh-token`, container],
    ] as const) {
      const r = await t.post(path, token, {});
      expect(r.status, path).toBe(401);
      expect(r.body.error?.details?.reason, path).toBe('wrong_scope');
    }
    expect(t.state.calls).toEqual([]);
  });

  it('expired: an expired token on a normal route, and past the 24 h grace on the renewal routes', async () => {
    const t = setup();
    const expired = await agentToken({}, Date.now() - 9 * HOUR);
    expect((await t.post(`${P()}/completed`, expired, { status: 'completed' })).body.error?.details?.reason).toBe('expired');
    const ancient = await agentToken({}, Date.now() - 33 * HOUR);
    const r = await t.post(`${P()}/refresh-token`, ancient);
    expect(r.status).toBe(401);
    expect(r.body.error?.details?.reason).toBe('expired');
    const oldContainer = (await mintContainerToken(SECRET, TOWN, Date.now() - 33 * HOUR)).token;
    expect((await t.post(`${C()}/refresh-token`, oldContainer)).body.error?.details?.reason).toBe('expired');
    const expiredContainer = (await mintContainerToken(SECRET, TOWN, Date.now() - 9 * HOUR)).token;
    expect((await t.get(`${C()}/registry`, expiredContainer)).body.error?.details?.reason).toBe('expired');
  });
});

describe('renewal', () => {
  it('an agent token expired an hour ago renews to a fresh 8 h token with the same claims', async () => {
    const t = setup();
    const expired = await agentToken({}, Date.now() - 9 * HOUR);
    const r = await t.post(`${P()}/refresh-token`, expired);
    expect(r.status).toBe(200);
    const token = String(r.body.data?.token);
    const claims = JSON.parse(atob(token.split('.')[1]?.replace(/-/g, '+').replace(/_/g, '/') ?? '')) as Record<string, unknown>;
    expect(claims).toMatchObject({ scope: 'agent', townId: TOWN, rigId: RIG, agentId: POLECAT, role: 'polecat' });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(8 * 3600);
  });

  it('a container token expired an hour ago renews; another town is a 403', async () => {
    const t = setup();
    const expired = (await mintContainerToken(SECRET, TOWN, Date.now() - 9 * HOUR)).token;
    expect((await t.post(`${C()}/refresh-token`, expired)).status).toBe(200);
    expect((await t.post(`${C(OTHER_TOWN)}/refresh-token`, expired)).status).toBe(403);
  });
});

describe('403: the token must match the path', () => {
  it('another town, rig or agent', async () => {
    const t = setup();
    expect((await t.post(`${P(POLECAT, RIG, OTHER_TOWN)}/heartbeat`, await agentToken({}), HEARTBEAT)).status).toBe(403);
    expect((await t.post(`${P(POLECAT, OTHER_RIG)}/heartbeat`, await agentToken({}), HEARTBEAT)).status).toBe(403);
    expect((await t.post(`${P(MAYOR)}/heartbeat`, await agentToken({}), HEARTBEAT)).status).toBe(403);
    expect(t.state.calls).toEqual([]);
  });

  it('a role outside the route allow-list', async () => {
    const t = setup();
    const polecat = await agentToken({});
    const r = await t.post(`${P()}/waiting`, polecat, { fired_at: new Date().toISOString() });
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe('forbidden');
    const mayor = await agentToken({ agentId: MAYOR, rigId: TOWN, role: 'mayor' });
    expect((await t.post(`${P(MAYOR, TOWN)}/done`, mayor, { branch: 'main' })).status).toBe(403);
    expect((await t.post(`${P(MAYOR, TOWN)}/eviction-context`, mayor, { branch: 'main' })).status).toBe(403);
  });

  it('a container token for another town', async () => {
    const t = setup();
    const token = (await mintContainerToken(SECRET, OTHER_TOWN, Date.now())).token;
    expect((await t.get(`${C()}/registry`, token)).status).toBe(403);
  });

  it('refresh-git-token: an agent of another rig is refused, the mayor and the container are not', async () => {
    const t = setup();
    const path = `/api/towns/${TOWN}/rigs/${OTHER_RIG}/refresh-git-token`;
    expect((await t.post(path, await agentToken({}))).status).toBe(403);
    expect((await t.post(path, await agentToken({ agentId: MAYOR, rigId: TOWN, role: 'mayor' }))).status).toBe(200);
    expect((await t.post(path, (await mintContainerToken(SECRET, TOWN, Date.now())).token)).status).toBe(200);
    expect((await t.post(`/api/towns/${TOWN}/rigs/${RIG}/refresh-git-token`, await agentToken({}))).status).toBe(200);
    expect((await t.post(`/api/towns/${OTHER_TOWN}/rigs/${RIG}/refresh-git-token`, (await mintContainerToken(SECRET, TOWN, Date.now())).token)).status).toBe(403);
  });
});

describe('404: gone agents and towns', () => {
  it('a dead or unknown agent with a valid, matching token', async () => {
    const t = setup();
    const token = await agentToken({ agentId: DEAD });
    const r = await t.post(`${P(DEAD)}/heartbeat`, token, HEARTBEAT);
    expect(r.status).toBe(404);
    expect(t.state.calls).toEqual(['requireLiveAgent']);
    expect((await t.post(`${P(DEAD)}/refresh-token`, token)).status).toBe(404);
  });

  it('a deleted town: agent and container routes, renewal included', async () => {
    const t = setup({ deleted: true });
    expect((await t.post(`${P()}/refresh-token`, await agentToken({}))).status).toBe(404);
    expect((await t.post(`${C()}/refresh-token`, (await mintContainerToken(SECRET, TOWN, Date.now())).token)).status).toBe(404);
    expect((await t.get(`${C()}/drain-status`, (await mintContainerToken(SECRET, TOWN, Date.now())).token)).status).toBe(404);
  });
});

describe('order of checks and tags', () => {
  it('a malformed path id is a 400 before the binding check', async () => {
    const t = setup();
    const r = await t.post(`/api/towns/${TOWN}/rigs/${RIG}/agents/not-a-uuid/heartbeat`, await agentToken({}), HEARTBEAT);
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe('invalid_id');
  });

  it('the mayor calls its own routes with :rigId = :townId, and the request line names the agent', async () => {
    const t = setup();
    const spy = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const mayor = await agentToken({ agentId: MAYOR, rigId: TOWN, role: 'mayor' });
    const r = await t.post(`${P(MAYOR, TOWN)}/waiting`, mayor, { fired_at: new Date().toISOString() });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ accepted: true });
    const line = spy.mock.calls.map((a) => JSON.parse(String(a[0])) as Record<string, unknown>).find((l) => l.msg === 'request');
    expect(line).toMatchObject({ caller_kind: 'agent', caller_id: MAYOR, agentId: MAYOR, rigId: TOWN, townId: TOWN, status: 200 });
    expect(JSON.stringify(spy.mock.calls)).not.toContain(mayor);
  });

  it('the binding is checked before the rate limit and the body', async () => {
    const t = setup();
    const r = await t.post(`${P(MAYOR)}/heartbeat`, await agentToken({}), { unexpected: true });
    expect(r.status).toBe(403);
    expect(t.state.calls).toEqual([]);
    const ok = await t.post(`${P()}/heartbeat`, await agentToken({}), HEARTBEAT);
    expect(ok.status).toBe(200);
    expect(t.state.calls).toEqual(['requireLiveAgent', 'checkRateLimit', 'heartbeat']);
  });
});
