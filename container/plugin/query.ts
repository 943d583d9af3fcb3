/**
 * Validated list-tool arguments back to the query string their route parses: the protocol query
 * schemas turn `status=open,closed` into an array, so arrays are joined with commas again and
 * every other value becomes its string.
 */

/** `args` as query parameters, without undefined values. */
export function toQuery(args: Readonly<Record<string, unknown>>): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined) continue;
    query[key] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return query;
}
