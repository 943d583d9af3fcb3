/**
 * The control routes (`container.md` §2): the control secret on every route (401, no side effect,
 * body unread), envelopes and validation, health, draining, the mayor-only system prompt and the
 * dashboard-context ring.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_SECRET_HEADER } from '../../src/protocol/control.ts';
import { AGENT, MAYOR, TOWN, liveConfig, mayorRequest, polecatRequest } from './fixtures.ts';
import { SECRET, containerTokenFor, dataOf, makeHarness } from './pm-harness.ts';
import type { Harness } from './pm-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
});
afterEach(async () => {
  await h.close();
});

const ROUTES: [string, string, unknown][] = [
  ['GET', '/health', undefined],
  ['POST', '/agents/start', polecatRequest()],
  ['POST', `/agents/${AGENT}/stop`, {}],
  ['POST', `/agents/${AGENT}/message`, { text: 'hi' }],
  ['GET', `/agents/${AGENT}/status`, undefined],
  ['GET', `/agents/${AGENT}/events?after=0`, undefined],
  ['PATCH', `/agents/${AGENT}/model`, { model: 'openai/gpt-5' }],
  ['PUT', `/agents/${MAYOR}/system-prompt`, { system_prompt: 'x' }],
  ['POST', '/refresh-token', { token: containerTokenFor(TOWN) }],
  ['POST', '/sync-config', { config: liveConfig({ version: 50 }) }],
  ['POST', '/dashboard-context', { context: 'viewing beads' }],
  ['POST', '/repos/setup', {}],
  ['POST', '/git/merge', {}],
  ['GET', '/nope', undefined],
];

describe('control secret', () => {
  it.each(ROUTES)('%s %s → 401 without or with a wrong secret, with no side effect', async (method, path, body) => {
    const token = h.containerToken();
    const variants: Record<string, string>[] = [{}, { [CONTROL_SECRET_HEADER]: 'wrong' }, { [CONTROL_SECRET_HEADER]: `${SECRET}x` }];
    for (const headers of variants) {
      const res = await h.request(method, path, body, headers);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    expect(h.manager.agents.size).toBe(0);
    expect(h.backend.startsBegun).toBe(0);
    expect(h.api.requests).toHaveLength(0);
    expect(h.manager.deps.liveConfig.current).toBeNull();
    expect(h.containerToken()).toBe(token);
    await expect(stat(join(h.root, 'mayor'))).rejects.toThrow();
  });
});

describe('routes', () => {
  it('GET /health reports the process', async () => {
    const health = await dataOf<Record<string, unknown>>(await h.request('GET', '/health'));
    expect(health).toMatchObject({ hydrated: true, draining: false, agents: 0, servers: 0, mayor_ready_at: null, container_instance_id: 'instance-test-1' });
    expect(typeof health.uptime_ms).toBe('number');
  });

  it('400 invalid_json and validation_failed with zod issue paths; 404 for unknown routes', async () => {
    const bad = await h.request('POST', '/agents/start', undefined, { [CONTROL_SECRET_HEADER]: SECRET });
    expect(bad.status).toBe(400);
    const raw = await h.request('POST', `/agents/${AGENT}/message`, undefined, { [CONTROL_SECRET_HEADER]: SECRET });
    expect(raw.status).toBe(400);
    const res = await h.request('POST', '/agents/start', { ...polecatRequest(), prompt: undefined });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { location: string; issues: { path: unknown[] }[] } } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.location).toBe('body');
    expect(body.error.details.issues.map((i) => i.path)).toContainEqual(['prompt']);
    expect((await h.request('POST', '/git/merge', {})).status).toBe(404);
  });

  it('refuses starts while draining (503 container_draining)', async () => {
    h.manager.setDraining(true);
    const res = await h.request('POST', '/agents/start', polecatRequest());
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('container_draining');
    expect(h.backend.startsBegun).toBe(0);
  });

  it('PUT system-prompt rewrites the mayor AGENTS.md and refuses other roles (409 not_mayor)', async () => {
    await h.request('POST', '/agents/start', mayorRequest());
    expect(await dataOf(await h.request('PUT', `/agents/${MAYOR}/system-prompt`, { system_prompt: 'New orders.' }))).toEqual({ updated: true });
    expect(await readFile(join(h.root, 'mayor', 'workspace', 'AGENTS.md'), 'utf8')).toBe('New orders.');
    await h.request('POST', '/agents/start', polecatRequest());
    const res = await h.request('PUT', `/agents/${AGENT}/system-prompt`, { system_prompt: 'x' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_mayor');
  });

  it('POST /dashboard-context keeps the last 5, newest first', async () => {
    for (let i = 1; i <= 7; i++) expect(await dataOf(await h.request('POST', '/dashboard-context', { context: `ctx ${i}` }))).toEqual({ stored: true });
    const ring = JSON.parse(await readFile(join(h.root, 'mayor', 'dashboard-context.json'), 'utf8')) as { context: string }[];
    expect(ring.map((e) => e.context)).toEqual(['ctx 7', 'ctx 6', 'ctx 5', 'ctx 4', 'ctx 3']);
  });

  it('GET status of an unknown agent after hydration is 404; stop of an unknown agent is 404', async () => {
    expect((await h.request('GET', `/agents/${AGENT}/status`)).status).toBe(404);
    expect((await h.request('POST', `/agents/${AGENT}/stop`, {})).status).toBe(404);
  });

  it('error messages are redacted', async () => {
    await h.request('POST', '/agents/start', polecatRequest({ config: liveConfig({ provider: { kind: 'kilo', token: 'kilo-token-abcdef123456' } }) }));
    const status = await dataOf<{ last_error: string | null }>(await h.request('GET', `/agents/${AGENT}/status`));
    expect(JSON.stringify(status)).not.toContain('kilo-token-abcdef123456');
    expect(JSON.stringify(h.lines)).not.toContain('kilo-token-abcdef123456');
  });
});
