/**
 * Small helpers shared by the fake host's GitHub and GitLab apps: JSON error answers in each
 * host's shape, body parsing through a zod schema (422 / 400 on a mismatch), pagination and the
 * web origin a request came in on (PR `html_url`s and MR `web_url`s are built on it).
 */
import type { z } from 'zod';

/** `{message}` with `status`, the GitHub/GitLab error shape. */
export function apiError(status: number, message: string, extra: Record<string, unknown> = {}): Response {
  return Response.json({ message, ...extra }, { status });
}

/** The request body through `schema`, or a `status` answer naming the first bad field. */
export async function parseBody<S extends z.ZodType>(request: Request, schema: S, status: 400 | 422): Promise<z.infer<S> | Response> {
  let raw: unknown;
  try {
    raw = await request.json();
  } catch {
    return apiError(400, 'Problems parsing JSON');
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((i) => ({ field: i.path.join('.'), code: 'invalid', message: i.message }));
  return apiError(status, 'Validation Failed', { errors });
}

/** `page` (from 1) of `items` with `per_page` (default 30, at most 100). */
export function paginate<T>(items: readonly T[], query: URLSearchParams): T[] {
  const perPage = Math.min(Math.max(Number.parseInt(query.get('per_page') ?? '30', 10) || 30, 1), 100);
  const page = Math.max(Number.parseInt(query.get('page') ?? '1', 10) || 1, 1);
  return items.slice((page - 1) * perPage, page * perPage);
}

/** `http://127.0.0.1:<port>` of the request. */
export function originOf(request: Request): string {
  return new URL(request.url).origin;
}
