/**
 * `gt_ui_action` (`tools.md` §5, mayor): `POST M/ui-action` makes the user's open dashboards show a
 * bead, a convoy, an agent or a page; answers how many dashboards it reached.
 */
import { UiActionRequest } from '../../../src/protocol/agent.ts';
import { defineTool } from '../define-tool.ts';
import { numberField } from '../json-fields.ts';

export const gtUiAction = defineTool({
  id: 'gt_ui_action',
  description: "Show something in the user's open dashboard: a bead, a convoy, an agent, or a page.",
  args: UiActionRequest,
  describe: {
    action:
      'One of {type: "open_bead", bead_id}, {type: "open_convoy", convoy_id}, {type: "open_agent", agent_id}, {type: "navigate", page: overview|beads|agents|merge-queue|settings|rig, rig_id (required for rig)}.',
  },
  execute: async (args, { api, signal }) => {
    const result = await api.call('POST', api.mayorPath('/ui-action'), args, { signal });
    const delivered = numberField(result, 'delivered') ?? 0;
    return delivered === 0 ? 'No dashboard is open; nothing was shown.' : `Shown on ${delivered} open dashboard${delivered === 1 ? '' : 's'}.`;
  },
});
