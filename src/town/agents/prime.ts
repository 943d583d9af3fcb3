/**
 * P`/prime` (`gt_prime`, `http-api.md` §4.3): what a polecat or refinery needs at the start of a
 * session and after a compaction — itself, its hooked bead, its undelivered mail (handed out now,
 * so marked delivered), up to 20 other unfinished beads of its rig in dispatch order, and the
 * context of `prime-context.ts`. A write: the mail it returns is delivered exactly once.
 */
import type { PrimeResult } from '../../protocol/agent.ts';
import type { BeadRef } from '../../protocol/api.ts';
import { first, strOrNull, type SqlHandle } from '../db/sql.ts';
import type { TownCtx } from '../context.ts';
import { findBead, rowToBeadRef } from '../beads/bead-rows.ts';
import { parseJsonObject } from '../beads/json-columns.ts';
import { takeUndeliveredMail } from '../mail/mail-commands.ts';
import { liveAgent } from '../reports/agent-access.ts';
import { requireLiveAgent } from './agent-commands.ts';
import { primeContext } from './prime-context.ts';

/** At most this many `open_beads`. */
export const PRIME_OPEN_BEADS = 20;

/** Unfinished issues and merge requests of the rig but `except`, in dispatch order. */
function openBeadsOf(sql: SqlHandle, rigId: string | null, except: string | null): BeadRef[] {
  if (rigId === null) return [];
  return sql
    .all(
      `SELECT bead_id, type, status, title FROM beads
       WHERE rig_id = ? AND type IN ('issue', 'merge_request') AND status IN ('open', 'in_progress', 'in_review') AND bead_id <> ?
       ORDER BY CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, created_at, bead_id
       LIMIT ?`,
      rigId,
      except ?? '',
      PRIME_OPEN_BEADS,
    )
    .map(rowToBeadRef);
}

export function primeAgent(ctx: TownCtx, agentId: string): PrimeResult {
  const record = liveAgent(ctx.sql, agentId);
  const hookedId = record.hooked_bead_id;
  const hooked = hookedId === null ? null : findBead(ctx.sql, hookedId);
  const checkpointRow = first(ctx.sql, `SELECT checkpoint FROM agent_metadata WHERE bead_id = ?`, agentId);
  const checkpoint = checkpointRow === null ? null : strOrNull(checkpointRow, 'checkpoint');
  const followupRow = hookedId === null ? null : first(ctx.sql, `SELECT followup_context FROM beads WHERE bead_id = ?`, hookedId);
  const followup = followupRow === null ? null : strOrNull(followupRow, 'followup_context');
  const mail = takeUndeliveredMail(ctx, agentId);
  return {
    agent: requireLiveAgent(ctx.sql, agentId),
    hooked_bead: hooked,
    mail,
    open_beads: openBeadsOf(ctx.sql, record.rig_id, hookedId),
    context: primeContext({
      checkpoint: checkpoint === null ? null : parseJsonObject(checkpoint),
      labels: hooked?.labels ?? [],
      followup: followup === null ? null : parseJsonObject(followup),
    }),
  };
}
