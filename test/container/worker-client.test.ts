/**
 * Tests of `WorkerClient` against the fake worker API (`container.md` §7): P and C paths with
 * the right bearer, `{data}` unwrapping, error envelopes, 401 → renew once and retry once, a
 * second 401 throws, concurrent 401s share one renewal, raw bytes, timeouts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi } from '../fakes/worker-api/index.ts';
import { WorkerCallError } from '../../container/src/worker-client.ts';
import { AGENT, RIG, TOWN } from './fixtures.ts';
import { clientFor, creds } from './helpers.ts';

const P = `/api/towns/${TOWN}/rigs/${RIG}/agents/${AGENT}`;
const C = `/api/towns/${TOWN}/container`;

let api: FakeWorkerApi;
beforeEach(async () => {
  api = await startFakeWorkerApi({ townId: TOWN, containerToken: 'container-token-0', agentTokens: { [AGENT]: 'agent-token-0' } });
});
afterEach(async () => {
  await api.stop();
});

describe('WorkerClient', () => {
  it('calls P routes with the agent token and unwraps {data}', async () => {
    const { client } = clientFor(api, TOWN);
    const who = creds(AGENT, RIG, 'agent-token-0');
    const body = { last_event_type: null, last_event_at: null, active_tools: [], container_instance_id: 'inst-1' };
    await expect(client.agent(who, 'POST', '/heartbeat', body)).resolves.toEqual({ drain_nonce: null });
    expect(api.requests.at(-1)).toMatchObject({ method: 'POST', path: `${P}/heartbeat`, auth: 'agent-token-0', body });
  });

  it('calls C routes with the container token', async () => {
    const { client } = clientFor(api, TOWN);
    await expect(client.container('GET', '/drain-status')).resolves.toEqual({ draining: false, drain_nonce: null, drain_started_at: null });
    expect(api.requests.at(-1)).toMatchObject({ method: 'GET', path: `${C}/drain-status`, auth: 'container-token-0' });
  });

  it('throws WorkerCallError with the envelope code on an error reply', async () => {
    const { client } = clientFor(api, TOWN);
    const who = creds(AGENT, RIG, 'agent-token-0');
    const err = await client.agent(who, 'POST', '/completed', { status: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerCallError);
    expect(err).toMatchObject({ status: 400, code: 'validation_failed' });
    const gone = await client.agent(who, 'GET', '/db-snapshot').catch((e: unknown) => e);
    expect(gone).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('on 401 renews the agent token once (P/refresh-token) and retries once', async () => {
    const secrets: string[] = [];
    const { client } = clientFor(api, TOWN, { secrets });
    const who = creds(AGENT, RIG, 'agent-token-0');
    api.failNext('*/completed', 401);
    await expect(client.agent(who, 'POST', '/completed', { status: 'completed' })).resolves.toEqual({ accepted: true });
    const paths = api.requests.map((r) => `${r.method} ${r.path.replace(P, 'P')}`);
    expect(paths).toEqual(['POST P/completed', 'POST P/refresh-token', 'POST P/completed']);
    expect(api.requests[1]?.auth).toBe('agent-token-0'); // renewal uses the (expired) old token
    expect(who.token).not.toBe('agent-token-0');
    expect(api.requests[2]?.auth).toBe(who.token);
    expect(secrets).toEqual([who.token]);
  });

  it('a second 401 throws; there is never a third attempt', async () => {
    const { client } = clientFor(api, TOWN);
    const who = creds(AGENT, RIG, 'agent-token-0');
    api.failNext('*/completed', 401, 5);
    const err = await client.agent(who, 'POST', '/completed', { status: 'completed' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(api.matching('*/completed')).toHaveLength(2);
    expect(api.matching('*/refresh-token')).toHaveLength(1);
  });

  it('a failed renewal throws its own error and does not retry the call', async () => {
    const { client } = clientFor(api, TOWN);
    const who = creds(AGENT, RIG, 'agent-token-0');
    api.failNext('*/completed', 401);
    api.failNext('*/refresh-token', 401);
    const err = await client.agent(who, 'POST', '/completed', { status: 'completed' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 401 });
    expect(api.matching('*/completed')).toHaveLength(1);
    expect(who.token).toBe('agent-token-0');
  });

  it('renews the container token on a C 401 and stores it', async () => {
    const { client, containerToken } = clientFor(api, TOWN);
    api.failNext(`${C}/registry`, 401);
    await expect(client.container('GET', '/registry')).resolves.toEqual({ registry: {}, updated_at: null });
    expect(api.matching('*/container/refresh-token')).toHaveLength(1);
    expect(containerToken()).not.toBe('container-token-0');
    expect(api.requests.at(-1)?.auth).toBe(containerToken());
  });

  it('concurrent 401s share one renewal', async () => {
    const { client } = clientFor(api, TOWN);
    api.setValidToken('container', 'only-a-renewed-token-works');
    api.setResponse('*/container/refresh-token', () => ({ data: { token: 'only-a-renewed-token-works', expires_at: new Date().toISOString() } }));
    const results = await Promise.all([client.container('GET', '/registry'), client.container('GET', '/drain-status'), client.container('GET', '/mayor-id')]);
    expect(results).toHaveLength(3);
    expect(api.matching('*/container/refresh-token')).toHaveLength(1);
  });

  it('sends and receives raw bytes (db-snapshot)', async () => {
    const { client } = clientFor(api, TOWN);
    const who = creds(AGENT, RIG, 'agent-token-0');
    const bytes = new Uint8Array([1, 2, 3, 250]);
    await expect(client.agent(who, 'PUT', '/db-snapshot', undefined, { raw: bytes })).resolves.toMatchObject({ bytes: 4 });
    const back = await client.agent<Uint8Array>(who, 'GET', '/db-snapshot');
    expect([...back]).toEqual([1, 2, 3, 250]);
  });

  it('renews the git token with the container token', async () => {
    const { client } = clientFor(api, TOWN);
    await expect(client.refreshGitToken(RIG)).resolves.toEqual({ token: 'ghs_fakegittoken0001', expires_at: null });
    expect(api.requests.at(-1)).toMatchObject({ path: `/api/towns/${TOWN}/rigs/${RIG}/refresh-git-token`, auth: 'container-token-0' });
  });

  it('times out with status 0 / timeout, and reports an abort as aborted', async () => {
    const { client } = clientFor(api, TOWN);
    const hang = new Promise<Response>(() => undefined);
    api.setResponse('*/drain-status', () => hang);
    await expect(client.container('GET', '/drain-status', undefined, { timeoutMs: 50 })).rejects.toMatchObject({ status: 0, code: 'timeout' });
    const ac = new AbortController();
    const call = client.container('GET', '/drain-status', undefined, { signal: ac.signal });
    ac.abort();
    await expect(call).rejects.toMatchObject({ status: 0, code: 'aborted' });
  });

  it('reports an unreachable worker as network_error', async () => {
    await api.stop();
    const { client } = clientFor(api, TOWN);
    await expect(client.container('GET', '/drain-status')).rejects.toMatchObject({ status: 0, code: 'network_error' });
    api = await startFakeWorkerApi({ townId: TOWN });
  });
});
