/**
 * Safe readers for opaque JSON objects (event `data`, session event properties): each returns
 * the field when it has the wanted type, else undefined. No casts at the call sites.
 */

/** `value` when it is a plain object. */
export function obj(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = v;
  return out;
}

/** `o[key]` when it is a string. */
export function str(o: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = o?.[key];
  return typeof v === 'string' ? v : undefined;
}

/** `o[key]` when it is a finite number. */
export function num(o: Record<string, unknown> | undefined, key: string): number | undefined {
  const v = o?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** `o[key]` when it is a boolean. */
export function bool(o: Record<string, unknown> | undefined, key: string): boolean | undefined {
  const v = o?.[key];
  return typeof v === 'boolean' ? v : undefined;
}

/** A short one-line preview of any JSON value (tool input/output), at most `max` characters. */
export function preview(value: unknown, max = 160): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
