/**
 * The dashboard's page routes, outside `/api`: every page of `pages.ts` answers the same HTML
 * shell (no town data; `http-api.md` preamble), and `/dashboard/:file` serves the client bundle.
 * Mounted by `createApp()` after the API routes, before the not-found handler.
 */
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../api/app-env.ts';
import { bundleFile } from './assets.ts';
import { PAGE_PATTERNS, matchPattern } from './pages.ts';
import { Shell } from './shell.tsx';

/**
 * Pages may load only the worker's own script and styles, and talk only to the same origin
 * (the API and the live socket); nothing may frame them.
 */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

function page(c: Context<AppEnv>, title: string, status: 200 | 404, notFound: boolean): Response {
  const html = `<!doctype html>${(<Shell title={title} notFound={notFound} />).toString()}`;
  return c.html(html, status, PAGE_HEADERS);
}

/** Registers the page and bundle routes on `app`. */
export function dashboardRoutes(app: Hono<AppEnv>): void {
  for (const { pattern, title } of PAGE_PATTERNS) {
    app.get(pattern, (c) => {
      c.get('tags').route = `GET ${pattern}`;
      // Path ids must be UUIDs (as in the API); anything else is the not-found page.
      const known = matchPattern(pattern, new URL(c.req.url).pathname) !== null;
      return page(c, known ? title : 'Not found', known ? 200 : 404, !known);
    });
  }
  app.get('/dashboard/:file', async (c) => {
    c.get('tags').route = 'GET /dashboard/:file';
    return (await bundleFile(c, c.req.param('file'))) ?? c.notFound();
  });
}
