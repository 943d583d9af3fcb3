/**
 * `gt_status` (`tools.md` §4, polecat and refinery): `POST P/status-message` sets the one-line
 * status the dashboard shows for this agent.
 */
import { StatusMessage } from '../../../src/protocol/agent.ts';
import { defineTool } from '../define-tool.ts';

export const gtStatus = defineTool({
  id: 'gt_status',
  description: 'Tell the user what you are doing now, shown next to your name on the dashboard. Update it at each phase change.',
  args: StatusMessage,
  describe: {
    message: 'One line of plain text, e.g. "Running the test suite" (1–280 chars).',
  },
  execute: async (args, { api, signal }) => {
    await api.call('POST', api.agentPath('/status-message'), args, { signal });
    return `Status set: ${args.message}`;
  },
});
