/**
 * Live-socket helpers for workerd tests: ask for a ticket through the real route, open the
 * socket through the worker (`SELF.fetch` with `Upgrade: websocket`), and wait for frames as
 * they arrive — a wait resolves on the matching frame and fails if the socket closes first.
 */
import { SELF } from 'cloudflare:test';
import { LiveFrame, LiveTicket } from '../../src/protocol/index.ts';
import { BASE, call, data } from './helpers.ts';

/** POST T/live/ticket that must succeed. */
export async function liveTicket(token: string, townId: string): Promise<{ ticket: string; expires_at: string; url: string }> {
  const r = await call('POST', `/api/towns/${townId}/live/ticket`, { token });
  if (r.status !== 201) throw new Error(`live ticket: expected 201, got ${r.status} ${JSON.stringify(r.body)}`);
  return LiveTicket.parse(data(r));
}

/** GET T/live?ticket= through the worker; `upgrade: false` leaves out the Upgrade header. */
export async function openSocket(townId: string, ticket: string | null, opts: { upgrade?: boolean } = {}): Promise<Response> {
  const query = ticket === null ? '' : `?ticket=${encodeURIComponent(ticket)}`;
  const headers: Record<string, string> = opts.upgrade === false ? {} : { Upgrade: 'websocket' };
  return SELF.fetch(`${BASE}/api/towns/${townId}/live${query}`, { headers });
}

interface Waiter {
  match: (frame: LiveFrame) => boolean;
  resolve: (frame: LiveFrame) => void;
  reject: (error: Error) => void;
}

/** The client end of one live socket and every frame it has received, in order. */
export class LiveClient {
  readonly frames: LiveFrame[] = [];
  /** Resolves with the close code once the server closes the socket. */
  readonly closed: Promise<number>;
  private readonly waiters: Waiter[] = [];
  private closeCode: number | null = null;

  constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.addEventListener('close', (event) => {
        this.closeCode = event.code;
        for (const w of this.waiters.splice(0)) w.reject(new Error(`socket closed (${event.code}) before the frame; got ${this.types()}`));
        resolve(event.code);
      });
    });
    ws.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') throw new Error('live frames are text');
      const frame = LiveFrame.parse(JSON.parse(event.data));
      this.frames.push(frame);
      for (const w of [...this.waiters]) {
        if (!w.match(frame)) continue;
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    });
    ws.accept();
  }

  /** The first frame (already received or still to come) that matches. */
  waitFor(match: (frame: LiveFrame) => boolean): Promise<LiveFrame> {
    const seen = this.frames.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    if (this.closeCode !== null) return Promise.reject(new Error(`socket already closed (${this.closeCode}); got ${this.types()}`));
    return new Promise((resolve, reject) => this.waiters.push({ match, resolve, reject }));
  }

  /** The first frame of `type` matching `match`, narrowed to that frame type. */
  async waitForType<K extends LiveFrame['type']>(type: K, match: (frame: Extract<LiveFrame, { type: K }>) => boolean = () => true): Promise<Extract<LiveFrame, { type: K }>> {
    const isType = (f: LiveFrame): f is Extract<LiveFrame, { type: K }> => f.type === type;
    const frame = await this.waitFor((f) => isType(f) && match(f));
    if (!isType(frame)) throw new Error(`expected a ${type} frame`);
    return frame;
  }

  /** Frames received so far of `type`. */
  ofType<K extends LiveFrame['type']>(type: K): Extract<LiveFrame, { type: K }>[] {
    return this.frames.filter((f): f is Extract<LiveFrame, { type: K }> => f.type === type);
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  private types(): string {
    return this.frames.map((f) => f.type).join(', ') || 'nothing';
  }
}

/** A ticket, then an accepted socket whose snapshot has arrived. */
export async function connectLive(token: string, townId: string): Promise<LiveClient> {
  const ticket = await liveTicket(token, townId);
  const res = await openSocket(townId, ticket.ticket);
  if (res.status !== 101 || res.webSocket === null) throw new Error(`live upgrade: expected 101, got ${res.status} ${await res.text()}`);
  const client = new LiveClient(res.webSocket);
  await client.waitForType('snapshot');
  return client;
}
