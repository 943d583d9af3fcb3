/**
 * The TownDO's command table: each entry is a plain function over a `TownCtx` (writes) or the
 * SQL handle (reads). The DO facade runs writes in one synchronous transaction and effects
 * after commit; this file only names what each RPC does, so the facade stays one-liners.
 */
import type {
  ActivityQuery,
  AgentListQuery,
  BeadCreate,
  BeadListQuery,
  BeadPatch,
  RigCreate,
  RigPatch,
  Sling,
  SlingBatch,
} from '../protocol/api.ts';
import type { TownConfigPatch } from '../protocol/config.ts';
import { ValidationFailed } from '../errors.ts';
import type { TownCtx } from './context.ts';
import type { SqlHandle } from './db/sql.ts';
import { applyTownConfigPatch, maskTownConfig, validateConfigForEnvironment } from './config/index.ts';
import { requireTown, writeTownConfig } from './records/town-record.ts';
import { insertBead, assertRigExists } from './beads/create-bead.ts';
import { HELD_LABEL, findBead } from './beads/bead-rows.ts';
import { NotFound } from '../errors.ts';
import type { Bead, ConvoyDetail } from '../protocol/api.ts';
import { convoyDetail } from './convoys/convoy-rows.ts';
import { slingBatch } from './convoys/sling-batch.ts';
import { findBeads } from './beads/bead-rows.ts';

export function requireBead(sql: SqlHandle, beadId: string): Bead {
  const bead = findBead(sql, beadId);
  if (bead === null) throw new NotFound('bead', beadId);
  return bead;
}

/** PATCH T/config: merge patch, environment checks, store; returns the masked result. */
export function patchTownConfig(ctx: TownCtx, patch: TownConfigPatch) {
  const town = requireTown(ctx.sql);
  const next = applyTownConfigPatch(town.config, patch);
  const issues = validateConfigForEnvironment(next, ctx.development);
  if (issues.length > 0) throw new ValidationFailed('The town config is invalid.', issues);
  writeTownConfig(ctx.sql, next, ctx.now);
  return maskTownConfig(next);
}

/** POST T/sling: one unheld issue (a `pr_fixup` runs on the given PR branch). */
export function sling(ctx: TownCtx, input: Sling): Bead {
  assertRigExists(ctx, input.rig_id);
  const labels = [...new Set(input.labels ?? [])].filter((l) => l !== HELD_LABEL);
  if (input.pr_fixup !== undefined) labels.push('gt:pr-fixup');
  const id = insertBead(ctx, {
    type: 'issue',
    title: input.title,
    body: input.body,
    rig_id: input.rig_id,
    priority: input.priority,
    labels,
    model_override: input.model ?? null,
    followup_context: input.pr_fixup === undefined ? null : { ...input.pr_fixup },
  });
  return requireBead(ctx.sql, id);
}

/** Runs a convoy command, then answers the convoy's detail (every convoy route does). */
export function withConvoyDetail(ctx: TownCtx, convoyId: string, command: (ctx: TownCtx, convoyId: string) => void): ConvoyDetail {
  command(ctx, convoyId);
  return convoyDetail(ctx.sql, convoyId);
}

/** POST T/sling-batch: the convoy detail and its new beads. */
export function slingBatchView(ctx: TownCtx, input: SlingBatch): { convoy: ConvoyDetail; beads: Bead[]; staged: boolean } {
  const result = slingBatch(ctx, input);
  return { convoy: convoyDetail(ctx.sql, result.convoyId), beads: findBeads(ctx.sql, result.beadIds), staged: result.staged };
}

export type { ActivityQuery, AgentListQuery, BeadCreate, BeadListQuery, BeadPatch, RigCreate, RigPatch };
