/**
 * LiveHub: the dashboard's live sockets of one town (`http-api.md` §2 rule 7, §4.2 live frames).
 * Interface fixed here; implementation in progress (see the live-updates task).
 */
import type { SqlHandle } from '../db/sql.ts';

export class LiveHub {
  constructor(
    readonly state: DurableObjectState,
    readonly sql: SqlHandle,
    readonly development: boolean,
  ) {}

  /** A one-use 60 s ticket for `sub`. */
  issueTicket(_sub: string, _now: number): { ticket: string; expires_at: string } {
    throw new Error('live tickets are not implemented yet');
  }

  /** Accepts the WebSocket upgrade for a valid ticket, else a 401/426 response. */
  upgrade(_request: Request, _now: number): Response {
    return Response.json({ error: { code: 'upgrade_required', message: 'Live updates are not available yet.' } }, { status: 426 });
  }

  onMessage(_ws: WebSocket, _message: string | ArrayBuffer): void {}

  onClose(_ws: WebSocket): void {}

  /** Pushes frames for everything that changed since the last broadcast. */
  broadcastChanges(): void {}

  /** Sends `{type: 'ui_action', action}` to every socket; returns how many it reached. */
  broadcastUiAction(_action: unknown): number {
    return 0;
  }

  /** Sends an agent event to the sockets watching that agent. */
  broadcastAgentEvent(_agentId: string, _event: unknown): void {}

  /** Closes every socket (town deleted: code 4404). */
  closeAll(_code: number, _reason: string): void {}
}
