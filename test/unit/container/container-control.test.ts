/**
 * The behaviour both container classes share, over the fake transport: the control secret on
 * every request, start-on-demand only for the four starting calls with a fresh boot env, a
 * stopped container's local answers, per-call deadlines, and the watchdog's restarts and its
 * `unhealthy` flag.
 */
import { describe, expect, it } from 'vitest';
import { controlSecretFor } from '../../../src/auth/control-secret.ts';
import { verifyToken } from '../../../src/auth/jwt.ts';
import { CONTROL_SECRET_HEADER } from '../../../src/protocol/control.ts';
import { startsOnDemand } from '../../../src/container/control-rules.ts';
import { fromWire, toWire } from '../../../src/container/container-rpc.ts';
import { FakeContainer } from '../../fakes/fake-container.ts';

const SECRET = 'unit-test-secret';
const TOWN = '0c5c7a3e-8b1e-4e55-9d8a-3b0d2c1e9f01';
const AGENT = '5b8f2a14-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
const S = 1000;
const MIN = 60 * S;

function fake(now?: () => number): FakeContainer {
  return new FakeContainer({ townId: TOWN, jwtSecret: SECRET, ...(now === undefined ? {} : { now }) });
}
const opts = (startOnDemand: boolean, timeoutMs = 10_000) => ({ timeoutMs, startOnDemand });

describe('start-on-demand', () => {
  it('only /agents/start, /agents/:id/message, /git/merge and /repos/setup start a stopped container', () => {
    expect(startsOnDemand('POST', '/agents/start')).toBe(true);
    expect(startsOnDemand('POST', `/agents/${AGENT}/message`)).toBe(true);
    expect(startsOnDemand('POST', '/git/merge')).toBe(true);
    expect(startsOnDemand('POST', '/repos/setup')).toBe(true);
    for (const [m, p] of [['GET', `/agents/${AGENT}/status`], ['POST', `/agents/${AGENT}/stop`], ['POST', '/refresh-token'], ['POST', '/sync-config'], ['POST', '/dashboard-context'], ['PATCH', `/agents/${AGENT}/model`], ['GET', '/health']] as const) {
      expect(startsOnDemand(m, p)).toBe(false);
    }
  });

  it('a stopped container answers status with not_found, stop as a no-op, the rest 503, without starting', async () => {
    const c = fake();
    expect(await c.request('GET', `/agents/${AGENT}/status`, undefined, opts(true))).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await c.request('POST', `/agents/${AGENT}/stop`, {}, opts(true))).toEqual({ status: 200, body: { data: { stopped: false, status: 'exited' } } });
    expect(await c.request('POST', '/sync-config', { config: {} }, opts(true))).toMatchObject({ status: 503, body: { error: { code: 'container_unavailable' } } });
    expect(c.transport.boots).toHaveLength(0);
    expect(c.requests).toHaveLength(0);
  });

  it('a starting call starts it with a fresh boot env, then forwards with the secret', async () => {
    const c = fake();
    const r = await c.request('POST', '/repos/setup', { rig_id: AGENT }, opts(true));
    expect(r.status).toBe(202);
    expect(c.transport.boots).toHaveLength(1);
    const boot = c.transport.boots[0] ?? {};
    expect(boot.GASTOWN_TOWN_ID).toBe(TOWN);
    expect(boot.GASTOWN_API_URL).toBe('http://127.0.0.1:8787');
    expect(boot.GASTOWN_CONTROL_SECRET).toBe(await controlSecretFor(SECRET, TOWN));
    expect(boot.GASTOWN_LOCAL_MODEL).toBe('allow');
    const claims = await verifyToken(boot.GASTOWN_CONTAINER_TOKEN ?? '', SECRET, { now: Date.now(), expectedScope: 'container' });
    expect(claims.townId).toBe(TOWN);
    // startOnDemand false never starts, even for a starting path.
    const d = fake();
    expect((await d.request('POST', '/agents/start', {}, opts(false))).status).toBe(503);
    expect(d.transport.boots).toHaveLength(0);
  });

  it('every request carries the control secret', async () => {
    const c = fake();
    await c.request('POST', '/repos/setup', {}, opts(true));
    await c.request('GET', '/health', undefined, opts(false));
    await c.request('POST', '/refresh-token', { token: 't' }, opts(false));
    const secret = await controlSecretFor(SECRET, TOWN);
    expect(c.requests.length).toBe(3);
    for (const r of c.requests) expect(r.headers[CONTROL_SECRET_HEADER]).toBe(secret);
    expect(c.requests.every((r) => r.route !== 'unknown')).toBe(true);
  });

  it('concurrent starting calls start the container once', async () => {
    const c = fake();
    await Promise.all([c.request('POST', '/repos/setup', {}, opts(true)), c.request('POST', '/git/merge', {}, opts(true))]);
    expect(c.transport.boots).toHaveLength(1);
  });
});

describe('a control server that exited on its own', () => {
  it('reads as stopped, and a starting call starts a new one and retries, without counting failures', async () => {
    const c = fake();
    await c.request('POST', '/repos/setup', {}, opts(true));
    c.transport.serverGone();
    expect(await c.request('GET', `/agents/${AGENT}/status`, undefined, opts(false))).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(c.transport.running).toBe(false);
    // The object still believes it runs; a starting call finds it gone, starts it and retries.
    c.transport.running = true;
    c.transport.serverGone();
    expect((await c.request('POST', '/repos/setup', {}, opts(true))).status).toBe(202);
    expect(c.transport.boots).toHaveLength(2);
    expect((await c.state()).health_failures).toBe(0);
  });
});

describe('deadlines', () => {
  it('a hanging call ends at its deadline as 503 container_unavailable', async () => {
    const c = fake();
    await c.request('POST', '/repos/setup', {}, opts(true));
    c.transport.replies.set('status', 'hang');
    const r = await c.request('GET', `/agents/${AGENT}/status`, undefined, opts(false, 20));
    expect(r).toMatchObject({ status: 503, body: { error: { code: 'container_unavailable' } } });
    expect(JSON.stringify(r.body)).toContain('timed out after 20 ms');
  });
});

describe('health watchdog', () => {
  it('restarts a dead container at most 3 times per 30 min, then reports unhealthy until a call succeeds', async () => {
    let now = 0;
    const c = fake(() => now);
    await c.request('POST', '/repos/setup', {}, opts(true));
    expect(c.transport.boots).toHaveLength(1);
    c.transport.all = 'fail';
    const flags: boolean[] = [];
    // A call every 10 s for 29 minutes against a dead server.
    for (now = 0; now < 29 * MIN; now += 10 * S) {
      const r = await c.request('GET', `/agents/${AGENT}/status`, undefined, opts(false));
      expect(r.status).toBe(503);
      flags.push(r.unhealthy === true);
    }
    expect(c.transport.signals.filter((s) => s === 'SIGKILL')).toHaveLength(3);
    expect(c.transport.boots).toHaveLength(4);
    expect(flags.includes(true)).toBe(true);
    expect(flags.indexOf(true)).toBeGreaterThan(0);
    // Every call after giving up carries the flag; the state says so too.
    expect(flags.slice(flags.indexOf(true)).every((f) => f)).toBe(true);
    expect(await c.state()).toMatchObject({ running: true, unhealthy: true, restarts_30m: 3 });
    // Recovery: the next success clears it.
    c.transport.all = null;
    const ok = await c.request('GET', '/health', undefined, opts(false));
    expect(ok.status).toBe(200);
    expect(ok.unhealthy).toBeUndefined();
    expect((await c.state()).unhealthy).toBe(false);
  });

  it('does not count failures within 60 s of a start', async () => {
    let now = 0;
    const c = fake(() => now);
    await c.request('POST', '/repos/setup', {}, opts(true));
    c.transport.all = 'fail';
    for (now = 1 * S; now < 59 * S; now += 5 * S) await c.request('GET', '/health', undefined, opts(false));
    expect(c.transport.signals).toEqual([]);
    now = 30 * S;
    expect((await c.state()).health_failures).toBe(0);
  });

  it('gateway errors count, the control server’s own 500 does not', async () => {
    let now = 0;
    const c = fake(() => now);
    await c.request('POST', '/repos/setup', {}, opts(true));
    now = 2 * MIN;
    c.transport.replies.set('start', 'start_failed');
    for (let i = 0; i < 4; i += 1) expect((await c.request('POST', '/agents/start', {}, opts(true))).status).toBe(500);
    expect((await c.state()).health_failures).toBe(0);
    c.transport.all = 'bad_gateway';
    for (let i = 0; i < 3; i += 1) expect((await c.request('GET', '/health', undefined, opts(false))).status).toBe(503);
    expect(c.transport.signals).toEqual(['SIGKILL']);
    expect(c.transport.boots).toHaveLength(2);
  });
});

describe('lifecycle', () => {
  it('stop sends SIGTERM only when running; a hard restart kills and starts fresh; destroy forgets', async () => {
    const c = fake();
    await c.stop();
    expect(c.transport.signals).toEqual([]);
    await c.request('POST', '/repos/setup', {}, opts(true));
    await c.stop();
    expect(c.transport.signals).toEqual(['SIGTERM']);
    await c.restart('hard');
    expect(c.transport.signals).toEqual(['SIGTERM']);
    expect(c.transport.boots).toHaveLength(2);
    await c.restart('hard');
    expect(c.transport.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(c.transport.boots).toHaveLength(3);
    await c.restart('graceful');
    expect(c.transport.signals).toEqual(['SIGTERM', 'SIGKILL', 'SIGTERM']);
    expect(c.transport.running).toBe(false);
    await c.destroy();
    expect((await c.state()).running).toBe(false);
  });
});

describe('the RPC wire', () => {
  it('carries the body as JSON text and back, with the unhealthy flag', () => {
    const r = { status: 404, body: { error: { code: 'not_found', message: 'x' } }, unhealthy: true as const };
    expect(fromWire(toWire(r))).toEqual(r);
    expect(fromWire(toWire({ status: 200, body: undefined }))).toEqual({ status: 200, body: null });
  });
});
