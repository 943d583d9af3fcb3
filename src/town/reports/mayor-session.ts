/**
 * T`/mayor/ensure` and T`/mayor/message` (`reconciler.md` §6b): with no session (mayor idle or
 * absent) both call `startMayor`, whose start request carries the message and `ui_context`; a live
 * session gets the context by `/dashboard-context`, then the message by `/agents/:id/message`, and
 * a `waiting` mayor becomes `working`. A message while the container drains is a 503.
 */
import type { MayorStatus } from '../../protocol/api.ts';
import { Unavailable } from '../../errors.ts';
import { logLine } from '../../observability/log.ts';
import type { TownCtx } from '../context.ts';
import { startMayor } from '../dispatch/mayor.ts';
import { transitionAgent } from '../agents/transition.ts';
import { getOrCreateAgent } from '../agents/get-or-create.ts';
import { requireTown } from '../records/town-record.ts';
import { isDrainingNow, readDrain } from './drain.ts';
import { findMayor, mayorStatus } from './mayor-status.ts';
import { MAYOR_CONTROL_TIMEOUT_MS, type MayorPorts } from './mayor-ports.ts';

/** A T`/mayor/message` body. */
export interface MayorMessageInput {
  message: string;
  ui_context?: string | undefined;
}

/** Starts the mayor (creating it if missing); its dispatch intent runs after the commit. */
function start(ctx: TownCtx, opts: { message?: string; uiContext?: string }): void {
  const started = startMayor(ctx, opts);
  ctx.effects.push(started.intent);
}

/**
 * Idempotent: creates the mayor if missing and starts it only when no session runs. While the
 * container drains it is created but not started (the start would be refused); the dashboard's
 * next ensure starts it.
 */
export async function ensureMayor(ports: MayorPorts): Promise<MayorStatus> {
  const torn = await tornDownSession(ports);
  return ports.write((ctx) => {
    requireTown(ctx.sql);
    if (torn !== null) {
      // The container no longer has the session the town thinks is live: mark it idle, start anew.
      const current = findMayor(ctx.sql);
      if (current !== null && current.id === torn.id && current.status === torn.status) {
        transitionAgent(ctx, torn.id, 'idle', { from: torn.status, reason: { code: 'session_gone', message: 'The container has no session for the mayor.' } });
      }
    }
    const mayor = findMayor(ctx.sql);
    const idle = mayor === null || mayor.status === 'idle';
    if (isDrainingNow(readDrain(ctx.sql), ctx.now, ports.drainMaxMs)) getOrCreateAgent(ctx, 'mayor', null, 0);
    else if (idle) start(ctx, {});
    return mayorStatus(ctx.sql);
  });
}

/**
 * A `working`/`waiting` mayor whose session the container does not know (a stopped container, or
 * a control server that hydrated without it): `GET /agents/:id/status` answers 404. Never starts
 * the container; any other answer (or no answer) trusts the town's view.
 */
async function tornDownSession(ports: MayorPorts): Promise<{ id: string; status: 'working' | 'waiting' } | null> {
  const mayor = ports.read((sql) => findMayor(sql));
  if (mayor === null || (mayor.status !== 'working' && mayor.status !== 'waiting')) return null;
  try {
    const res = await ports.control().request('GET', `/agents/${mayor.id}/status`, undefined, { timeoutMs: MAYOR_CONTROL_TIMEOUT_MS, startOnDemand: false });
    return res.status === 404 ? { id: mayor.id, status: mayor.status } : null;
  } catch (e) {
    logLine('warn', 'mayor.status_check_failed', { error: e instanceof Error ? e.message : 'unknown' });
    return null;
  }
}

type Plan = { delivery: 'starting' } | { send: string };

function startWith(ctx: TownCtx, input: MayorMessageInput): { delivery: 'starting' } {
  start(ctx, { message: input.message, ...(input.ui_context === undefined ? {} : { uiContext: input.ui_context }) });
  return { delivery: 'starting' };
}

/** The `error.code` of a control-server error envelope, if any. */
function errorCodeOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || !('error' in body)) return null;
  const error: unknown = body.error;
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : null;
}

/** Delivers a user message to the mayor: `sent` to a live session, else `starting` a new one. */
export async function messageMayor(ports: MayorPorts, input: MayorMessageInput): Promise<{ delivery: 'sent' | 'starting' }> {
  const plan = await ports.write((ctx): Plan => {
    requireTown(ctx.sql);
    if (isDrainingNow(readDrain(ctx.sql), ctx.now, ports.drainMaxMs)) throw new Unavailable('container_draining', 'The container is draining; retry in a few minutes.', 30);
    const mayor = findMayor(ctx.sql);
    if (mayor === null || mayor.status === 'idle') return startWith(ctx, input);
    return { send: mayor.id };
  });
  if ('delivery' in plan) return plan;
  const agentId = plan.send;
  const control = ports.control();
  if (input.ui_context !== undefined) {
    const ctxRes = await control.request('POST', '/dashboard-context', { context: input.ui_context }, { timeoutMs: MAYOR_CONTROL_TIMEOUT_MS, startOnDemand: false }).catch((e: unknown) => ({ status: 0, body: String(e) }));
    if (ctxRes.status < 200 || ctxRes.status >= 300) logLine('warn', 'mayor.dashboard_context_failed', { agent_id: agentId, status: ctxRes.status });
  }
  let res: { status: number; body: unknown };
  try {
    res = await control.request('POST', `/agents/${agentId}/message`, { text: input.message }, { timeoutMs: MAYOR_CONTROL_TIMEOUT_MS, startOnDemand: true });
  } catch (e) {
    logLine('warn', 'mayor.message_failed', { agent_id: agentId, error_message: e instanceof Error ? e.message.slice(0, 200) : 'unknown' });
    throw new Unavailable('container_unavailable', 'The container could not be reached; retry shortly.');
  }
  if (res.status === 404 || res.status === 409) {
    // The container holds no running session for the mayor (restarted, or it exited): start one.
    return ports.write((ctx) => startWith(ctx, input));
  }
  if (errorCodeOf(res.body) === 'container_draining') throw new Unavailable('container_draining', 'The container is draining; retry in a few minutes.', 30);
  if (res.status < 200 || res.status >= 300) throw new Unavailable('container_unavailable', `The container refused the message (${res.status}).`);
  await ports.write((ctx) => {
    transitionAgent(ctx, agentId, 'working', { from: 'waiting', reason: { code: 'message_delivered', message: 'a dashboard message was delivered to the mayor' } });
  });
  return { delivery: 'sent' };
}
