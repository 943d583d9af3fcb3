/**
 * Bodies of the TownDO's `/debug` RPC methods that are more than a call: the status summary
 * (`http-api.md` §4.6), requeueing a dead letter and injecting a raw event. Plain functions over
 * `sql`; the DO adds the kick.
 */
import type { InboxEvent } from '../../protocol/api.ts';
import type { TickRecord } from '../../protocol/events.ts';
import { Conflict, NotFound } from '../../errors.ts';
import type { SqlHandle } from '../db/sql.ts';
import { findTownEvent, insertTownEvent, requeueDeadLetter, rowToInboxEvent, type NewTownEvent } from '../events/town-events.ts';
import { computeCadence } from '../reconciler/cadence.ts';
import type { Thresholds } from '../reconciler/constants.ts';
import { SqlTownView } from '../reconciler/view-sql.ts';
import { statusSummary } from './debug-views.ts';

export interface StatusInputs {
  alarmAt: number | null;
  lastTick: TickRecord | null;
  now: number;
  thresholds: Thresholds;
  development: boolean;
  containerState: string;
}

/** `D/status`: the alarm, agents, bead counts, the last tick record, drain and container state. */
export function debugStatus(sql: SqlHandle, s: StatusInputs) {
  const view = new SqlTownView(sql, s.development);
  // Before this instance's first tick: the cadence a tick would choose now.
  const cadence = s.lastTick ?? computeCadence(view, s.now, s.thresholds);
  return {
    alarm: { next_fire_at: s.alarmAt === null ? null : new Date(s.alarmAt).toISOString(), interval_ms: cadence.next_alarm_ms, cadence: cadence.cadence },
    ...statusSummary(sql),
    last_tick: s.lastTick,
    draining: view.drain().draining,
    container: { state: s.containerState },
  };
}

function inboxEvent(sql: SqlHandle, eventId: string): InboxEvent {
  const row = findTownEvent(sql, eventId);
  if (row === null) throw new NotFound('event', eventId);
  return rowToInboxEvent(row);
}

/** A dead letter made pending again (`retry_count` 0); 409 when it is not dead-lettered. */
export function requeueEvent(sql: SqlHandle, eventId: string): InboxEvent {
  inboxEvent(sql, eventId);
  if (!requeueDeadLetter(sql, eventId)) throw new Conflict('conflict', `Event ${eventId} is not dead-lettered.`);
  return inboxEvent(sql, eventId);
}

/** A raw town event inserted as is (development only; the route checks the environment). */
export function injectEvent(sql: SqlHandle, e: NewTownEvent, now: number): InboxEvent {
  return inboxEvent(sql, insertTownEvent(sql, e, now));
}
