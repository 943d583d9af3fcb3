/**
 * Town-side container bookkeeping run by the TownDO after each tick (`container.md` §11), not
 * inside the pure core: the drain's 7-minute end, the idle stop (nothing working or merging, the
 * mayor quiet ≥ 5 min, at most once per 2 min; a `waiting` mayor → `idle`) and hourly container-token pushes
 * while agents are live; plus `/sync-config` after a config change and `endDrain`.
 */
import { mintContainerToken } from '../../auth/mint.ts';
import type { ContainerHandle } from '../../container/control-client.ts';
import { CONTROL_TIMEOUTS } from '../../container/control-rules.ts';
import { logLine } from '../../observability/log.ts';
import type { TownCtx } from '../context.ts';
import { ms } from '../db/clock.ts';
import { first, num, strOrNull, type SqlHandle } from '../db/sql.ts';
import { transitionAgent } from '../agents/transition.ts';
import type { Thresholds } from '../reconciler/constants.ts';
import { findTown } from '../records/town-record.ts';
import { readTownState, writeTownState } from '../reports/town-state.ts';
import { readDrain } from '../reports/drain.ts';
import { serializeContainerConfig, type DispatchEnv } from './container-config.ts';

const MIN = 60_000;

/** Upkeep intervals (production); the test timing profile divides them like the thresholds. */
export const UPKEEP = Object.freeze({ MAYOR_QUIET_MS: 5 * MIN, IDLE_STOP_GAP_MS: 2 * MIN, TOKEN_PUSH_GAP_MS: 60 * MIN });

/** The intervals for a threshold profile (÷ `INTERVAL_DIVISOR`, floor 1 s, as `thresholdsFor`). */
export function upkeepTimings(t: Thresholds): typeof UPKEEP {
  const d = t.INTERVAL_DIVISOR;
  const scale = (v: number) => (d === 1 ? v : Math.max(1000, Math.round(v / d)));
  return { MAYOR_QUIET_MS: scale(UPKEEP.MAYOR_QUIET_MS), IDLE_STOP_GAP_MS: scale(UPKEEP.IDLE_STOP_GAP_MS), TOKEN_PUSH_GAP_MS: scale(UPKEEP.TOKEN_PUSH_GAP_MS) };
}

export type DrainEndReason = 'ready' | 'new_instance' | 'timeout';

/** Ends the drain (`draining` false, no start time); the nonce is kept for a late C`/ready`. */
export function endDrain(sql: SqlHandle, reason: DrainEndReason, now: number = Date.now()): void {
  writeTownState(sql, 'draining', false, now);
  writeTownState(sql, 'drain_started_at', null, now);
  logLine('info', 'container.drain_ended', { reason });
}

function storedTime(sql: SqlHandle, key: string): number | null {
  const v = readTownState(sql, key)?.value;
  return typeof v === 'number' ? v : null;
}

function count(sql: SqlHandle, where: string): number {
  const row = first(sql, `SELECT COUNT(*) AS n FROM agent_metadata WHERE ${where}`);
  return row === null ? 0 : num(row, 'n');
}

/** The mayor's row (id, status, last progress), or null. */
function mayorOf(sql: SqlHandle): { id: string; status: string; quietSince: number | null } | null {
  const row = first(sql, `SELECT bead_id, status, last_event_at, last_dispatch_at, working_since FROM agent_metadata WHERE role = 'mayor' AND status <> 'dead' LIMIT 1`);
  if (row === null) return null;
  const times = ['last_event_at', 'last_dispatch_at', 'working_since'].map((c) => ms(strOrNull(row, c))).filter((t): t is number => t !== null && !Number.isNaN(t));
  return { id: String(row.bead_id), status: String(row.status), quietSince: times.length === 0 ? null : Math.max(...times) };
}

/**
 * Merge requests in review or merge without a PR: a refinery's, or the container's own
 * `/git/merge` (`direct` with `code_review` off), which runs with no agent until its merge-result.
 */
function mergesInFlight(sql: SqlHandle): number {
  const row = first(sql, `SELECT COUNT(*) AS n FROM beads b JOIN review_metadata r ON r.bead_id = b.bead_id WHERE b.type = 'merge_request' AND b.status = 'in_progress' AND r.pr_url IS NULL`);
  return row === null ? 0 : num(row, 'n');
}

/**
 * Idle stop due: no working/stalled rig agent, no merge in flight in the container, the mayor not
 * working and quiet ≥ 5 min, not draining, none in the last 2 min.
 */
export function idleStopDue(sql: SqlHandle, now: number, t: Thresholds): boolean {
  const u = upkeepTimings(t);
  if (count(sql, `role IN ('polecat', 'refinery') AND status IN ('working', 'stalled')`) > 0) return false;
  if (mergesInFlight(sql) > 0) return false;
  const mayor = mayorOf(sql);
  if (mayor !== null && (mayor.status === 'working' || (mayor.quietSince !== null && now - mayor.quietSince < u.MAYOR_QUIET_MS))) return false;
  const drain = readDrain(sql);
  if (drain.draining && (drain.drain_started_at === null || now - drain.drain_started_at < t.DRAIN_MAX_MS)) return false;
  const last = storedTime(sql, 'last_idle_stop_at');
  return last === null || now - last >= u.IDLE_STOP_GAP_MS;
}

/** A token push due: an agent `working`, `stalled` or `waiting`, and none in the last hour. */
export function tokenPushDue(sql: SqlHandle, now: number, t: Thresholds): boolean {
  if (count(sql, `status IN ('working', 'stalled', 'waiting')`) === 0) return false;
  const last = storedTime(sql, 'last_token_push_at');
  return last === null || now - last >= upkeepTimings(t).TOKEN_PUSH_GAP_MS;
}

export interface UpkeepDeps {
  ctx: TownCtx;
  env: DispatchEnv;
  container: ContainerHandle;
  thresholds: Thresholds;
}

export interface UpkeepReport {
  drain_ended: boolean;
  idle_stopped: boolean;
  token_pushed: boolean;
}

/** One pass after a tick. SQL writes are synchronous; container calls follow them. */
export async function runContainerUpkeep(d: UpkeepDeps): Promise<UpkeepReport> {
  const { ctx, thresholds: t } = d;
  const report: UpkeepReport = { drain_ended: false, idle_stopped: false, token_pushed: false };
  if (findTown(ctx.sql) === null) return report;
  const drain = readDrain(ctx.sql);
  if (drain.draining && drain.drain_started_at !== null && ctx.now - drain.drain_started_at >= t.DRAIN_MAX_MS) {
    ctx.sql.transaction(() => endDrain(ctx.sql, 'timeout', ctx.now));
    report.drain_ended = true;
  }
  if (idleStopDue(ctx.sql, ctx.now, t)) {
    ctx.sql.transaction(() => {
      writeTownState(ctx.sql, 'last_idle_stop_at', ctx.now, ctx.now);
      const mayor = mayorOf(ctx.sql);
      if (mayor !== null && mayor.status === 'waiting') {
        transitionAgent(ctx, mayor.id, 'idle', { from: 'waiting', reason: { code: 'container_idle_stop', message: 'The idle container was stopped.' } });
      }
    });
    report.idle_stopped = true;
    await d.container.stop().catch((e: unknown) => logLine('warn', 'container.idle_stop_failed', { town_id: ctx.townId, error: e instanceof Error ? e.message : 'unknown' }));
  }
  if (tokenPushDue(ctx.sql, ctx.now, t)) {
    ctx.sql.transaction(() => writeTownState(ctx.sql, 'last_token_push_at', ctx.now, ctx.now));
    const token = await mintContainerToken(d.env.GASTOWN_JWT_SECRET, ctx.townId, ctx.now);
    const res = await d.container.request('POST', '/refresh-token', { token: token.token }, { timeoutMs: CONTROL_TIMEOUTS.default, startOnDemand: false });
    report.token_pushed = res.status >= 200 && res.status < 300;
  }
  return report;
}

/** `/sync-config` with the freshly serialized config; a stopped container is not started. */
export async function pushConfig(env: DispatchEnv, sql: SqlHandle, container: ContainerHandle, now: number): Promise<number> {
  const town = findTown(sql);
  if (town === null) return 0;
  const config = await serializeContainerConfig(env, town, now);
  const res = await container.request('POST', '/sync-config', { config }, { timeoutMs: CONTROL_TIMEOUTS.default, startOnDemand: false });
  if (res.status !== 503) logLine(res.status >= 200 && res.status < 300 ? 'info' : 'warn', 'container.sync_config', { town_id: town.id, status: res.status, version: config.version });
  return res.status;
}
