/**
 * Bead dependency edges (`domain.md` §2): `blocks` gates readiness, `tracks` is membership,
 * `parent-child` is grouping. Self edges and `blocks` edges that would close a cycle are
 * refused with `dependency_cycle`, naming the cycle.
 */
import type { DependencyType } from '../../protocol/common.ts';
import { Unprocessable } from '../../errors.ts';
import { iso } from '../db/clock.ts';
import { placeholders, str, type SqlHandle } from '../db/sql.ts';
import type { TownCtx } from '../context.ts';
import { writeBeadEvent } from './bead-events.ts';

/** Ids among `ids` that name no bead. */
export function missingBeads(sql: SqlHandle, ids: readonly string[]): string[] {
  if (ids.length === 0) return [];
  const found = new Set(sql.all(`SELECT bead_id FROM beads WHERE bead_id IN (${placeholders(ids.length)})`, ...ids).map((r) => str(r, 'bead_id')));
  return ids.filter((id) => !found.has(id));
}

/**
 * A `blocks` path from `from` to `to` through existing edges, or null. Adding the edge
 * `to → from` ("to depends on from") would then close the returned cycle.
 */
export function blocksPath(sql: SqlHandle, from: string, to: string): string[] | null {
  const parent = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === undefined) break;
    if (current === to) {
      const path: string[] = [];
      for (let at: string | null = current; at !== null; at = parent.get(at) ?? null) path.unshift(at);
      return path;
    }
    for (const row of sql.all(`SELECT depends_on_bead_id FROM bead_dependencies WHERE bead_id = ? AND dependency_type = 'blocks'`, current)) {
      const next = str(row, 'depends_on_bead_id');
      if (!parent.has(next)) {
        parent.set(next, current);
        queue.push(next);
      }
    }
  }
  return null;
}

/** Adds `beadId depends on target` after the self/cycle checks; idempotent. */
export function addDependency(ctx: TownCtx, beadId: string, target: string, type: DependencyType, rigId: string | null): void {
  if (beadId === target) throw new Unprocessable('dependency_cycle', `Bead ${beadId} cannot depend on itself.`, { cycle: [beadId, beadId] });
  if (type === 'blocks') {
    const path = blocksPath(ctx.sql, target, beadId);
    if (path !== null) {
      throw new Unprocessable('dependency_cycle', `Bead ${beadId} depending on ${target} would close a cycle.`, { cycle: [beadId, ...path] });
    }
  }
  const written = ctx.sql.run(
    `INSERT OR IGNORE INTO bead_dependencies (bead_id, depends_on_bead_id, dependency_type, created_at) VALUES (?, ?, ?, ?)`,
    beadId,
    target,
    type,
    iso(ctx.now),
  );
  if (written > 0 && type === 'blocks') {
    writeBeadEvent(ctx, { bead_id: beadId, rig_id: rigId, event_type: 'dependency_added', new_value: target, metadata: { type } });
  }
}

export function removeDependency(ctx: TownCtx, beadId: string, target: string, type: DependencyType, rigId: string | null): void {
  const removed = ctx.sql.run(
    `DELETE FROM bead_dependencies WHERE bead_id = ? AND depends_on_bead_id = ? AND dependency_type = ?`,
    beadId,
    target,
    type,
  );
  if (removed > 0 && type === 'blocks') {
    writeBeadEvent(ctx, { bead_id: beadId, rig_id: rigId, event_type: 'dependency_removed', old_value: target, metadata: { type } });
  }
}

/** The ids a bead `blocks`-depends on. */
export function blockersOf(sql: SqlHandle, beadId: string): string[] {
  return sql.all(`SELECT depends_on_bead_id FROM bead_dependencies WHERE bead_id = ? AND dependency_type = 'blocks' ORDER BY created_at`, beadId).map((r) =>
    str(r, 'depends_on_bead_id'),
  );
}

/** Replaces a bead's `blocks` set (PATCH `depends_on`). */
export function replaceBlockers(ctx: TownCtx, beadId: string, targets: readonly string[], rigId: string | null): void {
  const current = new Set(blockersOf(ctx.sql, beadId));
  const wanted = new Set(targets);
  for (const old of current) if (!wanted.has(old)) removeDependency(ctx, beadId, old, 'blocks', rigId);
  for (const next of wanted) if (!current.has(next)) addDependency(ctx, beadId, next, 'blocks', rigId);
}
