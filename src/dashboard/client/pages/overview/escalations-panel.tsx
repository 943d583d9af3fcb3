/**
 * The overview's open escalations (`GET T/escalations?acknowledged=false`), each with an
 * acknowledge button (`POST …/acknowledge`). Refetched when an escalation is raised or
 * acknowledged anywhere.
 */
import { useState } from 'hono/jsx/dom';
import type { Escalation } from '../../../../protocol/api.ts';
import { humanize } from '../../activity-text.ts';
import { removeById } from '../../board.ts';
import { StatusBadge } from '../../components/badges.tsx';
import { EmptyState, ErrorBanner, Panel } from '../../components/feedback.tsx';
import { RelTime } from '../../components/rel-time.tsx';
import { useLiveResource } from '../../live/use-live-resource.ts';
import { Link } from '../../router.tsx';
import { useTown } from '../../town-context.tsx';

function EscalationRow(props: { escalation: Escalation; onAcknowledged: (id: string) => void }) {
  const { townId, api } = useTown();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const e = props.escalation;
  return (
    <li class={`row escalation severity-${e.severity}`}>
      <div class="row-main">
        <span class="row-title">{e.title}</span>
        <span class="muted small">
          <StatusBadge status={e.severity} /> {humanize(e.category)} · <RelTime iso={e.created_at} />
          {e.bead_id === null ? null : (
            <>
              {' · '}
              <Link to={{ page: 'bead', townId, beadId: e.bead_id }}>bead</Link>
            </>
          )}
        </span>
        {e.body === '' ? null : <p class="small">{e.body}</p>}
        <ErrorBanner error={error} />
      </div>
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await api.acknowledgeEscalation(e.id);
            props.onAcknowledged(e.id);
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        Acknowledge
      </button>
    </li>
  );
}

export function EscalationsPanel() {
  const { townId, api } = useTown();
  const escalations = useLiveResource(
    async () => (await api.escalations({ acknowledged: 'false', limit: 100 })).items,
    [townId],
    (_current: Escalation[], frame) => (frame.type === 'activity' && (frame.event.type === 'escalated' || frame.event.type === 'acknowledged') ? 'reload' : null),
  );
  const list = escalations.data ?? [];
  return (
    <Panel id="escalations" title="Open escalations" class={list.length > 0 ? 'attention' : ''}>
      <ErrorBanner error={escalations.error} onRetry={escalations.reload} />
      {escalations.data !== null && list.length === 0 ? <EmptyState title="No open escalations">Agents escalate here when they need a decision from you.</EmptyState> : null}
      <ul class="rows">
        {list.map((e) => (
          <EscalationRow key={e.id} escalation={e} onAcknowledged={(id) => escalations.set((current) => removeById(current, id))} />
        ))}
      </ul>
    </Panel>
  );
}
