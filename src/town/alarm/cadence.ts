/**
 * The watchdog's `healthCheck()` (`reconciler.md` §2): called by the UserDO every 5 min, it
 * re-arms a missing alarm for an existing town at the right cadence (the delay a tick would
 * choose now, given by the caller). Kicks live in the scheduler.
 */
import { findTown } from '../records/town-record.ts';
import type { SqlHandle } from '../db/sql.ts';

/** Re-arms a missing alarm for an existing town; returns whether it did. */
export async function healthCheck(sql: SqlHandle, storage: DurableObjectStorage, nextDelayMs: () => number): Promise<{ alarm_rearmed: boolean }> {
  if (findTown(sql) === null) return { alarm_rearmed: false };
  if ((await storage.getAlarm()) !== null) return { alarm_rearmed: false };
  await storage.setAlarm(Date.now() + nextDelayMs());
  return { alarm_rearmed: true };
}
