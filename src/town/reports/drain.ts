/**
 * Container drain bookkeeping (`container.md` §11; `town_state` keys `draining`, `drain_nonce`,
 * `drain_started_at`, `container_instance_id`): C`/eviction` starts a drain (one nonce per
 * evicted instance), C`/ready` with that nonce or a heartbeat from another instance ends it, and
 * 7 min after its start it no longer counts. Called by the container and heartbeat reports.
 */
import type { ContainerEviction, ContainerReady, DrainStatus } from '../../protocol/container.ts';
import { Conflict } from '../../errors.ts';
import { iso } from '../db/clock.ts';
import type { SqlHandle } from '../db/sql.ts';
import type { TownCtx } from '../context.ts';
import { insertTownEvent } from '../events/town-events.ts';
import type { DrainState } from '../reconciler/view.ts';
import { readTownState, writeTownState } from './town-state.ts';
import { endDrain, type DrainEndReason } from '../dispatch/container-upkeep.ts';

/** The stored drain bookkeeping, as written (not yet checked against the 7 min cap). */
export function readDrain(sql: SqlHandle): DrainState {
  const read = (key: string): unknown => readTownState(sql, key)?.value ?? null;
  const nonce = read('drain_nonce');
  const started = read('drain_started_at');
  const instance = read('container_instance_id');
  return {
    draining: read('draining') === true,
    drain_nonce: typeof nonce === 'string' ? nonce : null,
    drain_started_at: typeof started === 'number' ? started : null,
    container_instance_id: typeof instance === 'string' ? instance : null,
  };
}

/** Whether the town drains now: a stored drain younger than `maxMs` (`DRAIN_MAX_MS`). */
export function isDrainingNow(drain: DrainState, now: number, maxMs: number): boolean {
  return drain.draining && (drain.drain_started_at === null || now - drain.drain_started_at < maxMs);
}

/** C`/drain-status`: the drain in force now; nonce and start only while it lasts. */
export function drainStatus(sql: SqlHandle, now: number, maxMs: number): DrainStatus {
  const drain = readDrain(sql);
  if (!isDrainingNow(drain, now, maxMs)) return { draining: false, drain_nonce: null, drain_started_at: null };
  return { draining: true, drain_nonce: drain.drain_nonce, drain_started_at: drain.drain_started_at === null ? null : iso(drain.drain_started_at) };
}

/**
 * C`/eviction`: a repeat from the instance already draining gets its nonce back (no new event);
 * otherwise a new drain is recorded at once (so drain-status and heartbeats see it) and a
 * `container_eviction` event lets the next tick apply the rest (a live mayor → idle, audit).
 */
export function startDrain(ctx: TownCtx, body: ContainerEviction): { drain_nonce: string } {
  const drain = readDrain(ctx.sql);
  if (drain.draining && drain.drain_nonce !== null && drain.container_instance_id === body.container_instance_id) {
    return { drain_nonce: drain.drain_nonce };
  }
  const nonce = crypto.randomUUID();
  writeTownState(ctx.sql, 'draining', true, ctx.now);
  writeTownState(ctx.sql, 'drain_nonce', nonce, ctx.now);
  writeTownState(ctx.sql, 'drain_started_at', ctx.now, ctx.now);
  writeTownState(ctx.sql, 'container_instance_id', body.container_instance_id, ctx.now);
  const payload = { drain_nonce: nonce, container_instance_id: body.container_instance_id, ...(body.reason === undefined ? {} : { reason: body.reason }) };
  insertTownEvent(ctx.sql, { event_type: 'container_eviction', payload }, ctx.now);
  return { drain_nonce: nonce };
}

/**
 * Ends the drain through the container upkeep's `endDrain` (not draining, no start time, the last
 * nonce kept so a late C`/ready` carrying it still succeeds) and records the new instance.
 */
function endDrainFor(ctx: TownCtx, reason: DrainEndReason, containerInstanceId: string): void {
  endDrain(ctx.sql, reason, ctx.now);
  writeTownState(ctx.sql, 'container_instance_id', containerInstanceId, ctx.now);
}

/** C`/ready`: the nonce of the current (or last) drain ends it; any other is a 409 `nonce_mismatch`. */
export function containerReady(ctx: TownCtx, body: ContainerReady): { draining: false } {
  const drain = readDrain(ctx.sql);
  if (drain.drain_nonce === null || drain.drain_nonce !== body.nonce) {
    throw new Conflict('nonce_mismatch', 'The nonce does not match the current drain.');
  }
  if (drain.draining) endDrainFor(ctx, 'ready', body.container_instance_id);
  return { draining: false };
}

/** A heartbeat from another instance than the one that was evicted ends the drain; true if it did. */
export function endDrainOnHeartbeat(ctx: TownCtx, containerInstanceId: string): boolean {
  const drain = readDrain(ctx.sql);
  if (!drain.draining || drain.container_instance_id === null || drain.container_instance_id === containerInstanceId) return false;
  endDrainFor(ctx, 'new_instance', containerInstanceId);
  return true;
}
