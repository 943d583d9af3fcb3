/**
 * The overview's convoys (batches of dependent beads) with their progress bars, kept current
 * by `convoy` frames.
 */
import type { Convoy } from '../../../../protocol/api.ts';
import { upsertById } from '../../board.ts';
import { ProgressBar, StatusBadge } from '../../components/badges.tsx';
import { EmptyState, ErrorBanner, Loading, Panel } from '../../components/feedback.tsx';
import { RelTime } from '../../components/rel-time.tsx';
import { useLiveResource } from '../../live/use-live-resource.ts';
import { Link } from '../../router.tsx';
import { useTown } from '../../town-context.tsx';

export function ConvoysPanel() {
  const { townId, api } = useTown();
  const convoys = useLiveResource(
    async () => (await api.convoys()).items,
    [townId],
    (current: Convoy[], frame) => (frame.type === 'convoy' ? upsertById(current, frame.convoy) : null),
  );
  const list = convoys.data ?? [];
  return (
    <Panel id="convoys" title="Convoys">
      <ErrorBanner error={convoys.error} onRetry={convoys.reload} />
      {convoys.loading && convoys.data === null ? <Loading what="convoys" /> : null}
      {convoys.data !== null && list.length === 0 ? (
        <EmptyState title="No convoys">Convoys group dependent beads; ask the mayor to plan a larger change as a convoy.</EmptyState>
      ) : null}
      <ul class="rows">
        {list.map((c) => (
          <li class="row convoy-row" key={c.id}>
            <div class="row-main">
              <Link to={{ page: 'convoy', townId, convoyId: c.id }} class="row-title">
                {c.title}
              </Link>
              <span class="muted small">
                <StatusBadge status={c.status} /> {c.merge_mode} · created <RelTime iso={c.created_at} />
              </span>
            </div>
            <ProgressBar total={c.progress.total} closed={c.progress.closed} failed={c.progress.failed} />
          </li>
        ))}
      </ul>
    </Panel>
  );
}
