/**
 * Per-socket state of a live socket, kept with the hibernation API's attachment so it survives
 * the TownDO sleeping: who opened it, which agent it watches, and the last activity `seq` it was
 * sent (the change tracker resumes from it after a wake-up). Plus a send that never throws.
 */
import { z } from 'zod';
import { logLine } from '../../observability/log.ts';

/** What `serializeAttachment` holds for each socket. */
export const SocketAttachment = z.object({
  sub: z.string(),
  watch_agent_id: z.string().nullable(),
  seq: z.number().int().min(0),
});
export type SocketAttachment = z.infer<typeof SocketAttachment>;

/** The socket's attachment; a socket without a readable one watches nothing from seq 0. */
export function readAttachment(ws: WebSocket): SocketAttachment {
  const parsed = SocketAttachment.safeParse(ws.deserializeAttachment());
  return parsed.success ? parsed.data : { sub: '', watch_agent_id: null, seq: 0 };
}

export function writeAttachment(ws: WebSocket, attachment: SocketAttachment): void {
  ws.serializeAttachment(attachment);
}

/** Sends one text frame; a socket that is closing or closed is skipped. Returns whether it went out. */
export function sendFrame(ws: WebSocket, payload: string): boolean {
  if (ws.readyState !== WebSocket.OPEN) return false;
  try {
    ws.send(payload);
    return true;
  } catch (e) {
    // The peer went away between the state check and the send; its close handler cleans up.
    logLine('warn', 'live.send_failed', { error_message: e instanceof Error ? e.message : String(e) });
    return false;
  }
}
