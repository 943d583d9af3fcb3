/**
 * The convoy page: progress, members with their status and assignee, the dependencies between
 * them, and start (a staged convoy) and close (cancel: open members fail, agents stop).
 */
import { useState } from 'hono/jsx/dom';
import type { ConvoyDetail } from '../../../protocol/api.ts';
import { ProgressBar, StatusBadge } from '../components/badges.tsx';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { EmptyState, ErrorBanner, Panel } from '../components/feedback.tsx';
import { RelTime } from '../components/rel-time.tsx';
import { ResourcePlaceholder } from '../components/resource-placeholder.tsx';
import { useLiveResource } from '../live/use-live-resource.ts';
import { usePageLabel } from '../page-label.ts';
import { Link } from '../router.tsx';
import { rigName, useTown } from '../town-context.tsx';

const FINISHED = new Set(['landed', 'failed']);

export function ConvoyPage(props: { convoyId: string }) {
  const { townId, api, rigs } = useTown();
  const [error, setError] = useState<unknown>(null);
  const convoy = useLiveResource<ConvoyDetail>(
    () => api.convoy(props.convoyId),
    [townId, props.convoyId],
    (current, frame) => {
      if (frame.type === 'convoy' && frame.convoy.id === props.convoyId) return { ...current, ...frame.convoy };
      if (frame.type === 'bead' && current.beads.some((m) => m.id === frame.bead.id)) {
        return { ...current, beads: current.beads.map((m) => (m.id === frame.bead.id ? { ...m, status: frame.bead.status, title: frame.bead.title } : m)) };
      }
      return null;
    },
  );
  const c = convoy.data;
  usePageLabel(c === null ? 'Convoy' : `Convoy: ${c.title}`);
  if (c === null) return <ResourcePlaceholder resource={convoy} what="the convoy" />;
  const titleOf = new Map(c.beads.map((m) => [m.id, m.title]));
  const start = async (): Promise<void> => {
    setError(null);
    try {
      const updated = await api.startConvoy(c.id);
      convoy.set(() => updated);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div class="detail">
      <p class="crumbs">
        <Link to={{ page: 'overview', townId, section: null }}>← Overview</Link>
      </p>
      <h1>{c.title}</h1>
      <div class="headline">
        <StatusBadge status={c.status} /> <span class="tag">{c.merge_mode}</span>
        {c.rig_ids.map((id) => (
          <span class="tag">{rigName(rigs.data, id)}</span>
        ))}
        <span class="muted">
          created <RelTime iso={c.created_at} />
        </span>
      </div>
      <ProgressBar total={c.progress.total} closed={c.progress.closed} failed={c.progress.failed} />
      <div class="actions">
        {c.status === 'staged' ? (
          <button type="button" class="primary" onClick={() => void start()}>
            Start convoy
          </button>
        ) : null}
        {FINISHED.has(c.status) ? null : (
          <ConfirmButton
            label="Close convoy"
            question="Close this convoy? Unfinished members fail and their agents stop."
            confirmLabel="Close convoy"
            onConfirm={async () => {
              const updated = await api.closeConvoy(c.id);
              convoy.set(() => updated);
            }}
          />
        )}
        <ErrorBanner error={error} />
      </div>
      {c.feature_branch === null ? null : (
        <p class="muted">
          Feature branch <span class="mono">{c.feature_branch}</span>
        </p>
      )}
      <div class="detail-grid">
        <Panel title="Members">
          {c.beads.length === 0 ? <EmptyState title="No members">Add beads to this convoy through the mayor.</EmptyState> : null}
          <ul class="rows">
            {c.beads.map((m) => (
              <li class="row" key={m.id}>
                <div class="row-main">
                  <Link to={{ page: 'bead', townId, beadId: m.id }} class="row-title">
                    {m.title}
                  </Link>
                  <span class="muted small">{m.assignee_name === null ? 'unassigned' : `assigned to ${m.assignee_name}`}</span>
                </div>
                <StatusBadge status={m.status} />
              </li>
            ))}
          </ul>
        </Panel>
        <Panel title="Dependencies">
          {c.edges.length === 0 ? <p class="muted">The members do not depend on each other.</p> : null}
          <ul class="rows">
            {c.edges.map((edge) => (
              <li class="row" key={`${edge.bead_id}-${edge.depends_on_bead_id}`}>
                <span>
                  <Link to={{ page: 'bead', townId, beadId: edge.bead_id }}>{titleOf.get(edge.bead_id) ?? edge.bead_id.slice(0, 8)}</Link>
                  <span class="muted"> waits for </span>
                  <Link to={{ page: 'bead', townId, beadId: edge.depends_on_bead_id }}>{titleOf.get(edge.depends_on_bead_id) ?? edge.depends_on_bead_id.slice(0, 8)}</Link>
                </span>
              </li>
            ))}
          </ul>
        </Panel>
      </div>
    </div>
  );
}
