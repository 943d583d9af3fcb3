/**
 * Tests of `EventForwarder` (`container.md` §7) against the fake worker API: never-queued
 * types, flush at 100 and on the timer, one batch in flight, part-update coalescing, 32 KB
 * truncation, the 1 MB batch budget, redaction, retries then drop, and the 2000-event cap.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi } from '../fakes/worker-api/index.ts';
import { capData, EventForwarder, MAX_DATA_BYTES } from '../../container/src/event-forwarder.ts';
import { Redactor } from '../../container/src/redact.ts';
import type { Timings } from '../../container/src/timings.ts';
import { AGENT, RIG, TOWN } from './fixtures.ts';
import { captureLog, clientFor, creds } from './helpers.ts';

const HOUR = 3_600_000;
let api: FakeWorkerApi;
let fwd: EventForwarder | null = null;
beforeEach(async () => {
  api = await startFakeWorkerApi({ townId: TOWN });
});
afterEach(async () => {
  fwd?.stop();
  await api.stop();
});

function setup(timings: Partial<Timings> = {}, redactor = new Redactor()) {
  const cap = captureLog();
  const { client, timings: t } = clientFor(api, TOWN);
  fwd = new EventForwarder({ worker: client, timings: { ...t, eventFlushMs: HOUR, ...timings }, log: cap.log, redactor });
  return { fwd, cap, who: creds(AGENT, RIG, 'agent-token') };
}

type Sent = { events: { type: string; data: Record<string, unknown>; at: string }[] };
const batches = (): Sent[] => api.matching('*/events', 'POST').map((r) => r.body as Sent);

/** A gate the fake's /events handler waits on, so a batch stays in flight. */
function holdEvents(): () => void {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  api.setResponse('*/events', async (req, c) => {
    await gate;
    return c.json({ data: { appended: (req.body as Sent).events.length, last_seq: 1 } });
  });
  return release;
}

describe('EventForwarder', () => {
  it('never queues heartbeats, connects or deltas', async () => {
    const { fwd, who } = setup();
    for (const type of ['server.heartbeat', 'server.connected', 'message.part.delta']) fwd.push(who, type, {});
    fwd.push(who, 'session.idle', { sessionID: 's' });
    expect(fwd.pending(AGENT)).toBe(1);
    await fwd.flush(AGENT);
    expect(batches().map((b) => b.events.map((e) => e.type))).toEqual([['session.idle']]);
  });

  it('sends at 100 events without waiting for the timer, in order', async () => {
    const { fwd, who } = setup();
    for (let i = 0; i < 250; i++) fwd.push(who, 'session.status', { i });
    await api.waitFor(() => api.matching('*/events').length >= 2);
    await fwd.flush(AGENT);
    const sizes = batches().map((b) => b.events.length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(batches().flatMap((b) => b.events.map((e) => e.data.i))).toEqual([...Array(250).keys()]);
  });

  it('flushes on the timer', async () => {
    const { fwd, who } = setup({ eventFlushMs: 100 });
    fwd.push(who, 'session.status', { n: 1 });
    fwd.push(who, 'session.status', { n: 2 });
    const req = await api.waitFor((r) => r.path.endsWith('/events'));
    expect((req.body as Sent).events.map((e) => e.data.n)).toEqual([1, 2]);
    expect(req.auth).toBe('agent-token');
    expect(fwd.pending(AGENT)).toBe(0);
  });

  it('keeps one batch in flight per agent', async () => {
    const { fwd, who } = setup();
    const release = holdEvents();
    for (let i = 0; i < 300; i++) fwd.push(who, 'session.status', { i });
    await api.waitFor((r) => r.path.endsWith('/events'));
    expect(api.matching('*/events')).toHaveLength(1);
    expect(fwd.pending(AGENT)).toBe(200);
    release();
    await fwd.flush(AGENT);
    expect(batches().map((b) => b.events.length)).toEqual([100, 100, 100]);
  });

  it('keeps only the last message.part.updated per part', async () => {
    const { fwd, who } = setup();
    fwd.push(who, 'message.part.updated', { part: { id: 'p1', text: 'a' } });
    fwd.push(who, 'message.part.updated', { part: { id: 'p2', text: 'x' } });
    fwd.push(who, 'session.status', { s: 1 });
    fwd.push(who, 'message.part.updated', { part: { id: 'p1', text: 'ab' } });
    fwd.push(who, 'message.part.updated', { part: { id: 'p1', text: 'abc' } });
    await fwd.flush(AGENT);
    const sent = batches()[0]?.events.map((e) => [e.type, e.data]);
    expect(sent).toEqual([
      ['message.part.updated', { part: { id: 'p2', text: 'x' } }],
      ['session.status', { s: 1 }],
      ['message.part.updated', { part: { id: 'p1', text: 'abc' } }],
    ]);
  });

  it('truncates data over 32 KB with a marker', async () => {
    const { fwd, who } = setup();
    fwd.push(who, 'message.part.updated', { part: { id: 'big', output: 'x"'.repeat(40_000) } });
    await fwd.flush(AGENT);
    const data = batches()[0]?.events[0]?.data;
    expect(data).toMatchObject({ truncated: true });
    expect(data?.original_bytes).toBeGreaterThan(MAX_DATA_BYTES);
    expect(Buffer.byteLength(JSON.stringify(data))).toBeLessThanOrEqual(MAX_DATA_BYTES);
    expect(capData({ small: 'ok' })).toEqual({ small: 'ok' });
  });

  it('splits batches to stay under 1 MB', async () => {
    const { fwd, who } = setup();
    for (let i = 0; i < 60; i++) fwd.push(who, 'session.status', { i, pad: 'y'.repeat(30_000) });
    await fwd.flush(AGENT);
    const reqs = api.matching('*/events');
    expect(reqs.length).toBeGreaterThan(1);
    for (const r of reqs) expect(Buffer.byteLength(JSON.stringify(r.body))).toBeLessThanOrEqual(1_000_000);
    expect(batches().reduce((n, b) => n + b.events.length, 0)).toBe(60);
  });

  it('redacts secrets in event data', async () => {
    const redactor = new Redactor();
    redactor.addSecret('ghs_secret_token_9999');
    const { fwd, who } = setup({}, redactor);
    fwd.push(who, 'message.part.updated', { part: { id: 'p', output: 'GH_TOKEN=ghs_secret_token_9999 https://u:p@github.com' } });
    await fwd.flush(AGENT);
    expect(JSON.stringify(batches()[0])).not.toContain('ghs_secret_token_9999');
    expect(batches()[0]?.events[0]?.data).toEqual({ part: { id: 'p', output: 'GH_TOKEN=****9999 https://***@github.com' } });
  });

  it('retries a failed batch per eventRetryMs, then drops it and logs events.dropped', async () => {
    const { fwd, who, cap } = setup({ eventRetryMs: [10, 10, 10] });
    api.failNext('*/events', 503, 4);
    fwd.push(who, 'session.status', { a: 1 });
    fwd.push(who, 'session.status', { a: 2 });
    await fwd.flush(AGENT);
    expect(api.matching('*/events')).toHaveLength(4);
    expect(cap.lines.find((l) => l.msg === 'events.dropped')).toMatchObject({ agent_id: AGENT, count: 2, reason: 'send_failed', attempts: 4 });
    fwd.push(who, 'session.status', { a: 3 });
    await fwd.flush(AGENT);
    expect(api.events(AGENT).map((e) => (e.data as { a: number }).a)).toEqual([3]);
  });

  it('a retry that succeeds delivers the batch once', async () => {
    const { fwd, who, cap } = setup({ eventRetryMs: [10, 10, 10] });
    api.failNext('*/events', 500, 2);
    fwd.push(who, 'session.status', { a: 1 });
    await fwd.flush(AGENT);
    expect(api.matching('*/events')).toHaveLength(3);
    expect(api.events(AGENT)).toHaveLength(1);
    expect(cap.msgs()).not.toContain('events.dropped');
  });

  it('caps each queue at 2000: the oldest are dropped and counted', async () => {
    const { fwd, who, cap } = setup();
    const release = holdEvents();
    for (let i = 0; i < 100; i++) fwd.push(who, 'session.status', { i });
    await api.waitFor((r) => r.path.endsWith('/events'));
    for (let i = 100; i < 2_150; i++) fwd.push(who, 'session.status', { i });
    expect(fwd.pending(AGENT)).toBe(2_000);
    release();
    await fwd.flush(AGENT);
    expect(cap.lines.find((l) => l.msg === 'events.dropped')).toMatchObject({ agent_id: AGENT, count: 50, reason: 'queue_full' });
    const sent = batches().flatMap((b) => b.events.map((e) => e.data.i as number));
    expect(sent).toHaveLength(2_100);
    expect(sent.slice(100, 102)).toEqual([150, 151]);
  });

  it('close flushes and forgets the lane; stop abandons the rest', async () => {
    const { fwd, who } = setup();
    fwd.push(who, 'session.status', { a: 1 });
    await fwd.close(AGENT);
    expect(api.events(AGENT)).toHaveLength(1);
    expect(fwd.pending(AGENT)).toBe(0);
    fwd.stop();
    fwd.push(who, 'session.status', { a: 2 });
    expect(fwd.pending(AGENT)).toBe(0);
  });
});
