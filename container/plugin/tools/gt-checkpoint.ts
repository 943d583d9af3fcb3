/**
 * `gt_checkpoint` (`tools.md` §4, polecat and refinery): `POST P/checkpoint` saves a JSON object
 * that the bead's next agent gets with prime. The argument is JSON text, parsed and size-checked
 * during argument validation, so invalid JSON never reaches the worker.
 */
import { GtCheckpointArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';

export const gtCheckpoint = defineTool({
  id: 'gt_checkpoint',
  description:
    'Save your progress at a milestone, so whoever resumes this bead (you after a restart, or another agent) can continue: the plan, what is done, what is next, open questions.',
  args: GtCheckpointArgs,
  describe: {
    data: 'A JSON object, written as JSON text, e.g. {"done": ["parser"], "next": "tests"}. At most 64 KB; anything that is not a JSON object is refused before it is sent.',
  },
  execute: async (args, { api, signal }) => {
    await api.call('POST', api.agentPath('/checkpoint'), args, { signal });
    return 'Checkpoint saved.';
  },
});
