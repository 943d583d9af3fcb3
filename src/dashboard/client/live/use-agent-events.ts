/**
 * An agent's session events as they stream: the newest page of `GET T/agents/:id/events`, then
 * `agent_event` frames for that agent (the socket is told to `watch_agent` it), merged by seq.
 * While the socket is down, or watches another agent, the page is refetched on the polling
 * interval.
 */
import { useRef } from 'hono/jsx/dom';
import type { AgentEvent } from '../../../protocol/api.ts';
import type { Loaded } from '../hooks.ts';
import { mergeEvents } from '../transcript.ts';
import { useTown } from '../town-context.tsx';
import { useLiveStatus, usePollWhile, useWatchAgent } from './live-context.tsx';
import { useLiveResource } from './use-live-resource.ts';

/** Events fetched per load (the server keeps the newest 2 000). */
const PAGE = 500;

export function useAgentEvents(agentId: string | null): Loaded<AgentEvent[]> {
  const { townId, api } = useTown();
  const kept = useRef<AgentEvent[]>([]);
  const streaming = useWatchAgent(agentId);
  const events = useLiveResource(
    async () => {
      if (agentId === null) return [];
      const page = await api.agentEvents(agentId, { limit: PAGE });
      return mergeEvents(kept.current, page.items);
    },
    [townId, agentId],
    (current: AgentEvent[], frame) => (frame.type === 'agent_event' && frame.agent_id === agentId ? mergeEvents(current, [frame.event]) : null),
  );
  kept.current = events.data ?? [];
  // Live, but the socket watches another agent (the chat beside an agent page): poll this one.
  const { status } = useLiveStatus();
  usePollWhile(status === 'live' && agentId !== null && !streaming, events.reload);
  return events;
}
