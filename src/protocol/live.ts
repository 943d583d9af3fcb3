/**
 * Live-update socket frames (`http-api.md` §4.2): what the TownDO's `live.ts` sends to the
 * dashboard, and the one client message it reads (`watch_agent`). The dashboard parses frames
 * with `LiveFrame`; the server builds them with the same schemas.
 */
import { z } from 'zod';
import { Uuid } from './common.ts';
import { ActivityEvent, Agent, AgentEvent, Bead, Convoy, TownDetail } from './api.ts';
import { UiAction } from './agent.ts';

/** Close code sent to every socket of a town when the town is deleted. */
export const LIVE_CLOSE_TOWN_DELETED = 4404;

/** Sent once on connect. */
export const LiveSnapshotFrame = z.object({ type: z.literal('snapshot'), town: TownDetail, agents: z.array(Agent) });
/** A bead row changed. */
export const LiveBeadFrame = z.object({ type: z.literal('bead'), bead: Bead });
/** An agent row changed. */
export const LiveAgentFrame = z.object({ type: z.literal('agent'), agent: Agent });
/** A convoy changed. */
export const LiveConvoyFrame = z.object({ type: z.literal('convoy'), convoy: Convoy });
/** A new activity event (backfill from its `seq` with T`/activity`). */
export const LiveActivityFrame = z.object({ type: z.literal('activity'), event: ActivityEvent });
/** A `gt_ui_action` from the mayor. */
export const LiveUiActionFrame = z.object({ type: z.literal('ui_action'), action: UiAction });
/** A session event of the agent this socket watches (only that one). */
export const LiveAgentEventFrame = z.object({ type: z.literal('agent_event'), agent_id: z.string(), event: AgentEvent });

/** Every server → client frame, discriminated by `type`. */
export const LiveFrame = z.discriminatedUnion('type', [
  LiveSnapshotFrame,
  LiveBeadFrame,
  LiveAgentFrame,
  LiveConvoyFrame,
  LiveActivityFrame,
  LiveUiActionFrame,
  LiveAgentEventFrame,
]);
export type LiveFrame = z.infer<typeof LiveFrame>;
/** The `type` values of `LiveFrame`. */
export type LiveFrameType = LiveFrame['type'];

/**
 * Client → server: choose the agent whose session events this socket receives (null = none).
 * The server ignores every message that does not parse as this.
 */
export const WatchAgent = z.strictObject({ type: z.literal('watch_agent'), agent_id: Uuid.nullable() });
export type WatchAgent = z.infer<typeof WatchAgent>;
