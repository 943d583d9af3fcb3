/**
 * The live connection's ticket flow and polling fallback, with a fake socket and timers: a
 * fresh ticket per connect, frames parsed (junk ignored), `polling` with backoff when the socket
 * drops, `watch_agent` re-sent after a reconnect, 4404 ending it, and stop() silencing it.
 */
import { describe, expect, it } from 'vitest';
import { LiveConnection, type LiveStatus, type SocketHandlers } from '../../../src/dashboard/client/live/live-connection.ts';
import type { LiveFrame } from '../../../src/protocol/live.ts';

const AGENT = '33333333-3333-4333-8333-333333333333';

class FakeSocket {
  sent: string[] = [];
  open = false;
  closedWith: number | null = null;
  constructor(
    readonly url: string,
    readonly handlers: SocketHandlers,
  ) {}
  accept(): void {
    this.open = true;
    this.handlers.onOpen();
  }
  drop(code = 1006): void {
    this.open = false;
    this.handlers.onClose(code);
  }
}

function setup(ticketResults: (() => Promise<string>)[] = []) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const frames: LiveFrame[] = [];
  const statuses: LiveStatus[] = [];
  let tickets = 0;
  const conn = new LiveConnection(
    {
      ticketUrl: () => {
        tickets += 1;
        const next = ticketResults.shift();
        return next === undefined ? Promise.resolve(`ws://127.0.0.1/live?ticket=t${tickets}`) : next();
      },
      openSocket: (url, handlers) => {
        const s = new FakeSocket(url, handlers);
        sockets.push(s);
        return { isOpen: () => s.open, send: (d) => s.sent.push(d), close: (code) => void (s.closedWith = code) };
      },
      setTimer: (fn, ms) => {
        const t = { fn, ms, cleared: false };
        timers.push(t);
        return t;
      },
      clearTimer: (handle) => {
        const t = timers.find((x) => x === handle);
        if (t !== undefined) t.cleared = true;
      },
      backoffMs: [100, 200],
    },
    { onFrame: (f) => frames.push(f), onStatus: (s) => statuses.push(s) },
  );
  return { conn, sockets, timers, frames, statuses, ticketCount: () => tickets };
}

const flush = () => new Promise<void>((r) => setTimeout(r, 0));
const agentFrame = { type: 'agent_event', agent_id: AGENT, event: { seq: 1, type: 'message.updated', data: {}, created_at: '2026-01-01T00:00:00.000Z' } };

describe('LiveConnection', () => {
  it('connects with a ticket, goes live and passes parsed frames on, ignoring junk', async () => {
    const h = setup();
    h.conn.start();
    await flush();
    expect(h.sockets.map((s) => s.url)).toEqual(['ws://127.0.0.1/live?ticket=t1']);
    h.sockets[0]?.accept();
    expect(h.statuses).toEqual(['live']);
    h.sockets[0]?.handlers.onMessage(JSON.stringify(agentFrame));
    h.sockets[0]?.handlers.onMessage('not json');
    h.sockets[0]?.handlers.onMessage(JSON.stringify({ type: 'bead', bead: { id: 'incomplete' } }));
    expect(h.frames).toEqual([agentFrame]);
  });

  it('falls back to polling when the socket drops and reconnects with a new ticket and backoff', async () => {
    const h = setup();
    h.conn.start();
    await flush();
    h.sockets[0]?.accept();
    h.conn.watchAgent(AGENT);
    expect(h.sockets[0]?.sent).toEqual([JSON.stringify({ type: 'watch_agent', agent_id: AGENT })]);
    h.sockets[0]?.drop();
    expect(h.statuses).toEqual(['live', 'polling']);
    expect(h.timers.map((t) => t.ms)).toEqual([100]);
    h.timers[0]?.fn();
    await flush();
    expect(h.ticketCount()).toBe(2);
    expect(h.sockets[1]?.url).toBe('ws://127.0.0.1/live?ticket=t2');
    h.sockets[1]?.accept();
    expect(h.statuses).toEqual(['live', 'polling', 'live']);
    expect(h.sockets[1]?.sent).toEqual([JSON.stringify({ type: 'watch_agent', agent_id: AGENT })]);
  });

  it('backs off further while the ticket call keeps failing', async () => {
    const h = setup([() => Promise.reject(new Error('offline')), () => Promise.reject(new Error('offline')), () => Promise.reject(new Error('offline'))]);
    h.conn.start();
    await flush();
    h.timers[0]?.fn();
    await flush();
    h.timers[1]?.fn();
    await flush();
    expect(h.statuses).toEqual(['polling']);
    expect(h.timers.map((t) => t.ms)).toEqual([100, 200, 200]);
    expect(h.sockets).toEqual([]);
  });

  it('stops for good when the town is deleted (4404)', async () => {
    const h = setup();
    h.conn.start();
    await flush();
    h.sockets[0]?.accept();
    h.sockets[0]?.drop(4404);
    expect(h.statuses).toEqual(['live', 'closed']);
    expect(h.timers).toEqual([]);
  });

  it('stop() closes an open socket and ignores its late frames', async () => {
    const h = setup();
    h.conn.start();
    await flush();
    h.sockets[0]?.accept();
    h.conn.stop();
    expect(h.sockets[0]?.closedWith).toBe(1000);
    h.sockets[0]?.handlers.onMessage(JSON.stringify(agentFrame));
    h.sockets[0]?.drop();
    expect(h.frames).toEqual([]);
    expect(h.statuses).toEqual(['live']);
    expect(h.conn.status).toBe('closed');
  });

  it('stop() cancels a pending reconnect', async () => {
    const h = setup();
    h.conn.start();
    await flush();
    h.sockets[0]?.drop();
    h.conn.stop();
    expect(h.timers[0]?.cleared).toBe(true);
  });
});
