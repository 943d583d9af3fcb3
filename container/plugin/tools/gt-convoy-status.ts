/**
 * `gt_convoy_status` (`tools.md` §5, mayor): `GET M/convoys/:convoyId`, one convoy with its
 * members and dependency edges.
 */
import { GtConvoyIdArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';

export const gtConvoyStatus = defineTool({
  id: 'gt_convoy_status',
  description: "Show one convoy: status, merge mode, feature branch, every member bead with its status and assignee, and the dependency edges.",
  args: GtConvoyIdArgs,
  describe: { convoy_id: "The convoy's id (a UUID)." },
  execute: (args, { api, signal }) => api.call('GET', api.mayorPath(`/convoys/${args.convoy_id}`), undefined, { signal }),
});
