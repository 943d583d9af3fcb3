/**
 * `gt_convoy_start` (`tools.md` §5, mayor): `POST M/convoys/:convoyId/start` starts a staged
 * convoy, so its ready members get dispatched.
 */
import { GtConvoyIdArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';

export const gtConvoyStart = defineTool({
  id: 'gt_convoy_start',
  description: 'Start a staged convoy (after the user said go): its members become dispatchable in dependency order.',
  args: GtConvoyIdArgs,
  describe: { convoy_id: "The staged convoy's id (a UUID)." },
  execute: (args, { api, signal }) => api.call('POST', api.mayorPath(`/convoys/${args.convoy_id}/start`), undefined, { signal }),
});
