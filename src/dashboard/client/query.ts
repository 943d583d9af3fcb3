/**
 * Query strings of list routes: values left out when undefined or empty. Pure.
 */

/** Query values; undefined and empty strings are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** `path` with `query` appended (`?a=1&b=x`), or `path` alone when nothing is set. */
export function withQuery(path: string, query: Query | undefined): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs === '' ? path : `${path}?${qs}`;
}
