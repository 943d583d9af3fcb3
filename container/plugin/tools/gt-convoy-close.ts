/**
 * `gt_convoy_close` (`tools.md` §5, mayor): `POST M/convoys/:convoyId/close` closes a convoy.
 */
import { GtConvoyIdArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';

export const gtConvoyClose = defineTool({
  id: 'gt_convoy_close',
  description: 'Close a convoy that should not continue (its members are not merged further).',
  args: GtConvoyIdArgs,
  describe: { convoy_id: "The convoy's id (a UUID)." },
  execute: (args, { api, signal }) => api.call('POST', api.mayorPath(`/convoys/${args.convoy_id}/close`), undefined, { signal }),
});
