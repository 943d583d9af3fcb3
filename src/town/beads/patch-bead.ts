/**
 * PATCH T/beads/:beadId (`http-api.md` §4.2): field edits, `held`, `depends_on` (replaces the
 * set), and status changes through the machine (closed/failed cancel; open releases the
 * agent). Terminal beads are immutable (409). Returns whether new ready work may exist.
 */
import type { BeadPatch } from '../../protocol/api.ts';
import { Conflict, IllegalTransition, NotFound } from '../../errors.ts';
import { iso } from '../db/clock.ts';
import type { TownCtx } from '../context.ts';
import { isTerminalBead } from '../machines/index.ts';
import { HELD_LABEL, findBeadRecord } from './bead-rows.ts';
import { releaseHolder, cancelBead } from './cancel.ts';
import { assertBeadsExist } from './create-bead.ts';
import { replaceBlockers } from './dependencies.ts';
import { transitionBead } from './transition.ts';
import { writeBeadEvent } from './bead-events.ts';

export interface PatchOutcome {
  /** True when the change may have made a bead ready (unheld, reopened, dependencies dropped). */
  readyWorkChanged: boolean;
}

export function patchBead(ctx: TownCtx, beadId: string, patch: BeadPatch): PatchOutcome {
  const bead = findBeadRecord(ctx.sql, beadId);
  if (bead === null) throw new NotFound('bead', beadId);
  const fieldKeys = Object.keys(patch).filter((k) => k !== 'status');
  if (isTerminalBead(bead.status) && fieldKeys.length > 0) {
    throw new Conflict('conflict', `Bead ${beadId} is ${bead.status}; finished beads cannot be edited.`, { id: beadId, status: bead.status });
  }
  if (bead.type === 'agent') throw new Conflict('conflict', `Bead ${beadId} is an agent; use the agent routes.`);
  let readyWorkChanged = false;

  if (patch.depends_on !== undefined) {
    const targets = [...new Set(patch.depends_on)];
    assertBeadsExist(ctx, targets, 'depends_on');
    replaceBlockers(ctx, beadId, targets, bead.rig_id);
    readyWorkChanged = true;
  }

  const sets: string[] = [];
  const params: (string | number | null)[] = [];
  if (patch.title !== undefined) sets.push('title = ?'), params.push(patch.title);
  if (patch.body !== undefined) sets.push('body = ?'), params.push(patch.body);
  if (patch.priority !== undefined) sets.push('priority = ?'), params.push(patch.priority);
  if (patch.metadata !== undefined) sets.push('metadata = ?'), params.push(JSON.stringify(patch.metadata));
  if (patch.labels !== undefined || patch.held !== undefined) {
    // User labels are replaced; server-owned gt: labels stay; `held` toggles gt:held.
    const serverLabels = bead.labels.filter((l) => l.startsWith('gt:') && l !== HELD_LABEL);
    const userLabels = patch.labels ?? bead.labels.filter((l) => !l.startsWith('gt:'));
    const held = patch.held ?? bead.labels.includes(HELD_LABEL);
    if (bead.labels.includes(HELD_LABEL) && !held) readyWorkChanged = true;
    sets.push('labels = ?');
    params.push(JSON.stringify([...new Set([...serverLabels, ...userLabels, ...(held ? [HELD_LABEL] : [])])]));
  }
  if (sets.length > 0) {
    ctx.sql.run(`UPDATE beads SET ${sets.join(', ')}, updated_at = ? WHERE bead_id = ?`, ...params, iso(ctx.now), beadId);
  }
  if (fieldKeys.length > 0) {
    writeBeadEvent(ctx, { bead_id: beadId, rig_id: bead.rig_id, event_type: 'fields_updated', metadata: { keys: fieldKeys } });
  }

  if (patch.status !== undefined && patch.status !== bead.status) {
    const to = patch.status;
    if (to === 'closed' || to === 'failed') {
      cancelBead(ctx, beadId, to);
    } else if (to === 'open') {
      const reason = { code: 'reopened', message: `Reopened by ${ctx.actor}.` };
      // Release first: the transition to open unhooks on its own, after which the holder
      // could no longer be found to be set idle and stopped.
      releaseHolder(ctx, beadId, reason);
      transitionBead(ctx, beadId, 'open', { reason });
      readyWorkChanged = true;
    } else {
      // in_progress and in_review are entered only by the reconciler (dispatch, gt_done).
      throw new IllegalTransition('bead', beadId, bead.status, to);
    }
  }
  return { readyWorkChanged };
}
