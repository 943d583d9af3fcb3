/**
 * `gt_list_agents` (`tools.md` §5, mayor): `GET M/agents` with the mayor's filters.
 */
import { GtListAgentsArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';
import { toQuery } from '../query.ts';

export const gtListAgents = defineTool({
  id: 'gt_list_agents',
  description: "List the town's agents (polecats, refineries, the mayor) with status, hooked bead and status message.",
  args: GtListAgentsArgs,
  describe: {
    rig_id: "Only this rig's agents.",
    role: 'Comma-separated roles: mayor, polecat, refinery.',
    status: 'Comma-separated statuses: idle, working, waiting, stalled, dead.',
  },
  execute: (args, { api, signal }) => api.call('GET', api.mayorPath('/agents'), undefined, { signal, query: toQuery(args) }),
});
