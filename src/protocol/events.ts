/**
 * Town event payloads (`reconciler.md` §3, the `town_events` inbox) and the tick record (§8).
 * Agent and container routes and effect outcomes insert events with these; the tick's drain
 * validates each payload before `applyEvent`; `D/status` and `D/tick` return `TickRecord`.
 * Payload objects drop unknown keys: rows written by an older release must still apply.
 */
import { z } from 'zod';
import { IsoTime, IsoTimeInput, Uuid } from './common.ts';
import { Completed, Done, EvictionContext } from './agent.ts';
import { MergeResultReport } from './container.ts';
import { PrPollReport } from './scm.ts';

/** Every town event type. */
export const TownEventType = z.enum([
  'agent_done',
  'agent_completed',
  'container_status',
  'heartbeat_resumed',
  'mayor_waiting',
  'eviction_context',
  'dispatch_result',
  'pr_polled',
  'pr_merge_attempted',
  'mail_delivered',
  'nudge_sent',
  'merge_result',
  'container_eviction',
]);
export type TownEventType = z.infer<typeof TownEventType>;

/**
 * The agent token's `dispatchId`, copied into every event from an agent route; a mismatch with the
 * agent's `current_dispatch_id` makes the event stale. Null only for a prewarmed mayor's token.
 */
export const EventDispatchId = Uuid.nullable();

/** `agent_done`: P`/done` (`gt_done`). */
export const AgentDonePayload = z.object({ ...Done.shape, dispatch_id: EventDispatchId });
export type AgentDonePayload = z.infer<typeof AgentDonePayload>;

/** `agent_completed`: P`/completed` (the session ended). */
export const AgentCompletedPayload = z.object({ ...Completed.shape, dispatch_id: EventDispatchId });
export type AgentCompletedPayload = z.infer<typeof AgentCompletedPayload>;

/** `container_status`: the observe phase found a `working` agent exited or unknown to the container. */
export const ContainerStatusPayload = z.object({
  status: z.enum(['exited', 'not_found']),
  exit_reason: z.string().optional(),
});
export type ContainerStatusPayload = z.infer<typeof ContainerStatusPayload>;

/** `heartbeat_resumed`: a heartbeat from an idle agent that still holds a hook. */
export const HeartbeatResumedPayload = z.object({ dispatch_id: EventDispatchId });
export type HeartbeatResumedPayload = z.infer<typeof HeartbeatResumedPayload>;

/** `mayor_waiting`: P`/waiting`, the mayor's turn ended. */
export const MayorWaitingPayload = z.object({ dispatch_id: EventDispatchId, fired_at: IsoTimeInput });
export type MayorWaitingPayload = z.infer<typeof MayorWaitingPayload>;

/** `eviction_context`: P`/eviction-context`, WIP saved during a drain. */
export const EvictionContextPayload = z.object({ ...EvictionContext.shape, dispatch_id: EventDispatchId });
export type EvictionContextPayload = z.infer<typeof EvictionContextPayload>;

/** `dispatch_result`: outcome of the dispatch effect (`/agents/start`). */
export const DispatchResultPayload = z.object({
  dispatch_id: Uuid,
  ok: z.boolean(),
  error: z
    .object({ phase: z.string(), message: z.string(), status: z.number().int().optional() })
    .optional(),
});
export type DispatchResultPayload = z.infer<typeof DispatchResultPayload>;

/**
 * `pr_polled`: outcome of the `poll_pr` effect (`reconciler.md` §5.3): the status outcome and,
 * for an open GitHub PR of a rig with auto-resolve or auto-merge on, the feedback (`scm.md` §4–§5).
 */
export const PrPolledPayload = PrPollReport;
export type PrPolledPayload = z.infer<typeof PrPolledPayload>;

/** `pr_merge_attempted`: outcome of the `merge_pr` effect. */
export const PrMergeAttemptedPayload = z.object({
  ok: z.boolean(),
  merge_commit: z.string().optional(),
  error: z.string().optional(),
});
export type PrMergeAttemptedPayload = z.infer<typeof PrMergeAttemptedPayload>;

/** `mail_delivered`: outcome of the `deliver_mail` effect. */
export const MailDeliveredPayload = z.object({ message_ids: z.array(Uuid).min(1), ok: z.boolean() });
export type MailDeliveredPayload = z.infer<typeof MailDeliveredPayload>;

/** `nudge_sent`: outcome of the `send_nudge` effect. */
export const NudgeSentPayload = z.object({ nudge_id: Uuid, ok: z.boolean() });
export type NudgeSentPayload = z.infer<typeof NudgeSentPayload>;

/** `merge_result`: C`/merge-result`, the container's deterministic merge. */
export const MergeResultPayload = z.object({ ...MergeResultReport.shape });
export type MergeResultPayload = z.infer<typeof MergeResultPayload>;

/**
 * `container_eviction`: C`/eviction` (SIGTERM). The instance id and reason are kept for the
 * drain bookkeeping and audit (`container.md` §11).
 */
export const ContainerEvictionPayload = z.object({
  drain_nonce: z.string().min(1),
  container_instance_id: z.string().min(1).max(128).optional(),
  reason: z.string().optional(),
});
export type ContainerEvictionPayload = z.infer<typeof ContainerEvictionPayload>;

/** A town event's type and its validated payload, discriminated by `event_type`. */
export const TownEventBody = z.discriminatedUnion('event_type', [
  z.object({ event_type: z.literal('agent_done'), payload: AgentDonePayload }),
  z.object({ event_type: z.literal('agent_completed'), payload: AgentCompletedPayload }),
  z.object({ event_type: z.literal('container_status'), payload: ContainerStatusPayload }),
  z.object({ event_type: z.literal('heartbeat_resumed'), payload: HeartbeatResumedPayload }),
  z.object({ event_type: z.literal('mayor_waiting'), payload: MayorWaitingPayload }),
  z.object({ event_type: z.literal('eviction_context'), payload: EvictionContextPayload }),
  z.object({ event_type: z.literal('dispatch_result'), payload: DispatchResultPayload }),
  z.object({ event_type: z.literal('pr_polled'), payload: PrPolledPayload }),
  z.object({ event_type: z.literal('pr_merge_attempted'), payload: PrMergeAttemptedPayload }),
  z.object({ event_type: z.literal('mail_delivered'), payload: MailDeliveredPayload }),
  z.object({ event_type: z.literal('nudge_sent'), payload: NudgeSentPayload }),
  z.object({ event_type: z.literal('merge_result'), payload: MergeResultPayload }),
  z.object({ event_type: z.literal('container_eviction'), payload: ContainerEvictionPayload }),
]);
export type TownEventBody = z.infer<typeof TownEventBody>;
/** The payload type of one event type. */
export type TownEventPayloadOf<T extends TownEventType> = Extract<TownEventBody, { event_type: T }>['payload'];

// ---------------------------------------------------------------- tick record (§8)

/** The alarm cadence a tick chose (`reconciler.md` §2). */
export const TickCadence = z.enum(['active', 'pr_watch', 'idle']);
export type TickCadence = z.infer<typeof TickCadence>;

const Count = z.number().int().min(0);
const CountsByName = z.record(z.string(), Count);

/**
 * One tick's metrics, with exactly the names of `reconciler.md` §8 (also `D/status.last_tick`).
 * `phase_ms` is keyed by phase, `actions_by_type`/`effects_*` by action type, `violations` by
 * invariant. `oldest_pending_ms` is 0 with nothing pending; `next_alarm_ms` is the delay chosen
 * for the next alarm.
 */
export const TickRecord = z.object({
  at: IsoTime,
  wall_ms: z.number().min(0),
  phase_ms: z.record(z.string(), z.number().min(0)),
  events_drained: Count,
  events_failed: Count,
  events_dead_lettered: Count,
  events_stale: Count,
  actions_by_type: CountsByName,
  actions_stale: Count,
  actions_failed: Count,
  effects_ok: CountsByName,
  effects_failed: CountsByName,
  violations: CountsByName,
  pending_events: Count,
  oldest_pending_ms: z.number().min(0),
  breaker_open: z.boolean(),
  cadence: TickCadence,
  next_alarm_ms: z.number().min(0),
});
export type TickRecord = z.infer<typeof TickRecord>;
