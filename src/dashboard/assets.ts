/**
 * Serves the client bundle (`scripts/build-dashboard.mjs` → `dist/assets/dashboard/`) through the
 * Workers static-assets binding. The worker runs first for every request (`run_worker_first`),
 * so these responses pass the request-id middleware like every other route.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../api/app-env.ts';

/** The files of the bundle, by the name in `/dashboard/:file`. */
export const BUNDLE_FILES: readonly string[] = ['app.js', 'app.css', 'app.js.map', 'app.css.map'];

/** The bundle file `file`, or null when it is not one (or this runtime serves no assets). */
export async function bundleFile(c: Context<AppEnv>, file: string): Promise<Response | null> {
  const assets = c.env.ASSETS;
  if (!BUNDLE_FILES.includes(file) || assets === undefined) return null;
  const res = await assets.fetch(new Request(new URL(`/dashboard/${file}`, c.req.url), { headers: c.req.raw.headers }));
  if (res.status === 404) return null;
  // A fresh response: the binding's headers are immutable. Revalidate on every load (ETag).
  const headers = new Headers(res.headers);
  headers.set('Cache-Control', 'no-cache');
  headers.set('X-Content-Type-Options', 'nosniff');
  return new Response(res.body, { status: res.status, headers });
}
