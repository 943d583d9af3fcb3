/**
 * The kilo event subscription (`container/src/kilo/event-stream.ts`) against a loopback SSE
 * server speaking kilo's `/event` wire format: a reset first connection is retried (a fresh
 * `kilo serve` that took a just-freed port reset it, and the agent's start failed), an
 * established stream that ends is never re-opened, and the retries are bounded.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKiloClient } from '@kilocode/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { kiloEventStream, toKiloEvent } from '../../container/src/kilo/event-stream.ts';
import type { KiloEvent } from '../../container/src/kilo/backend.ts';
import { captureLog } from './helpers.ts';

type Answer = 'reset' | 'events-then-end' | 'empty-end';

interface SseServer {
  url: string;
  connections: () => number;
  close: () => Promise<void>;
}

let servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  servers = [];
});

function sendEvents(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(`data: ${JSON.stringify({ type: 'server.connected', properties: {} })}\n\n`);
  res.write(`data: ${JSON.stringify({ payload: { type: 'session.idle', properties: { sessionID: 's1' } } })}\n\n`);
  res.end();
}

/** An `/event` server answering the n-th connection with `answers[n]` (the last one repeats). */
async function sseServer(answers: Answer[]): Promise<SseServer> {
  let count = 0;
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/event') !== true) {
      res.writeHead(404).end();
      return;
    }
    const answer = answers[Math.min(count, answers.length - 1)];
    count += 1;
    if (answer === 'reset') req.socket.resetAndDestroy();
    else if (answer === 'empty-end') res.writeHead(200, { 'content-type': 'text/event-stream' }).end();
    else sendEvents(res);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, connections: () => count, close: () => new Promise((r) => server.close(() => r())) };
}

async function collect(url: string, connectAttempts: number, stop = new AbortController()) {
  const { log, lines } = captureLog();
  const events: KiloEvent[] = [];
  for await (const e of kiloEventStream(createKiloClient({ baseUrl: url }), stop.signal, { log, workdir: '/w', connectAttempts, connectRetryMs: 20 })) events.push(e);
  return { events, lines };
}

describe('kilo event stream', () => {
  it('retries a first connection that is reset, then streams the events (plain and wrapped)', async () => {
    const sse = await sseServer(['reset', 'events-then-end']);
    const { events, lines } = await collect(sse.url, 4);
    expect(events.map((e) => e.type)).toEqual(['server.connected', 'session.idle']);
    expect(events[1]?.properties).toEqual({ sessionID: 's1' });
    expect(sse.connections()).toBe(2);
    expect(lines.filter((l) => l.msg === 'kilo.event_stream_retry')).toHaveLength(1);
    expect(lines.find((l) => l.msg === 'kilo.event_stream_ended')).toMatchObject({ established: true, attempts: 2 });
  });

  it('never re-opens a stream that was established and then ended (the server is gone)', async () => {
    const sse = await sseServer(['events-then-end', 'events-then-end']);
    const { events } = await collect(sse.url, 4);
    expect(events).toHaveLength(2);
    expect(sse.connections()).toBe(1);
  });

  it('gives up after the bounded attempts when no connection ever delivers an event', async () => {
    const sse = await sseServer(['reset', 'empty-end']);
    const { events, lines } = await collect(sse.url, 3);
    expect(events).toEqual([]);
    expect(sse.connections()).toBe(3);
    expect(lines.filter((l) => l.msg === 'kilo.event_stream_retry')).toHaveLength(2);
    expect(lines.find((l) => l.msg === 'kilo.event_stream_ended')).toMatchObject({ established: false, attempts: 3 });
  });

  it('ends at once, without retrying, when the stop signal aborts', async () => {
    const sse = await sseServer(['reset']);
    const stop = new AbortController();
    stop.abort(new Error('kilo serve closed'));
    const { events, lines } = await collect(sse.url, 4, stop);
    expect(events).toEqual([]);
    expect(sse.connections()).toBe(0);
    expect(lines).toEqual([]);
  });

  it('reads plain, wrapped and foreign payloads', () => {
    expect(toKiloEvent({ type: 'a', properties: { x: 1 } })).toEqual({ type: 'a', properties: { x: 1 } });
    expect(toKiloEvent({ payload: { type: 'b' } })).toEqual({ type: 'b', properties: {} });
    expect(toKiloEvent('text')).toBeNull();
    expect(toKiloEvent({ other: 1 })).toBeNull();
  });
});
