/**
 * Debug route bodies and replies (`http-api.md` §4.6: D = `/debug/towns/:townId`, admin token or
 * development localhost). The worker's debug routes validate with these; fault tests and
 * operators' scripts build their requests from them.
 */
import { z } from 'zod';
import { BeadRef, Agent } from './api.ts';
import { BeadStatus, BeadType, IsoTime, IsoTimeInput, JsonObject, PageQuery, Uuid } from './common.ts';
import { TickCadence, TickRecord, TownEventType } from './events.ts';

/** The widest replay window by time. */
export const REPLAY_MAX_RANGE_MS = 7 * 24 * 60 * 60 * 1000;

/** D`/replay-events` by time: `from < to`, at most 7 days apart. */
export const ReplayRange = z
  .strictObject({ from: IsoTimeInput, to: IsoTimeInput })
  .superRefine((r, ctx) => {
    const span = Date.parse(r.to) - Date.parse(r.from);
    if (!(span > 0)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'from must be before to' });
    } else if (span > REPLAY_MAX_RANGE_MS) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'the range must be at most 7 days' });
    }
  });
export type ReplayRange = z.infer<typeof ReplayRange>;

/** D`/replay-events` by id: 1–500 processed events. */
export const ReplayIds = z.strictObject({ event_ids: z.array(Uuid).min(1).max(500) });
export type ReplayIds = z.infer<typeof ReplayIds>;

/** D`/replay-events`: either a time range or a list of event ids (never both). */
export const ReplayRequest = z.union([ReplayRange, ReplayIds]);
export type ReplayRequest = z.infer<typeof ReplayRequest>;

/** D`/events` POST (development only): a raw town event, inserted as is (payload unchecked) and kicked. */
export const RawEventInsert = z.strictObject({
  event_type: TownEventType,
  agent_id: Uuid.optional(),
  bead_id: Uuid.optional(),
  payload: JsonObject,
});
export type RawEventInsert = z.infer<typeof RawEventInsert>;

/** D`/events` GET: pending and/or dead-lettered inbox events (default: both). */
export const DebugEventsQuery = PageQuery.extend({ state: z.enum(['pending', 'dead_lettered']).optional() });
export type DebugEventsQuery = z.infer<typeof DebugEventsQuery>;

/** D`/status`: alarm, agents, bead counts, the last tick record, drain and container state. */
export const DebugStatus = z.object({
  alarm: z.object({
    next_fire_at: IsoTime.nullable(),
    interval_ms: z.number().min(0),
    cadence: TickCadence,
  }),
  agents: z.array(Agent),
  beads: z.object({
    // Only the (type, status) pairs that have beads appear.
    counts: z.partialRecord(BeadType, z.partialRecord(BeadStatus, z.number().int().min(0))),
    non_terminal: z.array(BeadRef),
  }),
  last_tick: TickRecord.nullable(),
  draining: z.boolean(),
  container: z.object({ state: z.string() }),
});
export type DebugStatus = z.infer<typeof DebugStatus>;

/**
 * D`/seams` POST (development only): arms the TownDO's test seams. `abort_after_commit: n`
 * (1–100) aborts the object right after the commit of the n-th coming tick that has effects to
 * run, before they run; 0 disarms. Kept in the object's memory, so the abort disarms it.
 */
export const SeamsArm = z.strictObject({ abort_after_commit: z.number().int().min(0).max(100) });
export type SeamsArm = z.infer<typeof SeamsArm>;
/** D`/seams` reply: the seams as now armed. */
export const SeamsState = z.object({ abort_after_commit: z.number().int().min(0) });
export type SeamsState = z.infer<typeof SeamsState>;
