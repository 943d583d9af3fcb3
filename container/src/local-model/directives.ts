/**
 * Steering lines of the local model (`container.md` §10): a line `gt-local: key=value|key=value`
 * anywhere in the system prompt or the user message. Keys: `file=<path>` (the polecat writes
 * this file), `delay_ms=<n>` (the server waits before answering), `fail=<step>` (the server
 * answers that step with an error). Later lines override earlier ones; unknown keys are ignored.
 */

/** The steering a conversation carries. */
export interface Directives {
  file?: string;
  delayMs?: number;
  failStep?: number;
}

/** A whole line starting with `gt-local:` (leading spaces allowed). */
const DIRECTIVE_LINE = /^[ \t]*gt-local:(.*)$/gm;

/** A non-negative integer, else undefined. */
function count(value: string): number | undefined {
  if (!/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The directives of `texts`, read in order (a later value wins). */
export function parseDirectives(texts: readonly string[]): Directives {
  const out: Directives = {};
  for (const text of texts) {
    for (const match of text.matchAll(DIRECTIVE_LINE)) {
      for (const pair of (match[1] ?? '').split('|')) {
        const eq = pair.indexOf('=');
        if (eq < 0) continue;
        const key = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        if (key === 'file' && value !== '') out.file = value;
        else if (key === 'delay_ms') {
          const n = count(value);
          if (n !== undefined) out.delayMs = n;
        } else if (key === 'fail') {
          const n = count(value);
          if (n !== undefined) out.failStep = n;
        }
      }
    }
  }
  return out;
}

/** The `gt-local:` lines of `text`, in order. */
export function directiveLines(text: string): string[] {
  return [...text.matchAll(DIRECTIVE_LINE)].map((m) => m[0].trim());
}

/** `text` without its `gt-local:` lines. */
export function withoutDirectives(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^[ \t]*gt-local:/.test(line))
    .join('\n');
}
