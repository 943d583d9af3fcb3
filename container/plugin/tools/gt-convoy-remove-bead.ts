/**
 * `gt_convoy_remove_bead` (`tools.md` §5, mayor): `DELETE M/convoys/:convoyId/beads/:beadId`
 * takes a bead out of a convoy (the bead itself stays).
 */
import { GtConvoyRemoveBeadArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';

export const gtConvoyRemoveBead = defineTool({
  id: 'gt_convoy_remove_bead',
  description: 'Remove a bead from a convoy (for example a failed member you will not retry); the bead itself is kept.',
  args: GtConvoyRemoveBeadArgs,
  describe: {
    convoy_id: "The convoy's id (a UUID).",
    bead_id: "The member bead's id (a UUID).",
  },
  execute: (args, { api, signal }) => api.call('DELETE', api.mayorPath(`/convoys/${args.convoy_id}/beads/${args.bead_id}`), undefined, { signal }),
});
