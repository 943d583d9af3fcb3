/**
 * LiveHub: the dashboard's live sockets of one town (`http-api.md` §2 rule 7, §4.2 live frames).
 * The TownDO's facade for tickets (`tickets.ts`), the upgrade, per-socket watch state
 * (`sockets.ts`, hibernation attachments) and broadcasts of what changed (`change-tracker.ts`).
 * Broadcasts never throw: a live-update failure must not fail the write or tick behind it.
 */
import type { LiveFrame } from '../../protocol/live.ts';
import { WatchAgent } from '../../protocol/live.ts';
import { logLine } from '../../observability/log.ts';
import type { SqlHandle } from '../db/sql.ts';
import { findTown } from '../records/town-record.ts';
import { ChangeTracker } from './change-tracker.ts';
import { agentEventFrame, encodeFrame, snapshotFrame, uiActionFrame } from './frames.ts';
import { badTicket, isWebSocketUpgrade, townNotFound, upgradeRequired } from './responses.ts';
import { readAttachment, sendFrame, writeAttachment } from './sockets.ts';
import { TicketBook, type IssuedTicket } from './tickets.ts';

/** Client messages larger than this are ignored unread (a `watch_agent` is under 100 bytes). */
const MAX_CLIENT_MESSAGE = 1024;

export class LiveHub {
  private readonly tickets = new TicketBook();
  /** Null while no socket is open, and after a wake-up from hibernation until first needed. */
  private tracker: ChangeTracker | null = null;

  constructor(
    readonly state: DurableObjectState,
    readonly sql: SqlHandle,
    readonly development: boolean,
  ) {}

  /** A one-use 60 s ticket for `sub`. */
  issueTicket(sub: string, now: number): IssuedTicket {
    return this.tickets.issue(sub, now);
  }

  /**
   * Accepts the WebSocket upgrade for a valid ticket and sends the snapshot; else 426 (not an
   * upgrade; the ticket is left unused), 401 `bad_ticket`, or 404 (town deleted meanwhile).
   */
  upgrade(request: Request, now: number): Response {
    if (!isWebSocketUpgrade(request)) return upgradeRequired();
    const sub = this.tickets.redeem(new URL(request.url).searchParams.get('ticket'), now);
    if (sub === null) return badTicket();
    if (findTown(this.sql) === null) return townNotFound();
    const tracker = this.trackerFor(this.state.getWebSockets());
    const pair = new WebSocketPair();
    const client = pair[0];
    const server = pair[1];
    this.state.acceptWebSocket(server);
    writeAttachment(server, { sub, watch_agent_id: null, seq: tracker.seq });
    sendFrame(server, encodeFrame(snapshotFrame(this.sql)));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Honours `{type: 'watch_agent', agent_id}`; every other message is ignored. */
  onMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    if (typeof message !== 'string' || message.length > MAX_CLIENT_MESSAGE) return;
    let value: unknown;
    try {
      value = JSON.parse(message);
    } catch {
      return;
    }
    const watch = WatchAgent.safeParse(value);
    if (!watch.success) return;
    writeAttachment(ws, { ...readAttachment(ws), watch_agent_id: watch.data.agent_id === null ? null : watch.data.agent_id.toLowerCase() });
  }

  /** The runtime answers the close handshake itself; tracking stops with the last socket. */
  onClose(ws: WebSocket): void {
    if (this.state.getWebSockets().every((other) => other === ws)) this.tracker = null;
  }

  /** Pushes frames for everything that changed since the last broadcast. */
  broadcastChanges(): void {
    const sockets = this.state.getWebSockets();
    if (sockets.length === 0) {
      this.tracker = null;
      return;
    }
    try {
      const tracker = this.trackerFor(sockets);
      const before = tracker.seq;
      const payloads = tracker.collect(this.sql).map(encodeFrame);
      for (const ws of sockets) {
        for (const payload of payloads) sendFrame(ws, payload);
        if (tracker.seq !== before) writeAttachment(ws, { ...readAttachment(ws), seq: tracker.seq });
      }
    } catch (e) {
      // Start over from the current state rather than repeat the failure on every write.
      this.tracker = null;
      logLine('error', 'live.broadcast_failed', { error_message: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Sends `{type: 'ui_action', action}` to every socket; returns how many it reached. */
  broadcastUiAction(action: unknown): number {
    const frame = uiActionFrame(action);
    if (frame === null) return 0;
    return this.sendWhere(frame, () => true);
  }

  /** Sends an agent event to the sockets watching that agent. */
  broadcastAgentEvent(agentId: string, event: unknown): void {
    const id = agentId.toLowerCase();
    const frame = agentEventFrame(id, event);
    if (frame === null) return;
    this.sendWhere(frame, (ws) => readAttachment(ws).watch_agent_id === id);
  }

  /** Closes every socket (town deleted: code 4404) and forgets the town's tickets. */
  closeAll(code: number, reason: string): void {
    for (const ws of this.state.getWebSockets()) {
      try {
        ws.close(code, reason);
      } catch (e) {
        logLine('warn', 'live.close_failed', { error_message: e instanceof Error ? e.message : String(e) });
      }
    }
    this.tickets.clear();
    this.tracker = null;
  }

  private sendWhere(frame: LiveFrame, wanted: (ws: WebSocket) => boolean): number {
    const payload = encodeFrame(frame);
    let reached = 0;
    for (const ws of this.state.getWebSockets()) {
      if (wanted(ws) && sendFrame(ws, payload)) reached += 1;
    }
    return reached;
  }

  /**
   * The tracker, created when missing: from the current state when no socket is open yet;
   * after a wake-up from hibernation, from the lowest seq the open sockets were sent.
   */
  private trackerFor(sockets: WebSocket[]): ChangeTracker {
    if (this.tracker !== null) return this.tracker;
    const seqs = sockets.map((ws) => readAttachment(ws).seq);
    this.tracker = seqs.length === 0 ? ChangeTracker.fromNow(this.sql) : ChangeTracker.resumed(this.sql, Math.min(...seqs));
    return this.tracker;
  }
}
