/**
 * The town's live-update socket with a polling fallback (`http-api.md` §2 rule 7, §4.2). Each
 * (re)connect asks for a fresh one-use ticket, then opens the socket; frames are parsed with the
 * shared `LiveFrame` schema. When the socket drops, the status becomes `polling` (pages refetch
 * on an interval) while reconnects back off; a close with 4404 (town deleted) ends it for good.
 * DOM-free: the socket, ticket call and timers are injected, so the logic is unit-tested.
 */
import { LIVE_CLOSE_TOWN_DELETED, LiveFrame } from '../../../protocol/live.ts';

/** `connecting` (first attempt), `live`, `polling` (socket down, retrying), `closed` (stopped). */
export type LiveStatus = 'connecting' | 'live' | 'polling' | 'closed';

/** What the connection hears from its socket. */
export interface SocketHandlers {
  onOpen(): void;
  onMessage(data: unknown): void;
  onClose(code: number): void;
}

/** An open (or opening) socket, as the connection drives it. */
export interface SocketLike {
  isOpen(): boolean;
  send(data: string): void;
  close(code: number, reason: string): void;
}

export interface LiveDeps {
  /** `POST T/live/ticket` → the socket URL carrying the ticket. */
  ticketUrl(): Promise<string>;
  /** Opens a socket to `url` that reports to `handlers` (the browser: `browser-socket.ts`). */
  openSocket(url: string, handlers: SocketHandlers): SocketLike;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Reconnect delays, one per failed attempt in a row; the last one repeats. */
  backoffMs: readonly number[];
}

export interface LiveHandlers {
  onFrame(frame: LiveFrame): void;
  onStatus(status: LiveStatus, detail: string | null): void;
}

export class LiveConnection {
  #status: LiveStatus = 'connecting';
  #socket: SocketLike | null = null;
  #timer: unknown = null;
  #failures = 0;
  #watching: string | null = null;
  #stopped = false;

  constructor(
    readonly deps: LiveDeps,
    readonly handlers: LiveHandlers,
  ) {}

  get status(): LiveStatus {
    return this.#status;
  }

  /** Opens the first connection. */
  start(): void {
    void this.#connect();
  }

  /** Closes the socket and cancels any reconnect; no more frames or status changes. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) this.deps.clearTimer(this.#timer);
    this.#timer = null;
    const socket = this.#socket;
    // Cleared first: the handlers ignore a socket that is no longer the current one.
    this.#socket = null;
    socket?.close(1000, 'page closed');
    this.#status = 'closed';
  }

  /** Session events of `agentId` (null = none) on this socket, now and after every reconnect. */
  watchAgent(agentId: string | null): void {
    this.#watching = agentId;
    this.#sendWatch();
  }

  #sendWatch(): void {
    const socket = this.#socket;
    if (socket !== null && socket.isOpen()) socket.send(JSON.stringify({ type: 'watch_agent', agent_id: this.#watching }));
  }

  #setStatus(status: LiveStatus, detail: string | null): void {
    if (this.#stopped) return;
    const changed = status !== this.#status;
    this.#status = status;
    if (changed) this.handlers.onStatus(status, detail);
  }

  async #connect(): Promise<void> {
    this.#timer = null;
    let url: string;
    try {
      url = await this.deps.ticketUrl();
    } catch (e) {
      this.#retry(e instanceof Error ? e.message : String(e));
      return;
    }
    if (this.#stopped) return;
    let socket: SocketLike | null = null;
    const current = (): boolean => socket !== null && this.#socket === socket;
    socket = this.deps.openSocket(url, {
      onOpen: () => {
        if (!current()) return;
        this.#failures = 0;
        this.#setStatus('live', null);
        // A new socket watches nobody: repeat the choice made on the previous one.
        if (this.#watching !== null) this.#sendWatch();
      },
      onMessage: (data) => {
        if (!current() || typeof data !== 'string') return;
        let value: unknown;
        try {
          value = JSON.parse(data);
        } catch {
          return;
        }
        const frame = LiveFrame.safeParse(value);
        if (frame.success) this.handlers.onFrame(frame.data);
      },
      onClose: (code) => {
        if (!current()) return;
        this.#socket = null;
        if (code === LIVE_CLOSE_TOWN_DELETED) {
          this.#setStatus('closed', 'This town was deleted.');
          this.#stopped = true;
          return;
        }
        this.#retry('The live connection dropped.');
      },
    });
    this.#socket = socket;
  }

  #retry(detail: string): void {
    if (this.#stopped) return;
    this.#setStatus('polling', detail);
    const delays = this.deps.backoffMs;
    const delay = delays[Math.min(this.#failures, delays.length - 1)] ?? 5_000;
    this.#failures += 1;
    this.#timer = this.deps.setTimer(() => void this.#connect(), delay);
  }
}
