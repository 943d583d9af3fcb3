/**
 * The overview's merge queue (`GET T/merge-queue`): merge requests waiting for review, those
 * needing attention (stale or failed) and recent review activity. Refetched when a merge
 * request changes.
 */
import type { MergeItem, MergeQueue } from '../../../../protocol/api.ts';
import { describeActivity } from '../../activity-text.ts';
import { StatusBadge } from '../../components/badges.tsx';
import { EmptyState, ErrorBanner, Loading, Panel } from '../../components/feedback.tsx';
import { RelTime } from '../../components/rel-time.tsx';
import { useLiveResource } from '../../live/use-live-resource.ts';
import { Link } from '../../router.tsx';
import { useTown } from '../../town-context.tsx';

const REVIEW_EVENTS = new Set(['review_submitted', 'review_completed', 'pr_created', 'pr_poll_failed', 'status_changed']);

function Item(props: { item: MergeItem }) {
  const { townId } = useTown();
  const { bead, source } = props.item;
  return (
    <li class="row">
      <div class="row-main">
        <Link to={{ page: 'bead', townId, beadId: bead.id }} class="row-title">
          {source?.title ?? bead.title}
        </Link>
        <span class="muted small">
          <StatusBadge status={bead.status} /> {bead.review?.branch ?? ''}
          {props.item.stale_since === null ? null : (
            <>
              {' '}
              · stale since <RelTime iso={props.item.stale_since} />
            </>
          )}
        </span>
        {props.item.failure_reason === null ? null : <span class="error-text small">{props.item.failure_reason}</span>}
      </div>
      {bead.review?.pr_url ? (
        <a href={bead.review.pr_url} target="_blank" rel="noopener noreferrer">
          PR
        </a>
      ) : null}
    </li>
  );
}

export function MergeQueuePanel() {
  const { townId, api } = useTown();
  const queue = useLiveResource<MergeQueue>(
    () => api.mergeQueue(),
    [townId],
    (_current, frame) => {
      if (frame.type === 'bead' && frame.bead.type === 'merge_request') return 'reload';
      if (frame.type === 'activity' && REVIEW_EVENTS.has(frame.event.type)) return 'reload';
      return null;
    },
  );
  const q = queue.data;
  const empty = q !== null && q.pending.length === 0 && q.needs_attention.length === 0;
  return (
    <Panel id="merge-queue" title="Merge queue">
      <ErrorBanner error={queue.error} onRetry={queue.reload} />
      {queue.loading && q === null ? <Loading what="the merge queue" /> : null}
      {empty ? <EmptyState title="Nothing waiting for review">Finished work appears here while the refinery reviews and merges it.</EmptyState> : null}
      {q !== null && q.needs_attention.length > 0 ? (
        <>
          <h3>Needs attention</h3>
          <ul class="rows">
            {q.needs_attention.map((item) => (
              <Item key={item.bead.id} item={item} />
            ))}
          </ul>
        </>
      ) : null}
      {q !== null && q.pending.length > 0 ? (
        <>
          <h3>Pending</h3>
          <ul class="rows">
            {q.pending.map((item) => (
              <Item key={item.bead.id} item={item} />
            ))}
          </ul>
        </>
      ) : null}
      {q !== null && q.recent.length > 0 ? (
        <>
          <h3>Recent</h3>
          <ul class="timeline compact">
            {[...q.recent].reverse().slice(0, 10).map((e) => (
              <li key={String(e.seq)}>
                <RelTime iso={e.created_at} /> {describeActivity(e)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Panel>
  );
}
