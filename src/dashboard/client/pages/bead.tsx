/**
 * The bead page: its fields, what blocks it and what it blocks, its merge request and PR link,
 * its timeline (`GET T/activity?bead_id=`, extended live), and the actions edit, hold/un-hold,
 * cancel and delete.
 */
import { useState } from 'hono/jsx/dom';
import type { ActivityEvent, Bead, BeadRef, BeadWithRelations } from '../../../protocol/api.ts';
import { humanize } from '../activity-text.ts';
import { appendActivity } from '../activity-list.ts';
import { StatusBadge } from '../components/badges.tsx';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { EmptyState, ErrorBanner, Panel } from '../components/feedback.tsx';
import { ResourcePlaceholder } from '../components/resource-placeholder.tsx';
import { RelTime } from '../components/rel-time.tsx';
import { Timeline } from '../components/timeline.tsx';
import { useLiveResource } from '../live/use-live-resource.ts';
import { usePageLabel } from '../page-label.ts';
import { Link, navigate } from '../router.tsx';
import { rigName, useTown } from '../town-context.tsx';
import { BeadEditForm } from './bead-edit-form.tsx';

const TERMINAL = new Set(['closed', 'failed']);

function RefList(props: { refs: readonly BeadRef[]; empty: string }) {
  const { townId } = useTown();
  if (props.refs.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <ul class="rows">
      {props.refs.map((r) => (
        <li class="row" key={r.id}>
          <Link to={{ page: 'bead', townId, beadId: r.id }}>{r.title}</Link> <StatusBadge status={r.status} />
        </li>
      ))}
    </ul>
  );
}

/** The merge request of an issue (found by its source), or the review fields of an MR. */
function MergeRequestInfo(props: { bead: Bead }) {
  const { townId, api } = useTown();
  const b = props.bead;
  const mrs = useLiveResource(
    async () => (b.type === 'issue' ? (await api.beads({ type: 'merge_request', limit: 500 })).items.filter((m) => m.review?.source_bead_id === b.id) : []),
    [townId, b.id],
    (_current: Bead[], frame) => (frame.type === 'bead' && frame.bead.type === 'merge_request' && frame.bead.review?.source_bead_id === b.id ? 'reload' : null),
  );
  const review = b.review;
  if (review !== null) {
    return (
      <dl class="fields">
        <dt>Source</dt>
        <dd>{review.source_bead_id === null ? '—' : <Link to={{ page: 'bead', townId, beadId: review.source_bead_id }}>source bead</Link>}</dd>
        <dt>Branch</dt>
        <dd class="mono">
          {review.branch ?? '—'} → {review.target_branch ?? '—'}
        </dd>
        <dt>Pull request</dt>
        <dd>{review.pr_url === null ? '—' : <a href={review.pr_url} target="_blank" rel="noopener noreferrer">{review.pr_url}</a>}</dd>
        {review.review_decision === null ? null : (
          <>
            <dt>Decision</dt>
            <dd>{humanize(review.review_decision)}</dd>
          </>
        )}
        {review.awaiting_approval ? (
          <>
            <dt>Approval</dt>
            <dd>awaiting approval</dd>
          </>
        ) : null}
      </dl>
    );
  }
  const list = mrs.data ?? [];
  if (b.type !== 'issue') return <p class="muted">Only issues and merge requests have merge requests.</p>;
  if (list.length === 0) return <p class="muted">No merge request yet: one is created when an agent finishes this work.</p>;
  return (
    <ul class="rows">
      {list.map((mr) => (
        <li class="row" key={mr.id}>
          <Link to={{ page: 'bead', townId, beadId: mr.id }}>Merge request</Link> <StatusBadge status={mr.status} />
          <span class="mono small">{mr.review?.branch ?? ''}</span>
          {mr.review?.pr_url ? (
            <a href={mr.review.pr_url} target="_blank" rel="noopener noreferrer">
              pull request
            </a>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function Actions(props: { bead: Bead; onChanged: (bead: Bead) => void; onEdit: () => void }) {
  const { townId, api } = useTown();
  const [error, setError] = useState<unknown>(null);
  const b = props.bead;
  const terminal = TERMINAL.has(b.status);
  const patch = async (p: { held?: boolean; status?: 'closed' }): Promise<void> => {
    setError(null);
    try {
      props.onChanged(await api.patchBead(b.id, p));
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div class="actions wrap">
      {terminal ? null : (
        <button type="button" onClick={props.onEdit}>
          Edit
        </button>
      )}
      {!terminal && b.held ? (
        <button type="button" class="primary" onClick={() => void patch({ held: false })}>
          Un-hold
        </button>
      ) : null}
      {!terminal && !b.held && b.status === 'open' ? (
        <button type="button" onClick={() => void patch({ held: true })}>
          Hold
        </button>
      ) : null}
      {terminal ? null : (
        <ConfirmButton
          label="Cancel bead"
          question="Cancel this bead? It is closed and any agent working on it is stopped."
          confirmLabel="Cancel bead"
          onConfirm={async () => props.onChanged(await api.patchBead(b.id, { status: 'closed' }))}
        />
      )}
      <ConfirmButton
        label="Delete"
        question="Delete this bead and its history? This cannot be undone."
        confirmLabel="Delete bead"
        onConfirm={async () => {
          await api.removeBead(b.id);
          navigate({ page: 'overview', townId, section: 'beads' });
        }}
      />
      <ErrorBanner error={error} />
    </div>
  );
}

export function BeadPage(props: { beadId: string }) {
  const { townId, api, rigs } = useTown();
  const [editing, setEditing] = useState(false);
  const detail = useLiveResource<BeadWithRelations>(
    () => api.bead(props.beadId),
    [townId, props.beadId],
    (current, frame) => {
      if (frame.type !== 'bead') return null;
      if (frame.bead.id === props.beadId) return { ...current, bead: frame.bead };
      const related = [...current.blocked_by, ...current.blocks].some((r) => r.id === frame.bead.id);
      return related ? 'reload' : null;
    },
  );
  const timeline = useLiveResource(
    async () => (await api.activity({ bead_id: props.beadId, limit: 200 })).items,
    [townId, props.beadId],
    (current: ActivityEvent[], frame) => (frame.type === 'activity' && frame.event.bead_id === props.beadId ? appendActivity(current, [frame.event], 500) : null),
  );
  const d = detail.data;
  usePageLabel(d === null ? 'Bead' : `Bead: ${d.bead.title}`);
  if (d === null) return <ResourcePlaceholder resource={detail} what="the bead" />;
  const b = d.bead;
  const setBead = (bead: Bead): void => detail.set((cur) => ({ ...cur, bead }));
  return (
    <div class="detail">
      <p class="crumbs">
        <Link to={{ page: 'overview', townId, section: 'beads' }}>← Beads</Link>
      </p>
      <h1>{b.title}</h1>
      <div class="headline">
        <StatusBadge status={b.status} /> <span class="tag">{humanize(b.type)}</span> <span class="tag">{b.priority}</span>
        {b.held ? <span class="tag held">held</span> : null}
      </div>
      <Actions bead={b} onChanged={setBead} onEdit={() => setEditing(true)} />
      {editing ? (
        <BeadEditForm
          bead={b}
          onSaved={(bead) => {
            setBead(bead);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : null}
      <div class="detail-grid">
        <Panel title="Fields">
          <dl class="fields">
            <dt>Rig</dt>
            <dd>{b.rig_id === null ? '—' : <Link to={{ page: 'rig', townId, rigId: b.rig_id }}>{rigName(rigs.data, b.rig_id)}</Link>}</dd>
            <dt>Assignee</dt>
            <dd>{b.assignee_agent_id === null ? '—' : <Link to={{ page: 'agent', townId, agentId: b.assignee_agent_id }}>agent {b.assignee_agent_id.slice(0, 8)}</Link>}</dd>
            <dt>Labels</dt>
            <dd>{b.labels.length === 0 ? '—' : b.labels.map((l) => <span class="label">{l}</span>)}</dd>
            <dt>Convoy</dt>
            <dd>{b.convoy_id === null ? '—' : <Link to={{ page: 'convoy', townId, convoyId: b.convoy_id }}>convoy {b.convoy_id.slice(0, 8)}</Link>}</dd>
            <dt>Parent</dt>
            <dd>{b.parent_bead_id === null ? '—' : <Link to={{ page: 'bead', townId, beadId: b.parent_bead_id }}>bead {b.parent_bead_id.slice(0, 8)}</Link>}</dd>
            <dt>Dispatch attempts</dt>
            <dd>{b.dispatch_attempts}</dd>
            <dt>Created</dt>
            <dd>
              <RelTime iso={b.created_at} /> by {b.created_by}
            </dd>
            <dt>Updated</dt>
            <dd>
              <RelTime iso={b.updated_at} />
            </dd>
            {b.closed_at === null ? null : (
              <>
                <dt>Closed</dt>
                <dd>
                  <RelTime iso={b.closed_at} />
                </dd>
              </>
            )}
          </dl>
          {b.body === '' ? <p class="muted">No description.</p> : <pre class="body">{b.body}</pre>}
        </Panel>
        <div class="col">
          <Panel title="Blocked by">
            <RefList refs={d.blocked_by} empty="Nothing blocks this bead." />
          </Panel>
          <Panel title="Blocks">
            <RefList refs={d.blocks} empty="No bead waits for this one." />
          </Panel>
          <Panel title="Merge request">
            <MergeRequestInfo bead={b} />
          </Panel>
        </div>
      </div>
      <Panel title="Timeline">
        <ErrorBanner error={timeline.error} onRetry={timeline.reload} />
        {timeline.data !== null && timeline.data.length === 0 ? <EmptyState title="No events yet" /> : null}
        <Timeline townId={townId} events={timeline.data ?? []} hideBead={true} />
      </Panel>
    </div>
  );
}
