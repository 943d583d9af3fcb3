/**
 * Redaction and structured logging (`container.md` §8, §9.3). One `Redactor` per process,
 * created in main.ts, learns every secret the server holds (control secret, tokens, provider
 * keys); every log line is one JSON object whose string values have passed through `redact()`.
 */

/** Secrets shorter than this are ignored: masking them would mangle ordinary text. */
const MIN_SECRET_LENGTH = 6;
/** `scheme://user:pass@` → `scheme://***@` (userinfo never reaches a log). */
const URL_USERINFO = /:\/\/[^\s/@:"'<>]+(?::[^\s/@"'<>]*)?@/g;
/** A JWT: base64url JSON header (`eyJ…`), payload and signature. */
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g;

/** Masks known secrets, URL credentials and JWT-looking strings in any text. */
export class Redactor {
  readonly #secrets = new Set<string>();
  /** Longest first, so a secret containing another is masked whole. */
  #ordered: string[] = [];

  /** Remembers a secret to mask from now on; empty, missing or short (< 6 chars) values are ignored. */
  addSecret(value: string | null | undefined): void {
    if (value === null || value === undefined || value.length < MIN_SECRET_LENGTH) return;
    if (this.#secrets.has(value)) return;
    this.#secrets.add(value);
    this.#ordered = [...this.#secrets].sort((a, b) => b.length - a.length);
  }

  /** `text` with every known secret as `****` + its last 4 chars, URL userinfo as `://***@` and JWTs as `****`. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.#ordered) {
      if (out.includes(secret)) out = out.split(secret).join(`****${secret.slice(-4)}`);
    }
    return out.replace(URL_USERINFO, '://***@').replace(JWT, '****');
  }

  /** A deep copy of `value` with every string redacted; errors become `{name, message, stack}`. */
  redactValue(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value === null || typeof value !== 'object') return value;
    if (depth > MAX_DEPTH) return '[depth limit]';
    if (value instanceof Error) {
      return { name: value.name, message: this.redact(value.message), stack: value.stack === undefined ? undefined : this.redact(value.stack) };
    }
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v, depth + 1));
    return this.redactRecord(value, depth);
  }

  /** `redactValue` for a plain object, keeping its type. */
  redactRecord(value: object, depth = 0): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.redactValue(v, depth + 1);
    return out;
  }
}

const MAX_DEPTH = 20;

/** Structured logger: `msg` is a `domain.verb` name, `fields` its data. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

type Level = 'info' | 'warn' | 'error';

function defaultWrite(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * A logger writing one JSON object per line (`{level, msg, at, ...fields}`) through `write`
 * (default: stdout). Every field value is redacted, and then the whole line once more.
 */
export function createLogger(redactor: Redactor, write: (line: string) => void = defaultWrite): Logger {
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>): void => {
    const safe = fields === undefined ? {} : redactor.redactRecord(fields);
    const head = { level, msg, at: new Date().toISOString() };
    let line: string;
    try {
      // head first for readability, and again last so a field cannot overwrite it.
      line = JSON.stringify(Object.assign({}, head, safe, head));
    } catch {
      line = JSON.stringify({ ...head, log_error: 'fields not serialisable' });
    }
    write(redactor.redact(line));
  };
  return {
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}
