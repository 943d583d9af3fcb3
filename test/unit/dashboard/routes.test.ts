/**
 * The dashboard's page routes on the worker app: every page answers the same HTML shell (no
 * town data, the client bundle, a strict CSP, a request id), bad ids and unknown pages are
 * 404s, and the bundle route serves nothing without the assets binding.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/api/app.ts';
import { PAGE_PATTERNS } from '../../../src/dashboard/pages.ts';

const TOWN = '11111111-1111-4111-8111-111111111111';
const ID = '22222222-2222-4222-8222-222222222222';
const { app } = createApp();

function concrete(pattern: string): string {
  return pattern.replace(':townId', TOWN).replace(/:[a-zA-Z]+Id/g, ID);
}

describe('page routes', () => {
  it.each(PAGE_PATTERNS.map((p) => [p.pattern]))('GET %s answers the shell', async (pattern) => {
    const res = await app.request(concrete(pattern), {}, {});
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const html = await res.text();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<script type="module" src="/dashboard/app.js"></script>');
    expect(html).toContain('<div id="app">');
    // The shell carries no town data: not even the ids of its own address.
    expect(html).not.toContain(TOWN);
  });

  it('answers a not-found page for ids that are not UUIDs', async () => {
    const res = await app.request('/towns/not-a-uuid/beads/x', {}, {});
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('Page not found');
    expect(html).not.toContain('/dashboard/app.js');
  });

  it('leaves unknown paths to the JSON not-found handler', async () => {
    const res = await app.request('/nowhere', {}, {});
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('serves no bundle without the assets binding, and only bundle files', async () => {
    expect((await app.request('/dashboard/app.js', {}, {})).status).toBe(404);
    const fetched: string[] = [];
    const ASSETS = {
      fetch: async (req: Request) => {
        fetched.push(new URL(req.url).pathname);
        return new Response('console.log(1)', { headers: { 'content-type': 'text/javascript', etag: '"x"' } });
      },
    };
    const js = await app.request('/dashboard/app.js', {}, { ASSETS });
    expect(js.status).toBe(200);
    expect(await js.text()).toBe('console.log(1)');
    expect(js.headers.get('cache-control')).toBe('no-cache');
    expect(js.headers.get('x-request-id')).not.toBeNull();
    expect((await app.request('/dashboard/secrets.json', {}, { ASSETS })).status).toBe(404);
    expect(fetched).toEqual(['/dashboard/app.js']);
  });
});
