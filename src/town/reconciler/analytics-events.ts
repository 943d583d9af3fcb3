/**
 * Reconciler analytics events (`reconciler.md` §8, `scm.md` §4–§5): every applied
 * `record_metric` action (`pr.poll_failed`, `pr.awaiting_approval_detected` / `_resolved`,
 * `respawn_suppressed`, …) becomes one structured log line and, when the `ANALYTICS` binding
 * exists, one Analytics Engine point. The tick calls the sink after its transaction commits, so a
 * rolled-back event or action never reports.
 */
import { logLine } from '../../observability/log.ts';
import type { AnalyticsEvent } from './tick-core.ts';

/** Receives one event of a town. */
export type AnalyticsSink = (townId: string, event: AnalyticsEvent) => void;

/** Analytics Engine caps a blob; the data rides as one JSON blob, cut to this length. */
const MAX_DATA_BLOB = 4096;

function idOf(data: Record<string, unknown>, key: string): string {
  const value = data[key];
  return typeof value === 'string' ? value : '';
}

/**
 * The sink writing to `dataset` (index = event name; blobs = name, town, rig, bead, the data as
 * JSON; double = 1) and to the log. Without a dataset the events are only logged.
 */
export function analyticsSink(dataset: AnalyticsEngineDataset | undefined): AnalyticsSink {
  return (townId, event) => {
    logLine('info', event.name, { town_id: townId, ...event.data });
    if (dataset === undefined) return;
    dataset.writeDataPoint({
      indexes: [event.name.slice(0, 96)],
      blobs: [event.name, townId, idOf(event.data, 'rig_id'), idOf(event.data, 'bead_id'), JSON.stringify(event.data).slice(0, MAX_DATA_BLOB)],
      doubles: [1],
    });
  };
}
