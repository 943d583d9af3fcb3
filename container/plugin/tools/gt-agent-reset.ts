/**
 * `gt_agent_reset` (`tools.md` §5, mayor): `POST M/agents/:agentId/reset` resets a stuck agent.
 */
import { GtAgentResetArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';

export const gtAgentReset = defineTool({
  id: 'gt_agent_reset',
  description: 'Reset a stuck or stalled agent: its session stops and its bead returns to the queue.',
  args: GtAgentResetArgs,
  describe: { agent_id: "The agent's id (a UUID, from gt_list_agents)." },
  execute: (args, { api, signal }) => api.call('POST', api.mayorPath(`/agents/${args.agent_id}/reset`), undefined, { signal }),
});
