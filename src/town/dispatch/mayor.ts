/**
 * The mayor's lifecycle (`reconciler.md` §6b): `startMayor` is the SQL half of a mayor start (the
 * caller runs the returned intent after commit), `mayorContext` is what the next start would
 * carry, for C`/mayor-id` and the container's prewarm — its `config` comes from the same
 * serializer, so the prewarmed server matches the next start byte for byte.
 */
import type { MayorIdResult } from '../../protocol/container.ts';
import { mintAgentToken } from '../../auth/mint.ts';
import { iso } from '../db/clock.ts';
import { first, str, type SqlHandle } from '../db/sql.ts';
import { newId, type EffectIntent, type TownCtx } from '../context.ts';
import { getOrCreateAgent } from '../agents/get-or-create.ts';
import { findAgentRecord } from '../agents/agent-rows.ts';
import { transitionAgent } from '../agents/transition.ts';
import { requireTown } from '../records/town-record.ts';
import { serializeContainerConfig, type DispatchEnv } from './container-config.ts';
import { modelFor } from './start-request.ts';

/**
 * getOrCreate the mayor → `working`, a new `current_dispatch_id`, `last_dispatch_at =
 * working_since = now`, progress cleared. Returns the dispatch intent (with the message and
 * dashboard context) for the caller to run after commit; nothing is pushed onto `ctx.effects`.
 */
export function startMayor(ctx: TownCtx, opts: { message?: string; uiContext?: string }): { agentId: string; dispatchId: string; intent: EffectIntent } {
  const agentId = getOrCreateAgent(ctx, 'mayor', null, 0);
  if (agentId === null) throw new Error('the mayor could not be created');
  const agent = findAgentRecord(ctx.sql, agentId);
  if (agent !== null && agent.status !== 'working') {
    transitionAgent(ctx, agentId, 'working', { from: agent.status, reason: { code: 'mayor_started', message: 'The mayor session is starting.' } });
  }
  const dispatchId = newId();
  const now = iso(ctx.now);
  ctx.sql.run(
    `UPDATE agent_metadata SET current_dispatch_id = ?, last_dispatch_at = ?, working_since = ?, last_event_at = NULL, last_event_type = NULL, active_tools = '[]' WHERE bead_id = ?`,
    dispatchId,
    now,
    now,
    agentId,
  );
  const intent: EffectIntent = {
    kind: 'dispatch',
    agent_id: agentId,
    bead_id: null,
    dispatch_id: dispatchId,
    role: 'mayor',
    ...(opts.message === undefined ? {} : { prompt: opts.message }),
    ...(opts.uiContext === undefined ? {} : { dashboard_context: opts.uiContext }),
  };
  return { agentId, dispatchId, intent };
}

/** The town's non-dead mayor, if any. */
export function mayorIdOf(sql: SqlHandle): string | null {
  const row = first(sql, `SELECT bead_id FROM agent_metadata WHERE role = 'mayor' AND status <> 'dead' LIMIT 1`);
  return row === null ? null : str(row, 'bead_id');
}

/** What the next mayor start would carry: id, a fresh mayor token (`dispatchId: null`), models, config. */
export async function mayorContext(env: DispatchEnv, sql: SqlHandle, now: number): Promise<MayorIdResult> {
  const town = requireTown(sql);
  const agentId = mayorIdOf(sql);
  const models = modelFor(town.config, 'mayor', null);
  const config = await serializeContainerConfig(env, town, now);
  const token =
    agentId === null ? null : (await mintAgentToken(env.GASTOWN_JWT_SECRET, { townId: town.id, rigId: town.id, agentId, role: 'mayor', dispatchId: null }, now)).token;
  return { agent_id: agentId, agent_token: token, model: models.model, small_model: models.small_model, config };
}
