/**
 * C`/events` (`http-api.md` §4.5): container telemetry points (e.g. `agent.startup_phase`) go to
 * Analytics Engine only, one point each, never to the town's tables. Called by the worker route;
 * without an analytics binding the points are counted and dropped.
 */
import type { ContainerTelemetryEvent } from '../../protocol/container.ts';

/** Writes one point per event: index `container.<event>`; blobs event, town, agent, role, label; doubles duration and value. */
export function forwardContainerTelemetry(dataset: AnalyticsEngineDataset | undefined, townId: string, events: readonly ContainerTelemetryEvent[]): { accepted: number } {
  if (dataset !== undefined) {
    for (const e of events) {
      dataset.writeDataPoint({
        indexes: [`container.${e.event}`.slice(0, 96)],
        blobs: [e.event, townId, e.agent_id ?? '', e.role ?? '', e.label ?? '', e.at ?? ''],
        doubles: [e.duration_ms ?? 0, e.value ?? 0],
      });
    }
  }
  return { accepted: events.length };
}
