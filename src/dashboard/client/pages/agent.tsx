/**
 * The agent page: status, role, rig, hooked bead, last activity and status message, its session
 * events as they stream (messages and tool calls), and reset (`POST …/reset`: stop, unhook,
 * idle).
 */
import type { AgentDetail } from '../../../protocol/api.ts';
import { latestTime } from '../relative-time.ts';
import { buildTranscript } from '../transcript.ts';
import { StatusBadge } from '../components/badges.tsx';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { ErrorBanner, Panel } from '../components/feedback.tsx';
import { RelTime } from '../components/rel-time.tsx';
import { ResourcePlaceholder } from '../components/resource-placeholder.tsx';
import { TranscriptView } from '../components/transcript-view.tsx';
import { useAgentEvents } from '../live/use-agent-events.ts';
import { useLiveResource } from '../live/use-live-resource.ts';
import { usePageLabel } from '../page-label.ts';
import { Link } from '../router.tsx';
import { rigName, useTown } from '../town-context.tsx';

export function AgentPage(props: { agentId: string }) {
  const { townId, api, rigs } = useTown();
  const agent = useLiveResource<AgentDetail>(
    () => api.agent(props.agentId),
    [townId, props.agentId],
    (current, frame) => {
      if (frame.type !== 'agent' || frame.agent.id !== props.agentId) return null;
      // A new hook needs the hooked bead's title: refetch; anything else updates in place.
      return frame.agent.hooked_bead_id === current.hooked_bead_id ? { ...current, ...frame.agent } : 'reload';
    },
  );
  const events = useAgentEvents(props.agentId);
  const a = agent.data;
  usePageLabel(a === null ? 'Agent' : `Agent: ${a.name} (${a.role})`);
  if (a === null) return <ResourcePlaceholder resource={agent} what="the agent" />;
  return (
    <div class="detail">
      <p class="crumbs">
        <Link to={{ page: 'overview', townId, section: 'agents' }}>← Agents</Link>
      </p>
      <h1>
        {a.name} <span class="muted">{a.role}</span>
      </h1>
      <div class="headline">
        <StatusBadge status={a.status} />
        {a.rig_id === null ? null : <span class="tag">{rigName(rigs.data, a.rig_id)}</span>}
        {a.active_tools.length === 0 ? null : <span class="muted">running {a.active_tools.join(', ')}</span>}
      </div>
      <div class="actions">
        <ConfirmButton
          label="Reset"
          question="Reset this agent? Its session stops, its bead reopens and it becomes idle."
          confirmLabel="Reset agent"
          onConfirm={async () => {
            const updated = await api.resetAgent(a.id);
            agent.set((cur) => ({ ...cur, ...updated, hooked_bead: updated.hooked_bead_id === null ? null : cur.hooked_bead }));
          }}
        />
      </div>
      <div class="detail-grid">
        <Panel title="Status">
          <dl class="fields">
            <dt>Hooked bead</dt>
            <dd>
              {a.hooked_bead === null ? (
                <span class="muted">none</span>
              ) : (
                <>
                  <Link to={{ page: 'bead', townId, beadId: a.hooked_bead.id }}>{a.hooked_bead.title}</Link> <StatusBadge status={a.hooked_bead.status} />
                </>
              )}
            </dd>
            <dt>Status message</dt>
            <dd>{a.status_message ?? <span class="muted">—</span>}</dd>
            <dt>Last activity</dt>
            <dd>
              <RelTime iso={latestTime(a.last_event_at, a.last_heartbeat_at, a.status_message_at)} />
              {a.last_event_type === null ? null : <span class="muted mono"> ({a.last_event_type})</span>}
            </dd>
            <dt>Last heartbeat</dt>
            <dd>
              <RelTime iso={a.last_heartbeat_at} />
            </dd>
            <dt>Created</dt>
            <dd>
              <RelTime iso={a.created_at} />
            </dd>
          </dl>
        </Panel>
        <Panel title="Session" class="session-panel">
          <ErrorBanner error={events.error} onRetry={events.reload} />
          <TranscriptView entries={buildTranscript(events.data ?? [])} empty="No session events yet: they stream here while the agent works." />
        </Panel>
      </div>
    </div>
  );
}
