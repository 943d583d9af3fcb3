/**
 * `gt_bead_reassign` (`tools.md` §5, mayor): `POST M/beads/:beadId/reassign` hands a bead to
 * another agent.
 */
import { GtBeadReassignArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';

export const gtBeadReassign = defineTool({
  id: 'gt_bead_reassign',
  description: 'Assign a bead to another agent (for example away from a stalled polecat).',
  args: GtBeadReassignArgs,
  describe: {
    bead_id: "The bead's id (a UUID).",
    agent_id: "The new assignee's agent id (a UUID, from gt_list_agents).",
  },
  execute: ({ bead_id, ...body }, { api, signal }) => api.call('POST', api.mayorPath(`/beads/${bead_id}/reassign`), body, { signal }),
});
