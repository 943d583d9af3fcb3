/**
 * `gt_sling` (`tools.md` §5, mayor only): `POST M/sling` creates one issue bead on a rig and lets
 * the town dispatch a polecat to it. Arguments are the worker's `Sling` body schema, imported.
 */
import { Sling } from '../../../src/protocol/api.ts';
import { defineTool } from '../define-tool.ts';

/** The mayor's marker tool: the control server's `tools_check` looks for this id. */
export const gtSling = defineTool({
  id: 'gt_sling',
  description:
    'Create one task (an issue bead) on a rig and have Gastown dispatch a polecat to it. Use the rig id from gt_list_rigs; the title says what to do, the body gives the details.',
  args: Sling.shape,
  execute: (args, { api, signal }) => api.call('POST', api.mayorPath('/sling'), args, { signal }),
});
