/**
 * `gt_bead_status` (`tools.md` §5, mayor): `GET M/beads/:beadId`, one bead with what blocks it,
 * what it blocks and its recent activity.
 */
import { GtBeadIdArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';

export const gtBeadStatus = defineTool({
  id: 'gt_bead_status',
  description: 'Show one bead in full: status, assignee, review state, dependencies (blocked by / blocks) and recent activity.',
  args: GtBeadIdArgs,
  describe: { bead_id: "The bead's id (a UUID)." },
  execute: (args, { api, signal }) => api.call('GET', api.mayorPath(`/beads/${args.bead_id}`), undefined, { signal }),
});
