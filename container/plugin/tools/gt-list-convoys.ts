/**
 * `gt_list_convoys` (`tools.md` §5, mayor): `GET M/convoys`, optionally by status, with progress.
 */
import { GtListConvoysArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';
import { toQuery } from '../query.ts';

export const gtListConvoys = defineTool({
  id: 'gt_list_convoys',
  description: 'List convoys with their status and progress (total, closed, failed, active members).',
  args: GtListConvoysArgs,
  describe: {
    status: 'Comma-separated statuses: staged, open, landing, landed, failed.',
  },
  execute: (args, { api, signal }) => api.call('GET', api.mayorPath('/convoys'), undefined, { signal, query: toQuery(args) }),
});
