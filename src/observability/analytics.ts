/**
 * One Analytics Engine point per request (`http-api.md` §5): index = route; blobs = method,
 * route, error_code, the id tags and caller_kind; doubles = duration_ms and status.
 */
import type { RequestTags } from './log.ts';

export const ID_TAGS = ['orgId', 'townId', 'rigId', 'agentId', 'beadId', 'convoyId', 'escalationId', 'eventId'] as const;

export function writeRequestPoint(
  dataset: AnalyticsEngineDataset | undefined,
  p: { method: string; route: string; status: number; durationMs: number; errorCode: string | null; tags: RequestTags },
): void {
  if (dataset === undefined) return;
  dataset.writeDataPoint({
    indexes: [p.route.slice(0, 96)],
    blobs: [p.method, p.route, p.errorCode ?? '', ...ID_TAGS.map((k) => p.tags[k] ?? ''), p.tags.caller_kind ?? 'none'],
    doubles: [p.durationMs, p.status],
  });
}
