/**
 * The overview's agents: role, status, hooked bead, last activity and status message, kept
 * current by `agent` frames (a `dead` agent leaves the list).
 */
import type { Agent } from '../../../../protocol/api.ts';
import { latestTime } from '../../relative-time.ts';
import { removeById, upsertById } from '../../board.ts';
import { StatusBadge } from '../../components/badges.tsx';
import { EmptyState, ErrorBanner, Loading, Panel } from '../../components/feedback.tsx';
import { RelTime } from '../../components/rel-time.tsx';
import { useLiveResource } from '../../live/use-live-resource.ts';
import { Link } from '../../router.tsx';
import { rigName, useTown } from '../../town-context.tsx';

export function AgentsPanel(props: { beadTitles: ReadonlyMap<string, string> }) {
  const { townId, api, rigs } = useTown();
  const agents = useLiveResource(
    async () => (await api.agents()).items,
    [townId],
    (current: Agent[], frame) => {
      if (frame.type !== 'agent') return null;
      return frame.agent.status === 'dead' ? removeById(current, frame.agent.id) : upsertById(current, frame.agent);
    },
  );
  const list = agents.data ?? [];
  return (
    <Panel id="agents" title="Agents">
      <ErrorBanner error={agents.error} onRetry={agents.reload} />
      {agents.loading && agents.data === null ? <Loading what="agents" /> : null}
      {agents.data !== null && list.length === 0 ? (
        <EmptyState title="No agents yet">Agents appear when work is dispatched: create a bead, or ask the mayor for something.</EmptyState>
      ) : null}
      {list.length === 0 ? null : (
        <div class="table-wrap">
          <table class="agents">
            <thead>
              <tr>
                <th>Agent</th>
                <th>Status</th>
                <th>Hook</th>
                <th>Last activity</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {list.map((agent) => (
                <tr key={agent.id} data-agent-id={agent.id}>
                  <td>
                    <Link to={{ page: 'agent', townId, agentId: agent.id }}>{agent.name}</Link>
                    <div class="muted small">
                      {agent.role}
                      {agent.rig_id === null ? '' : ` · ${rigName(rigs.data, agent.rig_id)}`}
                    </div>
                  </td>
                  <td>
                    <StatusBadge status={agent.status} />
                  </td>
                  <td>
                    {agent.hooked_bead_id === null ? (
                      <span class="muted">—</span>
                    ) : (
                      <Link to={{ page: 'bead', townId, beadId: agent.hooked_bead_id }}>{props.beadTitles.get(agent.hooked_bead_id) ?? `bead ${agent.hooked_bead_id.slice(0, 8)}`}</Link>
                    )}
                  </td>
                  <td>
                    <RelTime iso={latestTime(agent.last_event_at, agent.last_heartbeat_at, agent.status_message_at)} />
                  </td>
                  <td class="status-message">{agent.status_message ?? <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
