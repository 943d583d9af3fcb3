/**
 * Convoy commands (`domain.md` §3.4, §6): start (`staged → open`), close (= cancel: every
 * non-terminal member fails, its agents stop, the convoy fails; idempotent), patch, and adding
 * or removing a member. Each keeps the convoy bead's status mirroring its state.
 */
import type { ConvoyStatus, MergeMode } from '../../protocol/common.ts';
import { Conflict, IllegalTransition, NotFound, Unprocessable } from '../../errors.ts';
import { iso } from '../db/clock.ts';
import { first, str } from '../db/sql.ts';
import type { TownCtx } from '../context.ts';
import { checkConvoyTransition, convoyBeadStatusFor, isTerminalBead } from '../machines/index.ts';
import { findBeadRecord } from '../beads/bead-rows.ts';
import { cancelBead } from '../beads/cancel.ts';
import { addDependency, removeDependency } from '../beads/dependencies.ts';
import { transitionBead } from '../beads/transition.ts';
import { writeBeadEvent } from '../beads/bead-events.ts';
import { convoyMemberIds, requireConvoy } from './convoy-rows.ts';
import { recountConvoy } from './recount.ts';
import { convoySlug } from './sling-batch.ts';
import { id8 } from '../context.ts';

/** Moves a convoy through its machine and mirrors the state on its bead. */
export function transitionConvoy(ctx: TownCtx, convoyId: string, to: ConvoyStatus, reason: { code: string; message: string }): 'ok' | 'noop' {
  const convoy = requireConvoy(ctx.sql, convoyId);
  if (checkConvoyTransition(convoyId, convoy.status, to) === 'noop') return 'noop';
  const now = iso(ctx.now);
  ctx.sql.run(
    `UPDATE convoy_metadata SET state = ?, started_at = CASE WHEN ? = 'open' AND started_at IS NULL THEN ? ELSE started_at END,
       landed_at = CASE WHEN ? = 'landed' THEN ? ELSE landed_at END WHERE bead_id = ?`,
    to,
    to,
    now,
    to,
    now,
    convoyId,
  );
  transitionBead(ctx, convoyId, convoyBeadStatusFor(to), { reason });
  return 'ok';
}

/** Start = `staged → open`; any other status (an open convoy too) is a 409 `illegal_transition`. */
export function startConvoy(ctx: TownCtx, convoyId: string): void {
  const convoy = requireConvoy(ctx.sql, convoyId);
  if (convoy.status === 'open') throw new IllegalTransition('convoy', convoyId, 'open', 'open');
  transitionConvoy(ctx, convoyId, 'open', { code: 'convoy_started', message: `Started by ${ctx.actor}.` });
}

/** Close = cancel (idempotent on a failed convoy; a landed convoy refuses with 409). */
export function closeConvoy(ctx: TownCtx, convoyId: string): void {
  const convoy = requireConvoy(ctx.sql, convoyId);
  if (convoy.status === 'failed') return;
  // Validate before touching members so a refused close changes nothing.
  checkConvoyTransition(convoyId, convoy.status, 'failed');
  for (const memberId of convoyMemberIds(ctx.sql, convoyId)) {
    const member = findBeadRecord(ctx.sql, memberId);
    if (member !== null && !isTerminalBead(member.status)) cancelBead(ctx, memberId, 'failed');
  }
  transitionConvoy(ctx, convoyId, 'failed', { code: 'cancelled', message: `Convoy closed by ${ctx.actor}.` });
}

export function patchConvoy(ctx: TownCtx, convoyId: string, patch: { title?: string | undefined; merge_mode?: MergeMode | undefined }): void {
  const convoy = requireConvoy(ctx.sql, convoyId);
  if (convoy.status === 'landing' || convoy.status === 'landed' || convoy.status === 'failed') {
    throw new Conflict('conflict', `Convoy ${convoyId} is ${convoy.status}; it can no longer be changed.`, { status: convoy.status });
  }
  if (patch.merge_mode === 'review-then-land' && convoy.rig_ids.length > 1) {
    throw new Conflict('conflict', 'A review-then-land convoy keeps all its members in one rig.', { rig_ids: convoy.rig_ids });
  }
  const now = iso(ctx.now);
  if (patch.title !== undefined) ctx.sql.run(`UPDATE beads SET title = ?, updated_at = ? WHERE bead_id = ?`, patch.title, now, convoyId);
  if (patch.merge_mode !== undefined && patch.merge_mode !== convoy.merge_mode) {
    const branch = patch.merge_mode === 'review-then-land' ? `convoy/${convoySlug(patch.title ?? convoy.title)}/${id8(convoyId)}/head` : null;
    ctx.sql.run(`UPDATE convoy_metadata SET merge_mode = ?, feature_branch = ? WHERE bead_id = ?`, patch.merge_mode, branch, convoyId);
  }
  const keys = Object.keys(patch);
  if (keys.length > 0) writeBeadEvent(ctx, { bead_id: convoyId, rig_id: null, event_type: 'fields_updated', metadata: { keys } });
}

export function addConvoyBead(ctx: TownCtx, convoyId: string, beadId: string, dependsOn: readonly string[]): void {
  const convoy = requireConvoy(ctx.sql, convoyId);
  if (convoy.status === 'landing' || convoy.status === 'landed' || convoy.status === 'failed') {
    throw new Conflict('conflict', `Convoy ${convoyId} is ${convoy.status}; no beads can join it.`, { status: convoy.status });
  }
  const bead = findBeadRecord(ctx.sql, beadId);
  if (bead === null) throw new Unprocessable('unknown_reference', `bead_id names unknown bead ${beadId}.`, { field: 'bead_id' });
  if (bead.type !== 'issue') throw new Conflict('conflict', `Only issues can join a convoy; bead ${beadId} is a ${bead.type}.`);
  if (isTerminalBead(bead.status)) throw new Conflict('conflict', `Bead ${beadId} is ${bead.status}; finished beads cannot join a convoy.`);
  const other = first(
    ctx.sql,
    `SELECT d.depends_on_bead_id AS convoy_id FROM bead_dependencies d JOIN convoy_metadata c ON c.bead_id = d.depends_on_bead_id
     WHERE d.bead_id = ? AND d.dependency_type = 'tracks'`,
    beadId,
  );
  if (other !== null && str(other, 'convoy_id') !== convoyId) {
    throw new Conflict('conflict', `Bead ${beadId} already belongs to convoy ${str(other, 'convoy_id')}.`, { convoy_id: str(other, 'convoy_id') });
  }
  const members = new Set(convoyMemberIds(ctx.sql, convoyId));
  const outsider = dependsOn.find((d) => !members.has(d) || d === beadId);
  if (outsider !== undefined) {
    throw new Unprocessable('unknown_reference', `depends_on names ${outsider}, which is not another member of this convoy.`, { field: 'depends_on' });
  }
  if (convoy.merge_mode === 'review-then-land' && convoy.rig_ids.length > 0 && bead.rig_id !== null && !convoy.rig_ids.includes(bead.rig_id)) {
    throw new Conflict('conflict', 'A review-then-land convoy keeps all its members in one rig.');
  }
  addDependency(ctx, beadId, convoyId, 'tracks', bead.rig_id);
  for (const target of new Set(dependsOn)) addDependency(ctx, beadId, target, 'blocks', bead.rig_id);
  recountConvoy(ctx.sql, convoyId);
}

export function removeConvoyBead(ctx: TownCtx, convoyId: string, beadId: string): void {
  requireConvoy(ctx.sql, convoyId);
  const members = convoyMemberIds(ctx.sql, convoyId);
  if (!members.includes(beadId)) throw new NotFound('convoy member', beadId);
  const bead = findBeadRecord(ctx.sql, beadId);
  removeDependency(ctx, beadId, convoyId, 'tracks', bead?.rig_id ?? null);
  recountConvoy(ctx.sql, convoyId);
}
