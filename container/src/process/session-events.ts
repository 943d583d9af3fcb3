/**
 * What one session event does to an agent record (`container.md` §5.4): activity and last-event
 * fields, `busy` from `session.status`/`session.idle`, `active_tools` from tool parts (pending or
 * running in, completed or error out) and `last_error` from `session.error` (aborts excluded).
 */
import type { KiloEvent } from '../kilo/backend.ts';
import type { AgentRecord } from './agent-record.ts';

/** Server housekeeping: never recorded, never cancels the idle timer. */
export const NOISE_EVENTS: ReadonlySet<string> = new Set(['server.heartbeat', 'server.connected', 'server.instance.disposed']);

/** How an event relates to the idle timer. */
export type IdleEffect = 'none' | 'activity' | 'idle';

function obj(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** The message of a `session.error`, or null for an abort. */
export function sessionErrorMessage(properties: Record<string, unknown>): string | null {
  const error = obj(properties.error);
  if (error === null) return 'session error';
  const name = typeof error.name === 'string' ? error.name : 'Error';
  if (name === 'MessageAbortedError') return null;
  const data = obj(error.data);
  const message = typeof data?.message === 'string' ? data.message : typeof error.message === 'string' ? error.message : '';
  return message === '' ? name : `${name}: ${message}`;
}

/**
 * Applies `event` to `record`. Returns `idle` for the events that confirm idleness
 * (`session.idle`, `session.status` idle), `activity` for every other recorded event and
 * `none` for noise.
 */
export function applyEvent(record: AgentRecord, event: KiloEvent, now: string): IdleEffect {
  if (NOISE_EVENTS.has(event.type)) return 'none';
  record.lastActivityAt = now;
  record.lastEventAt = now;
  record.lastEventType = event.type;
  const p = event.properties;
  switch (event.type) {
    case 'session.status': {
      const type = obj(p.status)?.type;
      if (type === 'idle') {
        record.busy = false;
        return 'idle';
      }
      if (type === 'busy' || type === 'retry') {
        if (!record.busy) record.turnError = null;
        record.busy = true;
      }
      return 'activity';
    }
    case 'session.idle':
      record.busy = false;
      return 'idle';
    case 'session.error': {
      const message = sessionErrorMessage(p);
      if (message !== null) {
        record.lastError = message;
        record.turnError = message;
      }
      return 'activity';
    }
    case 'message.part.updated': {
      const part = obj(p.part);
      if (part?.type === 'tool' && typeof part.callID === 'string') {
        const status = obj(part.state)?.status;
        if (status === 'pending' || status === 'running') record.activeTools.set(part.callID, typeof part.tool === 'string' ? part.tool : 'unknown');
        else if (status === 'completed' || status === 'error') record.activeTools.delete(part.callID);
      }
      return 'activity';
    }
    default:
      return 'activity';
  }
}
