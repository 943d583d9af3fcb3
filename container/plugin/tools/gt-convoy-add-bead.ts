/**
 * `gt_convoy_add_bead` (`tools.md` §5, mayor): `POST M/convoys/:convoyId/beads` adds an existing
 * bead to a convoy, optionally after other members.
 */
import { GtConvoyAddBeadArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';

export const gtConvoyAddBead = defineTool({
  id: 'gt_convoy_add_bead',
  description: 'Add an existing bead to a convoy, optionally depending on members already in it (for example a retry of a failed member).',
  args: GtConvoyAddBeadArgs,
  describe: {
    convoy_id: "The convoy's id (a UUID).",
    bead_id: "The bead's id (a UUID).",
    depends_on: 'Ids of convoy members that must land before this bead (at most 50).',
  },
  execute: ({ convoy_id, ...body }, { api, signal }) => api.call('POST', api.mayorPath(`/convoys/${convoy_id}/beads`), body, { signal }),
});
