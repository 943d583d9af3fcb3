/**
 * Walks the declared route table (`http-api.md` §5): every route's request log line carries its
 * pattern as `route` and every `:xxxId` param as a tag with the request's value, whatever the
 * outcome (here: the credential check fails first). Runs the real app with `app.request()`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/api/app.ts';
import type { Env } from '../../../src/env.ts';

const env = { ENVIRONMENT: 'test', GASTOWN_VERSION: 't', GASTOWN_JWT_SECRET: 'route-table-secret' } as unknown as Env;

function requestLines(spy: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
  return spy.mock.calls
    .map((args) => (typeof args[0] === 'string' ? args[0] : ''))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === 'request');
}

afterEach(() => vi.restoreAllMocks());

describe('route table', () => {
  const { app, routes } = createApp();

  it('declares the core routes', () => {
    expect(routes.entries.length).toBeGreaterThan(35);
    const keys = routes.entries.map((r) => `${r.method} ${r.pattern}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('tags every request with its route pattern and each id param', async () => {
    for (const entry of routes.entries) {
      const values: Record<string, string> = {};
      const path = entry.pattern.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
        const id = crypto.randomUUID();
        values[name] = id;
        return id;
      });
      const spy = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      const res = await app.request(path, { method: entry.method }, env);
      const lines = requestLines(spy);
      spy.mockRestore();
      expect(lines, `${entry.method} ${entry.pattern}`).toHaveLength(1);
      const line = lines[0] ?? {};
      expect(line.route).toBe(`${entry.method} ${entry.pattern}`);
      expect(line.status).toBe(res.status);
      expect(typeof line.request_id).toBe('string');
      for (const [name, value] of Object.entries(values)) expect(line[name], `${entry.pattern} :${name}`).toBe(value);
      if (entry.auth !== 'none') expect(res.status).toBe(401);
    }
  });

  it('never logs the Authorization header or a query string', async () => {
    const spy = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await app.request('/api/towns?ticket=secret-ticket-value', { headers: { Authorization: 'Bearer secret-token-value' } }, env);
    const all = spy.mock.calls.map((a) => String(a[0])).join('\n');
    spy.mockRestore();
    expect(all).not.toContain('secret-token-value');
    expect(all).not.toContain('secret-ticket-value');
  });
});
