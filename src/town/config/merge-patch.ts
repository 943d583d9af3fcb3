/**
 * JSON merge patch of town and rig config (`domain.md` §8, `http-api.md` §3): objects merge,
 * arrays replace, `null` resets (town: to the default; rig: removes the override), a masked secret
 * keeps the stored one. Called by the TownDO on PATCH T`/config` and PATCH T`/rigs/:rigId`.
 */
import { ValidationFailed } from '../../errors.ts';
import { RigConfig, RigConfigPatch, TownConfig, TownConfigPatch } from '../../protocol/config.ts';
import { DEFAULT_TOWN_CONFIG } from './defaults.ts';
import { isMaskedValue, isSecretPath } from './mask.ts';
import { issuesFromZod, type ConfigIssue } from './validate.ts';

interface MergeContext {
  /** Mask-aware merge (town config only: the rig overrides hold no secrets). */
  secrets: boolean;
  issues: ConfigIssue[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A provider patch naming a different kind replaces the stored provider instead of merging. */
function replacesWhole(path: readonly string[], stored: Record<string, unknown>, patch: Record<string, unknown>): boolean {
  if (path.length !== 1 || path[0] !== 'provider') return false;
  return patch.kind !== undefined && patch.kind !== null && patch.kind !== stored.kind;
}

/**
 * `refinery.auto_merge_delay_minutes: null` means "never auto-merge" (`domain.md` §8), so there
 * a `null` is stored as the value instead of resetting the field (both patch schemas accept it as
 * a value, not as `nullish`). Without this the setting could never be chosen.
 */
function nullIsValue(path: readonly string[]): boolean {
  return path.length === 2 && path[0] === 'refinery' && path[1] === 'auto_merge_delay_minutes';
}

/** Merges `patch` into a copy of `stored`; `defaults` is the same position in the default tree. */
function mergeObject(
  stored: Record<string, unknown>,
  patch: Record<string, unknown>,
  defaults: unknown,
  path: readonly string[],
  ctx: MergeContext,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const at = [...path, key];
    const fallback = isRecord(defaults) ? defaults[key] : undefined;
    if (value === null && !nullIsValue(at)) {
      if (fallback === undefined) delete out[key];
      else out[key] = structuredClone(fallback);
    } else if (ctx.secrets && isSecretPath(at) && isMaskedValue(value)) {
      // Keep the stored secret; a masked value with nothing stored behind it cannot be resolved.
      if (typeof out[key] !== 'string') {
        ctx.issues.push({
          path: at,
          code: 'masked_secret_unknown',
          message: 'A masked value keeps the stored secret, but no secret is stored here; send the full value.',
        });
        out[key] = value;
      }
    } else if (isRecord(value)) {
      const base = out[key];
      const target = isRecord(base) && !replacesWhole(at, base, value) ? base : {};
      out[key] = mergeObject(target, value, fallback, at, ctx);
    } else {
      out[key] = structuredClone(value);
    }
  }
  return out;
}

function fail(issues: ConfigIssue[]): never {
  throw new ValidationFailed('The configuration is invalid.', issues);
}

/**
 * Applies a town config merge patch and returns the new full config, re-validated with
 * `TownConfig`. `null` resets a field to `DEFAULT_TOWN_CONFIG`; a masked secret (`****…`) keeps
 * the stored value; a `provider` whose `kind` changes is replaced whole, so its masked secret has
 * nothing to keep. Throws `ValidationFailed` (issue paths from the config root). Pure.
 */
export function applyTownConfigPatch(stored: TownConfig, patch: TownConfigPatch): TownConfig {
  const parsedPatch = TownConfigPatch.safeParse(patch);
  if (!parsedPatch.success) fail(issuesFromZod(parsedPatch.error));
  const ctx: MergeContext = { secrets: true, issues: [] };
  const merged = mergeObject(structuredClone(stored), parsedPatch.data, DEFAULT_TOWN_CONFIG, [], ctx);
  const result = TownConfig.safeParse(merged);
  const issues = [...ctx.issues, ...(result.success ? [] : issuesFromZod(result.error))];
  if (issues.length > 0 || !result.success) fail(issues);
  return result.data;
}

/**
 * Applies a rig config merge patch and returns the new overrides, re-validated with `RigConfig`.
 * `null` removes the override (the rig inherits from the town again). Throws `ValidationFailed`
 * with issue paths below `['config']`, as in the rig request body. Pure.
 */
export function applyRigConfigPatch(stored: RigConfig, patch: RigConfigPatch): RigConfig {
  const prefix = ['config'];
  const parsedPatch = RigConfigPatch.safeParse(patch);
  if (!parsedPatch.success) fail(issuesFromZod(parsedPatch.error, prefix));
  const ctx: MergeContext = { secrets: false, issues: [] };
  const merged = mergeObject(structuredClone(stored), parsedPatch.data, undefined, [], ctx);
  const result = RigConfig.safeParse(merged);
  if (!result.success) fail(issuesFromZod(result.error, prefix));
  return result.data;
}
