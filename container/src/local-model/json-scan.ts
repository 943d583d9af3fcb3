/**
 * Finding JSON inside free text (a tool result, a system prompt): the balanced object starting at
 * a `{`, scanned with string awareness, and the first such object that parses. Pure.
 */

/** The object text starting at `text[start]` (a `{`), or null when it never closes. */
export function balancedObject(text: string, start: number): string | null {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text.charAt(i);
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return null;
}

/** The first JSON object in `text` from `from` on that parses, else undefined. */
export function firstJsonObject(text: string, from = 0): Record<string, unknown> | undefined {
  for (let open = text.indexOf('{', from); open >= 0; open = text.indexOf('{', open + 1)) {
    const candidate = balancedObject(text, open);
    if (candidate === null) return undefined;
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // not JSON at this brace; try the next one
    }
  }
  return undefined;
}

/** `text` parsed as JSON, else undefined. */
export function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `record[key]` when `record` is an object, else undefined. */
export function fieldOf(record: unknown, key: string): unknown {
  return typeof record === 'object' && record !== null && !Array.isArray(record) ? (record as Record<string, unknown>)[key] : undefined;
}
