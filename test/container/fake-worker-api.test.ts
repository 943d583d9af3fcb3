/**
 * Tests of the fake worker API itself, so container tests can trust it: bearer checks per
 * principal, schema validation, registry round trip, mayor-id and drain-status, overrides.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi } from '../fakes/worker-api/index.ts';
import { AGENT, RIG, TOWN } from './fixtures.ts';

let api: FakeWorkerApi;
beforeEach(async () => {
  api = await startFakeWorkerApi({ townId: TOWN, containerToken: 'ct-1', agentTokens: { [AGENT]: 'at-1' } });
});
afterEach(async () => {
  await api.stop();
});

const C = `/api/towns/${TOWN}/container`;
const P = `/api/towns/${TOWN}/rigs/${RIG}/agents/${AGENT}`;

async function call(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(api.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe('fake worker API', () => {
  it('checks bearer tokens per principal and records every request', async () => {
    expect((await call('GET', `${C}/registry`, null)).status).toBe(401);
    expect((await call('GET', `${C}/registry`, 'at-1')).status).toBe(401);
    expect(await call('GET', `${C}/registry`, 'ct-1')).toEqual({ status: 200, json: { data: { registry: {}, updated_at: null } } });
    expect((await call('GET', `/api/towns/00000000-0000-4000-8000-000000000000/container/registry`, 'ct-1')).status).toBe(404);
    expect(api.requests).toHaveLength(4);
  });

  it('validates bodies with the protocol schemas', async () => {
    const bad = await call('POST', `${P}/heartbeat`, 'at-1', { active_tools: 'bash' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'validation_failed', details: { location: 'body' } } });
    const good = await call('POST', `${P}/heartbeat`, 'at-1', { last_event_type: null, last_event_at: null, active_tools: [], container_instance_id: 'i' });
    expect(good).toEqual({ status: 200, json: { data: { drain_nonce: null } } });
  });

  it('stores the registry, renews tokens and answers mayor-id and drain-status', async () => {
    expect((await call('PUT', `${C}/registry`, 'ct-1', { registry: { config: null, agents: [] } })).status).toBe(200);
    expect(api.registry.get()).toEqual({ config: null, agents: [] });
    const renewed = await call('POST', `${C}/refresh-token`, 'ct-1');
    const token = (renewed.json as { data: { token: string } }).data.token;
    expect((await call('GET', `${C}/mayor-id`, token)).json).toMatchObject({ data: { agent_id: null, config: { town_id: TOWN, api_url: api.url } } });
    api.setDrainStatus({ draining: true, drain_nonce: 'n-1', drain_started_at: '2026-01-01T00:00:00.000Z' });
    expect((await call('GET', `${C}/drain-status`, 'ct-1')).json).toMatchObject({ data: { draining: true, drain_nonce: 'n-1' } });
    expect((await call('POST', `${C}/ready`, 'ct-1', { nonce: 'n-1', container_instance_id: 'i' })).json).toEqual({ data: { draining: false } });
  });

  it('overrides and injected failures apply by glob', async () => {
    api.setResponse('*/pending-nudges', () => ({ data: [{ id: 'n' }] }));
    expect((await call('GET', `${P}/pending-nudges`, 'at-1')).json).toEqual({ data: [{ id: 'n' }] });
    api.failNext('*/pending-nudges', 429, 1);
    expect((await call('GET', `${P}/pending-nudges`, 'at-1')).status).toBe(429);
    expect((await call('GET', `${P}/pending-nudges`, 'at-1')).status).toBe(200);
    expect((await call('GET', `${P}/db-snapshot`, 'at-1')).status).toBe(404);
  });
});
