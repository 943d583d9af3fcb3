/**
 * Secret masking of the town config (`domain.md` §8): which paths hold secrets, how a secret is
 * shown (`****` + last 4 chars) and how a masked value sent back is recognised. Called by the
 * config routes (GET/PATCH responses, debug config) and by `merge-patch.ts`.
 */
import type { TownConfig } from '../../protocol/config.ts';

/** Config paths holding secrets; `*` matches every key of that object (each `env_vars` value). */
export const SECRET_PATHS: readonly (readonly string[])[] = Object.freeze([
  Object.freeze(['provider', 'token']),
  Object.freeze(['provider', 'api_key']),
  Object.freeze(['git_auth', 'github_token']),
  Object.freeze(['git_auth', 'gitlab_token']),
  Object.freeze(['github_cli_pat']),
  Object.freeze(['env_vars', '*']),
]);

const MASKED = /^\*{4}.{0,4}$/s;

/** `****` + the last 4 characters, or `****` alone when the secret is shorter than 8. */
export function maskSecret(value: string): string {
  return value.length < 8 ? '****' : `****${value.slice(-4)}`;
}

/** True for a value of the masked form (`^\*{4}.{0,4}$`): in a PATCH it means "keep the stored secret". */
export function isMaskedValue(v: unknown): boolean {
  return typeof v === 'string' && MASKED.test(v);
}

/** True when `path` (from the config root) is one of `SECRET_PATHS`. */
export function isSecretPath(path: readonly (string | number)[]): boolean {
  return SECRET_PATHS.some((sp) => sp.length === path.length && sp.every((seg, i) => seg === '*' || seg === path[i]));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Masks, in place, every string found at `path` below `node`. */
function maskAt(node: unknown, path: readonly string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || !isRecord(node)) return;
  const keys = head === '*' ? Object.keys(node) : [head];
  for (const key of keys) {
    const child = node[key];
    if (rest.length > 0) maskAt(child, rest);
    else if (typeof child === 'string') node[key] = maskSecret(child);
  }
}

/** A deep copy of `cfg` with every secret masked; the input is not changed. */
export function maskTownConfig(cfg: TownConfig): TownConfig {
  const out = structuredClone(cfg);
  for (const path of SECRET_PATHS) maskAt(out, path);
  return out;
}
