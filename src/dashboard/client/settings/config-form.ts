/**
 * The settings forms' pure core, shared by town config and rig overrides (`domain.md` §8):
 * field descriptors, the form state they are edited as (strings and booleans), the JSON merge
 * patch a submission sends (only changed fields; `null` resets; a secret is sent only when
 * replaced or cleared, never echoed), and where each validation issue belongs.
 */
import type { FieldIssue } from '../api-error.ts';

export type FieldInput =
  /** Free text; `nullable`: empty means null (reset to the default). */
  | { type: 'text'; nullable: boolean; placeholder?: string }
  /** Multi-line text; `nullable`: empty means null, else empty string. */
  | { type: 'textarea'; nullable: boolean }
  /** A whole number; empty means null (the default, "never", or inherit for rigs). */
  | { type: 'number'; min: number; max: number }
  | { type: 'checkbox' }
  /** true / false / empty = null (a rig inherits the town's value). */
  | { type: 'tristate' }
  /** One of `options`; '' means null. */
  | { type: 'select'; options: readonly { value: string; label: string }[] }
  /** One string per line; `nullable`: no lines means null, else []. */
  | { type: 'lines'; nullable: boolean }
  /** Masked on read; sent only when replaced (non-empty) or cleared (null). */
  | { type: 'secret' }
  /** `KEY=value` lines; values are secrets (masked on read). */
  | { type: 'env' };

export interface ConfigField {
  /** Where the value sits in the config (and in the patch). */
  path: readonly string[];
  label: string;
  section: string;
  help?: string;
  input: FieldInput;
}

/** The form's values by field key (`fieldKey`); secrets add `<key>:clear`. */
export type FormState = Record<string, string | boolean>;

/** Validation messages by field key; `''` holds messages that belong to no field. */
export type FieldErrors = Record<string, string>;

export function fieldKey(field: Pick<ConfigField, 'path'>): string {
  return field.path.join('.');
}

export function clearKey(key: string): string {
  return `${key}:clear`;
}

/** The value at `path` of `root` (undefined when any step is missing). */
export function valueAt(root: unknown, path: readonly string[]): unknown {
  let cur: unknown = root;
  for (const step of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = Reflect.get(cur, step);
  }
  return cur;
}

function setAt(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = root;
  path.forEach((step, i) => {
    if (i === path.length - 1) {
      cur[step] = value;
      return;
    }
    const next = cur[step];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      const child: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(next)) child[k] = v;
      cur[step] = child;
      cur = child;
    } else {
      const child: Record<string, unknown> = {};
      cur[step] = child;
      cur = child;
    }
  });
}

function envLines(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  return Object.entries(value)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : ''}`)
    .join('\n');
}

/** Parses `KEY=value` lines; `null` when a line has no `=`. */
export function parseEnvLines(text: string): Map<string, string> | null {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return null;
    out.set(line.slice(0, eq).trim(), line.slice(eq + 1));
  }
  return out;
}

/** The form state showing `config`. */
export function toForm(fields: readonly ConfigField[], config: unknown): FormState {
  const state: FormState = {};
  for (const field of fields) {
    const key = fieldKey(field);
    const value = valueAt(config, field.path);
    switch (field.input.type) {
      case 'text':
      case 'textarea':
      case 'select':
        state[key] = typeof value === 'string' ? value : '';
        break;
      case 'number':
        state[key] = typeof value === 'number' ? String(value) : '';
        break;
      case 'checkbox':
        state[key] = value === true;
        break;
      case 'tristate':
        state[key] = typeof value === 'boolean' ? String(value) : '';
        break;
      case 'lines':
        state[key] = Array.isArray(value) ? value.filter((v) => typeof v === 'string').join('\n') : '';
        break;
      case 'secret':
        state[key] = '';
        state[clearKey(key)] = false;
        break;
      case 'env':
        state[key] = envLines(value);
        break;
    }
  }
  return state;
}

type Converted = { ok: true; value: unknown } | { ok: true; skip: true } | { ok: false; message: string };

function convert(field: ConfigField, before: FormState, after: FormState): Converted {
  const key = fieldKey(field);
  const raw = after[key];
  const text = typeof raw === 'string' ? raw : '';
  const input = field.input;
  switch (input.type) {
    case 'text':
      return { ok: true, value: text.trim() === '' && input.nullable ? null : text.trim() };
    case 'textarea':
      return { ok: true, value: text === '' && input.nullable ? null : text };
    case 'number': {
      const t = text.trim();
      if (t === '') return { ok: true, value: null };
      if (!/^-?\d+$/.test(t)) return { ok: false, message: 'Enter a whole number.' };
      return { ok: true, value: Number(t) };
    }
    case 'checkbox':
      return { ok: true, value: raw === true };
    case 'tristate':
      return { ok: true, value: text === '' ? null : text === 'true' };
    case 'select':
      return { ok: true, value: text === '' ? null : text };
    case 'lines': {
      const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
      return { ok: true, value: lines.length === 0 && input.nullable ? null : lines };
    }
    case 'secret':
      if (after[clearKey(key)] === true) return { ok: true, value: null };
      return text.trim() === '' ? { ok: true, skip: true } : { ok: true, value: text.trim() };
    case 'env': {
      const next = parseEnvLines(text);
      if (next === null) return { ok: false, message: 'Each line must be KEY=value.' };
      const prev = parseEnvLines(typeof before[key] === 'string' ? before[key] : '') ?? new Map<string, string>();
      const patch: Record<string, string | null> = {};
      for (const name of prev.keys()) if (!next.has(name)) patch[name] = null;
      // An unchanged value is still the masked form: leaving it out keeps the stored secret.
      for (const [name, value] of next) if (prev.get(name) !== value) patch[name] = value;
      return Object.keys(patch).length === 0 ? { ok: true, skip: true } : { ok: true, value: patch };
    }
  }
}

function changed(field: ConfigField, before: FormState, after: FormState): boolean {
  const key = fieldKey(field);
  if (field.input.type === 'secret') return after[clearKey(key)] === true || (typeof after[key] === 'string' && after[key].trim() !== '');
  return before[key] !== after[key];
}

/**
 * The merge patch turning `before` into `after`, or the messages of fields whose text cannot be
 * converted. `provider` is one object: changing its kind nulls the other kind's keys, and
 * choosing no provider sends `provider: null`.
 */
export function toPatch(
  fields: readonly ConfigField[],
  before: FormState,
  after: FormState,
): { ok: true; patch: Record<string, unknown> } | { ok: false; errors: FieldErrors } {
  const patch: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const field of fields) {
    if (!changed(field, before, after)) continue;
    const result = convert(field, before, after);
    if (!result.ok) errors[fieldKey(field)] = result.message;
    else if (!('skip' in result)) setAt(patch, field.path, result.value);
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  applyProviderKind(fields, before, after, patch);
  return { ok: true, patch };
}

const PROVIDER_KEYS: Readonly<Record<string, readonly string[]>> = {
  kilo: ['token', 'organization_id'],
  'openai-compatible': ['id', 'base_url', 'api_key'],
};

function applyProviderKind(fields: readonly ConfigField[], before: FormState, after: FormState, patch: Record<string, unknown>): void {
  const kindField = fields.find((f) => fieldKey(f) === 'provider.kind');
  if (kindField === undefined || before['provider.kind'] === after['provider.kind']) return;
  const kind = after['provider.kind'];
  if (kind === '' || typeof kind !== 'string') {
    patch.provider = null;
    return;
  }
  const provider: Record<string, unknown> = {};
  const current = valueAt(patch, ['provider']);
  if (typeof current === 'object' && current !== null) for (const [k, v] of Object.entries(current)) provider[k] = v;
  for (const [otherKind, keys] of Object.entries(PROVIDER_KEYS)) {
    if (otherKind === kind) continue;
    for (const k of keys) if (!(k in provider)) provider[k] = null;
  }
  provider.kind = kind;
  patch.provider = provider;
}

/** Puts each issue on the field whose path is the longest prefix of the issue's path. */
export function errorsFor(fields: readonly ConfigField[], issues: readonly FieldIssue[], prefix: readonly string[] = []): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.map(String)];
    let best: ConfigField | null = null;
    for (const field of fields) {
      const fp = field.path;
      if (fp.length > path.length || !fp.every((step, i) => path[i] === step)) continue;
      if (best === null || fp.length > best.path.length) best = field;
    }
    const key = best === null ? '' : fieldKey(best);
    const text = best === null && path.length > 0 ? `${path.join('.')}: ${issue.message}` : issue.message;
    errors[key] = errors[key] === undefined ? text : `${errors[key]} ${text}`;
  }
  return errors;
}
