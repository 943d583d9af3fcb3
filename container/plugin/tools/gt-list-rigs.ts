/**
 * `gt_list_rigs` (`tools.md` §5, mayor): `GET M/rigs` lists the town's rigs (repositories) with
 * their ids, which every other mayor tool takes.
 */
import { defineTool, NO_ARGS } from '../define-tool.ts';

export const gtListRigs = defineTool({
  id: 'gt_list_rigs',
  description: "List the town's rigs (one per repository): ids, names, git URLs, default branches and settings. Use a rig's id with gt_sling.",
  args: NO_ARGS,
  describe: {},
  execute: (_args, { api, signal }) => api.call('GET', api.mayorPath('/rigs'), undefined, { signal }),
});
