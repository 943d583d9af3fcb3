/**
 * The overview's activity timeline: the newest events of `GET T/activity`, extended by
 * `activity` frames as they happen.
 */
import type { ActivityEvent } from '../../../../protocol/api.ts';
import { EmptyState, ErrorBanner, Loading, Panel } from '../../components/feedback.tsx';
import { Timeline } from '../../components/timeline.tsx';
import { useLiveResource } from '../../live/use-live-resource.ts';
import { useTown } from '../../town-context.tsx';
import { appendActivity } from '../../activity-list.ts';

/** Events kept on screen. */
const SHOWN = 100;

export function ActivityPanel(props: { beadTitles: ReadonlyMap<string, string> }) {
  const { townId, api } = useTown();
  const activity = useLiveResource(
    async () => (await api.activity({ limit: 50 })).items,
    [townId],
    (current: ActivityEvent[], frame) => (frame.type === 'activity' ? appendActivity(current, [frame.event], SHOWN) : null),
  );
  const list = activity.data ?? [];
  return (
    <Panel id="activity" title="Activity">
      <ErrorBanner error={activity.error} onRetry={activity.reload} />
      {activity.loading && activity.data === null ? <Loading what="activity" /> : null}
      {activity.data !== null && list.length === 0 ? <EmptyState title="Nothing has happened yet">Every change to a bead shows up here as it happens.</EmptyState> : null}
      <Timeline townId={townId} events={list} beadTitles={props.beadTitles} />
    </Panel>
  );
}
