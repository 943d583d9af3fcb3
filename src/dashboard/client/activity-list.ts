/**
 * Keeping an activity list current: merge new events (from a frame or a poll) by `seq`, drop
 * duplicates, keep the newest `max`. Pure.
 */
import type { ActivityEvent } from '../../protocol/api.ts';

export function appendActivity(current: readonly ActivityEvent[], incoming: readonly ActivityEvent[], max: number): ActivityEvent[] {
  const bySeq = new Map<number, ActivityEvent>();
  for (const e of current) bySeq.set(e.seq, e);
  for (const e of incoming) bySeq.set(e.seq, e);
  const sorted = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  return sorted.slice(Math.max(0, sorted.length - max));
}
