/**
 * Parsing of the JSON columns of the beads tables. A row whose JSON fails is reported and
 * read as the empty value, never coerced into a wrong shape (`domain.md` §1).
 */
import { z } from 'zod';

const StringArray = z.array(z.string());
const ObjectValue = z.record(z.string(), z.unknown());

function parse(text: string | null): unknown {
  if (text === null || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JSON array of strings column (labels, active_tools). */
export function parseStringArray(text: string | null): string[] {
  const parsed = StringArray.safeParse(parse(text));
  if (parsed.success) return parsed.data;
  if (text !== null && text !== '[]') console.warn(JSON.stringify({ level: 'warn', msg: 'json_column.invalid', kind: 'string_array' }));
  return [];
}

/** A JSON object column (metadata, payloads). */
export function parseJsonObject(text: string | null): Record<string, unknown> {
  const value = parse(text);
  if (value === null) return {};
  const parsed = ObjectValue.safeParse(value);
  if (parsed.success) return parsed.data;
  console.warn(JSON.stringify({ level: 'warn', msg: 'json_column.invalid', kind: 'object' }));
  return {};
}
