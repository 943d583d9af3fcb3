/**
 * `transitionBead`: every bead status write goes through here (`domain.md` §3). It checks the
 * machine, compares-and-sets on `from`, stamps `status_changed_at`/`closed_at`, writes the
 * `status_changed` event, unhooks on a return to `open`, and recounts the bead's convoys.
 */
import type { BeadStatus } from '../../protocol/common.ts';
import { NotFound } from '../../errors.ts';
import { iso } from '../db/clock.ts';
import { checkBeadTransition, isTerminalBead } from '../machines/index.ts';
import type { TownCtx } from '../context.ts';
import { unhookBead } from '../agents/hooks.ts';
import { recountConvoysOf } from '../convoys/recount.ts';
import { findBeadRecord } from './bead-rows.ts';
import { writeBeadEvent } from './bead-events.ts';

export interface TransitionReason {
  code: string;
  message: string;
}

export type TransitionOutcome = 'ok' | 'noop' | 'stale';

/** Moves a bead to `to`. A given `from` that differs from the current status returns `stale`. */
export function transitionBead(
  ctx: TownCtx,
  beadId: string,
  to: BeadStatus,
  opts: { from?: BeadStatus; reason: TransitionReason },
): TransitionOutcome {
  const bead = findBeadRecord(ctx.sql, beadId);
  if (bead === null) throw new NotFound('bead', beadId);
  if (opts.from !== undefined && opts.from !== bead.status) return 'stale';
  if (checkBeadTransition(bead.type, beadId, bead.status, to) === 'noop') return 'noop';
  const now = iso(ctx.now);
  ctx.sql.run(
    `UPDATE beads SET status = ?, status_changed_at = ?, updated_at = ?, closed_at = ? WHERE bead_id = ?`,
    to,
    now,
    now,
    isTerminalBead(to) ? now : null,
    beadId,
  );
  writeBeadEvent(ctx, {
    bead_id: beadId,
    rig_id: bead.rig_id,
    event_type: 'status_changed',
    old_value: bead.status,
    new_value: to,
    metadata: { reason: opts.reason },
  });
  if (to === 'open' && (bead.status === 'in_progress' || bead.status === 'in_review')) {
    unhookBead(ctx, beadId, opts.reason.code);
    ctx.sql.run(`UPDATE beads SET assignee_agent_bead_id = NULL WHERE bead_id = ?`, beadId);
  }
  recountConvoysOf(ctx.sql, beadId);
  return 'ok';
}
