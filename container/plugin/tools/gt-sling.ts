/**
 * `gt_sling` (`tools.md` §5, mayor): `POST M/sling` creates one issue bead on a rig and lets the
 * town dispatch a polecat to it. Also the mayor's marker tool: the control server's
 * `tools_check` looks for this id.
 */
import { GtSlingArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';

export const gtSling = defineTool({
  id: 'gt_sling',
  description:
    'Create one task (an issue bead) on a rig and have Gastown dispatch a polecat to it. One concern per task; the polecat cannot ask questions, so put all context in the body. For several related tasks use gt_sling_batch.',
  args: GtSlingArgs,
  describe: {
    rig_id: 'The rig (repository) to work on: an id from gt_list_rigs.',
    title: 'A concrete title saying what to do (1–200 chars).',
    body: 'Everything the polecat needs: current versus expected behaviour, files involved, acceptance criteria (at most 65 536 chars).',
    priority: 'low | medium | high | critical.',
    labels: 'Up to 20 labels, lowercase [a-z0-9._:/-]; the gt: prefix is reserved.',
    model: 'A model to use for this task instead of the town default.',
  },
  execute: (args, { api, signal }) => api.call('POST', api.mayorPath('/sling'), args, { signal }),
});
