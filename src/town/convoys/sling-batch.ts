/**
 * sling-batch (`domain.md` §6.1): a convoy and one issue per task, validated whole before any
 * write. Index range and self references are rejected by the zod schema (400); here a missing
 * ordering is 422 `dependencies_required` and a cycle (Kahn) 422 `dependency_cycle`.
 */
import type { SlingBatch } from '../../protocol/api.ts';
import { Unprocessable } from '../../errors.ts';
import { iso } from '../db/clock.ts';
import { id8, type TownCtx } from '../context.ts';
import { effectiveRigConfig } from '../config/index.ts';
import { insertBead, assertRigExists } from '../beads/create-bead.ts';
import { addDependency } from '../beads/dependencies.ts';
import { requireTown } from '../records/town-record.ts';
import { requireRig } from '../records/rigs.ts';
import { recountConvoy } from './recount.ts';

/** Task indexes left in a cycle after Kahn's algorithm, or null when the graph is acyclic. */
export function findTaskCycle(dependsOn: readonly (readonly number[])[]): number[] | null {
  const n = dependsOn.length;
  const indegree = dependsOn.map((deps) => new Set(deps).size);
  const dependents: number[][] = Array.from({ length: n }, () => []);
  dependsOn.forEach((deps, i) => {
    for (const d of new Set(deps)) dependents[d]?.push(i);
  });
  const queue = indegree.flatMap((deg, i) => (deg === 0 ? [i] : []));
  let seen = 0;
  while (queue.length > 0) {
    const i = queue.shift();
    if (i === undefined) break;
    seen += 1;
    for (const j of dependents[i] ?? []) {
      const next = (indegree[j] ?? 0) - 1;
      indegree[j] = next;
      if (next === 0) queue.push(j);
    }
  }
  if (seen === n) return null;
  return indegree.flatMap((deg, i) => (deg > 0 ? [i] : []));
}

/** Convoy slug: title lower-cased, non-alphanumeric runs → `-`, ≤ 40 chars (`domain.md` §6.2). */
export function convoySlug(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return slug.length > 0 ? slug : 'convoy';
}

export interface SlingBatchResult {
  convoyId: string;
  beadIds: string[];
  staged: boolean;
}

export function slingBatch(ctx: TownCtx, input: SlingBatch): SlingBatchResult {
  const deps = input.tasks.map((t) => [...new Set(t.depends_on ?? [])]);
  if (input.tasks.length >= 2 && deps.every((d) => d.length === 0) && input.parallel !== true) {
    throw new Unprocessable(
      'dependencies_required',
      'Two or more tasks need an order: give depends_on indexes, or set parallel: true if they are independent.',
      { field: 'tasks' },
    );
  }
  const cycle = findTaskCycle(deps);
  if (cycle !== null) throw new Unprocessable('dependency_cycle', `Tasks ${cycle.join(', ')} depend on each other in a cycle.`, { cycle });
  assertRigExists(ctx, input.rig_id);

  const town = requireTown(ctx.sql);
  const rig = requireRig(ctx.sql, ctx.townId, input.rig_id);
  const effective = effectiveRigConfig(town.config, rig.config, rig.git_url, ctx.development);
  const mergeMode = input.merge_mode ?? effective.convoy_merge_mode;
  const staged = input.staged ?? town.config.staged_convoys_default;

  const convoyId = insertBead(ctx, { type: 'convoy', title: input.title, rig_id: null, metadata: input.metadata });
  const featureBranch = mergeMode === 'review-then-land' ? `convoy/${convoySlug(input.title)}/${id8(convoyId)}/head` : null;
  ctx.sql.run(
    `INSERT INTO convoy_metadata (bead_id, state, merge_mode, feature_branch, started_at) VALUES (?, ?, ?, ?, ?)`,
    convoyId,
    staged ? 'staged' : 'open',
    mergeMode,
    featureBranch,
    staged ? null : iso(ctx.now),
  );
  const beadIds = input.tasks.map((task) =>
    insertBead(ctx, {
      type: 'issue',
      title: task.title,
      body: task.body,
      rig_id: input.rig_id,
      priority: task.priority,
      labels: [...new Set(task.labels ?? [])],
      metadata: input.metadata,
    }),
  );
  beadIds.forEach((beadId, i) => {
    addDependency(ctx, beadId, convoyId, 'tracks', input.rig_id);
    for (const d of deps[i] ?? []) {
      const target = beadIds[d];
      if (target !== undefined) addDependency(ctx, beadId, target, 'blocks', input.rig_id);
    }
  });
  recountConvoy(ctx.sql, convoyId);
  return { convoyId, beadIds, staged };
}
