/**
 * Alarm scheduling shared by commands and the watchdog (`reconciler.md` §2): `kick()` moves the
 * alarm to now when the pending one is later (never postpones); `healthCheck()` re-arms a
 * missing alarm at the idle cadence. The tick itself arrives with the reconciler.
 */
import { findTown } from '../records/town-record.ts';
import type { SqlHandle } from '../db/sql.ts';

/** Sets the alarm to `now` unless one is already due sooner. */
export async function kick(storage: DurableObjectStorage, now: number): Promise<void> {
  const pending = await storage.getAlarm();
  if (pending === null || pending > now) await storage.setAlarm(now);
}

/** Re-arms a missing alarm for an existing town; returns whether it did. */
export async function healthCheck(sql: SqlHandle, storage: DurableObjectStorage, now: number): Promise<{ alarm_rearmed: boolean }> {
  const town = findTown(sql);
  if (town === null) return { alarm_rearmed: false };
  if ((await storage.getAlarm()) !== null) return { alarm_rearmed: false };
  await storage.setAlarm(now + town.config.alarm.idle_interval_seconds * 1000);
  return { alarm_rearmed: true };
}
