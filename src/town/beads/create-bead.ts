/**
 * Creating beads: the shared insert used by the user API, sling, sling-batch and (later) the
 * reconciler, plus `createIssue` for BeadCreate (`http-api.md` §3) with its reference checks.
 */
import type { BeadCreate } from '../../protocol/api.ts';
import type { BeadType, Priority } from '../../protocol/common.ts';
import { Unprocessable } from '../../errors.ts';
import { iso } from '../db/clock.ts';
import { newId, type TownCtx } from '../context.ts';
import { findRig } from '../records/rigs.ts';
import { HELD_LABEL } from './bead-rows.ts';
import { addDependency, missingBeads } from './dependencies.ts';
import { writeBeadEvent } from './bead-events.ts';

export interface NewBead {
  type: BeadType;
  title: string;
  body?: string | undefined;
  rig_id: string | null;
  priority?: Priority | undefined;
  labels?: readonly string[] | undefined;
  parent_bead_id?: string | null | undefined;
  metadata?: Record<string, unknown> | undefined;
  followup_context?: Record<string, unknown> | null | undefined;
  model_override?: string | null | undefined;
}

/** Inserts one bead row and its `created` event; returns the id. */
export function insertBead(ctx: TownCtx, b: NewBead): string {
  const id = newId();
  const now = iso(ctx.now);
  ctx.sql.run(
    `INSERT INTO beads (bead_id, type, status, title, body, rig_id, parent_bead_id, priority, labels, metadata,
       followup_context, model_override, created_by, created_at, updated_at, status_changed_at)
     VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id,
    b.type,
    b.title,
    b.body ?? '',
    b.rig_id,
    b.parent_bead_id ?? null,
    b.priority ?? 'medium',
    JSON.stringify(b.labels ?? []),
    JSON.stringify(b.metadata ?? {}),
    b.followup_context === undefined || b.followup_context === null ? null : JSON.stringify(b.followup_context),
    b.model_override ?? null,
    ctx.actor,
    now,
    now,
    now,
  );
  writeBeadEvent(ctx, { bead_id: id, rig_id: b.rig_id, event_type: 'created', new_value: b.type });
  return id;
}

/** Throws 422 `unknown_reference` naming `field` when `ids` contains an unknown bead. */
export function assertBeadsExist(ctx: TownCtx, ids: readonly string[], field: string): void {
  const missing = missingBeads(ctx.sql, ids);
  if (missing.length > 0) {
    throw new Unprocessable('unknown_reference', `${field} names unknown bead ${missing[0]}.`, { field, ids: missing });
  }
}

export function assertRigExists(ctx: TownCtx, rigId: string): void {
  if (findRig(ctx.sql, ctx.townId, rigId) === null) {
    throw new Unprocessable('unknown_reference', `rig_id names unknown rig ${rigId}.`, { field: 'rig_id' });
  }
}

/** POST T/beads: an issue, validated against the town's rigs and beads. */
export function createIssue(ctx: TownCtx, input: BeadCreate): string {
  assertRigExists(ctx, input.rig_id);
  if (input.parent_bead_id !== undefined) assertBeadsExist(ctx, [input.parent_bead_id], 'parent_bead_id');
  const dependsOn = [...new Set(input.depends_on ?? [])];
  assertBeadsExist(ctx, dependsOn, 'depends_on');
  const labels = [...new Set(input.labels ?? [])];
  if (input.held === true) labels.push(HELD_LABEL);
  const id = insertBead(ctx, {
    type: 'issue',
    title: input.title,
    body: input.body,
    rig_id: input.rig_id,
    priority: input.priority,
    labels,
    parent_bead_id: input.parent_bead_id ?? null,
    metadata: input.metadata,
  });
  for (const target of dependsOn) addDependency(ctx, id, target, 'blocks', input.rig_id);
  return id;
}
