/**
 * The demo's view of a town: beads, agents, the mayor and the activity stream, kept current from
 * the live socket (`POST T/live/ticket`, then `GET T/live`: snapshot, bead, agent and activity
 * frames) while it is open, and from the API otherwise. With the socket open the API is read
 * only every `socketRefreshMs` as a safety net; without it (no global WebSocket, the route
 * refused, the socket closed) every step reads it. Activity is delivered once, in `seq` order.
 */

const SOCKET_OPEN_TIMEOUT_MS = 5_000;
const RECONNECT_AFTER_MS = 5_000;
const OPEN = 1;

export class TownWatch {
  beads = new Map();
  agents = new Map();
  mayor = null;
  #lastSeq = null;
  #socket = null;
  #socketUsable;
  #lastConnectAt = 0;
  #lastRefreshAt = 0;
  #opts;
  #townPath;

  /**
   * @param {object} o
   * @param {Function} o.api the demo's API client
   * @param {string} o.townId
   * @param {(line: string) => void} o.say
   * @param {() => void} o.onChange called after a frame changed the view
   * @param {(event: object) => void} o.onActivity called once per new activity event
   * @param {number} o.refreshMs API reads without the socket
   * @param {number} o.socketRefreshMs API reads with the socket open
   */
  constructor(o) {
    this.#opts = o;
    this.#townPath = `/api/towns/${o.townId}`;
    // Node 22 has a global WebSocket; older Nodes poll.
    this.#socketUsable = typeof globalThis.WebSocket === 'function';
  }

  /** True while the live socket is open. */
  get live() {
    return this.#socket !== null && this.#socket.readyState === OPEN;
  }

  /** The view as `progressFacts` takes it. */
  snapshot() {
    return { mayor: this.mayor, beads: [...this.beads.values()], agents: [...this.agents.values()] };
  }

  /**
   * One step: read the API when due, then (re)connect the socket when it is worth trying. Reading
   * first means frames only ever add to a view that already holds the past.
   */
  async step(now = Date.now()) {
    const due = this.live ? this.#opts.socketRefreshMs : this.#opts.refreshMs;
    if (now - this.#lastRefreshAt >= due) {
      await this.refresh();
      this.#lastRefreshAt = now;
    }
    if (!this.live && this.#socketUsable && now - this.#lastConnectAt >= RECONNECT_AFTER_MS) {
      this.#lastConnectAt = now;
      await this.#connect();
    }
  }

  /** Reads the mayor, beads, agents and new activity from the API. */
  async refresh() {
    const { api } = this.#opts;
    const [mayor, beads, agents] = await Promise.all([api('GET', `${this.#townPath}/mayor`), api('GET', `${this.#townPath}/beads?limit=500`), api('GET', `${this.#townPath}/agents?limit=500`)]);
    this.mayor = mayor;
    this.beads = new Map(beads.map((b) => [b.id, b]));
    this.agents = new Map(agents.map((a) => [a.id, a]));
    const cursor = this.#lastSeq === null ? '' : `&cursor=${this.#lastSeq}`;
    for (const event of (await api('GET', `${this.#townPath}/activity?limit=500${cursor}`)) ?? []) this.#activity(event);
  }

  close() {
    this.#socketUsable = false;
    this.#socket?.close();
    this.#socket = null;
  }

  async #connect() {
    const { api, say } = this.#opts;
    let ticket;
    try {
      ticket = await api('POST', `${this.#townPath}/live/ticket`);
    } catch (e) {
      // No live route (or no right to it): poll for good. Anything else: try again later.
      if (e?.status === 404 || e?.status === 403) this.#socketUsable = false;
      say(`live updates unavailable (${e instanceof Error ? e.message : String(e)}); polling`);
      return;
    }
    const socket = new WebSocket(ticket.url);
    const opened = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), SOCKET_OPEN_TIMEOUT_MS);
      socket.addEventListener('open', () => {
        clearTimeout(timer);
        resolve(true);
      });
      socket.addEventListener('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (!opened) {
      socket.close();
      say('live socket did not open; polling');
      return;
    }
    this.#socket = socket;
    this.#lastRefreshAt = 0; // read once more: what changed while connecting
    socket.addEventListener('message', (m) => this.#frame(m.data));
    socket.addEventListener('close', (c) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      if (this.#socketUsable) say(`live socket closed (${c.code}); polling`);
    });
    say('live updates on');
  }

  #frame(data) {
    let frame;
    try {
      frame = JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
    } catch {
      return;
    }
    if (frame.type === 'snapshot') {
      this.agents = new Map(frame.agents.map((a) => [a.id, a]));
      this.#mayorFrom(frame.agents.find((a) => a.role === 'mayor'));
    } else if (frame.type === 'bead') {
      this.beads.set(frame.bead.id, frame.bead);
    } else if (frame.type === 'agent') {
      this.agents.set(frame.agent.id, frame.agent);
      if (frame.agent.role === 'mayor') this.#mayorFrom(frame.agent);
    } else if (frame.type === 'activity') {
      this.#activity(frame.event);
    } else {
      return;
    }
    this.#opts.onChange();
  }

  /** The mayor's status and message follow its agent row; the session state comes from the API. */
  #mayorFrom(agent) {
    if (agent === undefined) return;
    this.mayor = { ...(this.mayor ?? { session: null }), agent_id: agent.id, status: agent.status, status_message: agent.status_message };
  }

  #activity(event) {
    if (this.#lastSeq !== null && event.seq <= this.#lastSeq) return;
    this.#lastSeq = event.seq;
    this.#opts.onActivity(event);
  }
}
