/**
 * The watchdog's `healthCheck()` (`reconciler.md` §2): called by the UserDO every 5 min, it
 * re-arms a missing alarm for an existing town at the idle cadence. Kicks live in the
 * scheduler.
 */
import { findTown } from '../records/town-record.ts';
import type { SqlHandle } from '../db/sql.ts';

/** Re-arms a missing alarm for an existing town; returns whether it did. */
export async function healthCheck(sql: SqlHandle, storage: DurableObjectStorage, intervalMs: (idleSeconds: number) => number): Promise<{ alarm_rearmed: boolean }> {
  const town = findTown(sql);
  if (town === null) return { alarm_rearmed: false };
  if ((await storage.getAlarm()) !== null) return { alarm_rearmed: false };
  await storage.setAlarm(Date.now() + intervalMs(town.config.alarm.idle_interval_seconds));
  return { alarm_rearmed: true };
}
