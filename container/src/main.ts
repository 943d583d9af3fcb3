/**
 * Control server entry (`container.md` §1–2). This foundation build only answers `GET /health`
 * behind the control secret; the process manager, hydration gate and agent routes arrive with
 * the control-server issue. Exits 1 at boot without a control secret.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createHash, timingSafeEqual } from 'node:crypto';
import { CONTROL_SECRET_HEADER } from '../../src/protocol/control.ts';

const secret = process.env.GASTOWN_CONTROL_SECRET;
if (secret === undefined || secret === '') {
  console.error(JSON.stringify({ level: 'error', msg: 'boot.no_control_secret' }));
  process.exit(1);
}
delete process.env.GASTOWN_CONTROL_SECRET;
const expected = createHash('sha256').update(secret).digest();
const startedAt = Date.now();

const app = new Hono();
app.use('*', async (c, next) => {
  const given = createHash('sha256').update(c.req.header(CONTROL_SECRET_HEADER) ?? '').digest();
  if (!timingSafeEqual(given, expected)) return c.json({ error: { code: 'unauthorized', message: 'Missing or wrong control secret.' } }, 401);
  await next();
});
app.get('/health', (c) =>
  c.json({ data: { started_at: new Date(startedAt).toISOString(), uptime_ms: Date.now() - startedAt, hydrated: true, draining: false, agents: 0, servers: 0, mayor_ready_at: null, container_instance_id: null } }),
);
app.notFound((c) => c.json({ error: { code: 'not_found', message: 'No route matches this method and path.' } }, 404));

const port = Number(process.env.PORT ?? 8080);
serve({ fetch: app.fetch, port, hostname: process.env.GASTOWN_BIND ?? '0.0.0.0' }, (info) => {
  console.log(JSON.stringify({ level: 'info', msg: 'control.listening', port: info.port }));
});
