/**
 * P`/heartbeat` (`reconciler.md` §3, `domain.md` §5): writes only the liveness columns, never a
 * status. An idle agent that still holds a hook gets a `heartbeat_resumed` event (the tick decides);
 * a heartbeat from another container instance ends a drain. Answers the drain nonce in force.
 */
import type { Heartbeat, HeartbeatResult } from '../../protocol/agent.ts';
import { iso } from '../db/clock.ts';
import type { TownCtx } from '../context.ts';
import { insertTownEvent } from '../events/town-events.ts';
import { liveAgent } from './agent-access.ts';
import { endDrainOnHeartbeat, isDrainingNow, readDrain } from './drain.ts';

/** The reply and whether an event was inserted (the caller kicks the alarm). */
export interface HeartbeatOutcome {
  result: HeartbeatResult;
  kicked: boolean;
}

/** Records one heartbeat of `agentId` sent with a token for `dispatchId`. */
export function recordHeartbeat(ctx: TownCtx, agentId: string, dispatchId: string | null, body: Heartbeat, drainMaxMs: number): HeartbeatOutcome {
  const agent = liveAgent(ctx.sql, agentId);
  const lastEventAt = body.last_event_at === null ? null : iso(Date.parse(body.last_event_at));
  ctx.sql.run(
    `UPDATE agent_metadata SET last_heartbeat_at = ?, last_event_type = ?, last_event_at = ?, active_tools = ? WHERE bead_id = ?`,
    iso(ctx.now),
    body.last_event_type,
    lastEventAt,
    JSON.stringify(body.active_tools),
    agentId,
  );
  let kicked = false;
  if (agent.status === 'idle' && agent.hooked_bead_id !== null) {
    // One pending row per agent: heartbeats every 30 s must not pile up while the tick waits.
    insertTownEvent(ctx.sql, { event_type: 'heartbeat_resumed', agent_id: agentId, payload: { dispatch_id: dispatchId }, dedupe_key: `heartbeat_resumed:${agentId}` }, ctx.now);
    kicked = true;
  }
  if (endDrainOnHeartbeat(ctx, body.container_instance_id)) kicked = true;
  const drain = readDrain(ctx.sql);
  return { result: { drain_nonce: isDrainingNow(drain, ctx.now, drainMaxMs) ? drain.drain_nonce : null }, kicked };
}
