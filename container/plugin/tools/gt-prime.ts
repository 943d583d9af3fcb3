/**
 * `gt_prime` (`tools.md` §4, polecat and refinery): `POST P/prime`, returning the agent record, the
 * hooked bead, undelivered mail (now marked delivered), open beads and follow-up context as JSON.
 * Also the rig roles' marker tool: the control server's `tools_check` looks for this id.
 */
import { defineTool, NO_ARGS } from '../define-tool.ts';

export const gtPrime = defineTool({
  id: 'gt_prime',
  description:
    'Fetch your Gastown assignment: your agent record, the bead hooked to you, undelivered mail, open beads of your rig and follow-up context (checkpoint, rework, PR feedback, conflicts, saved WIP). Call it when you start, and whenever you are unsure what to do next.',
  args: NO_ARGS,
  describe: {},
  execute: (_args, { prime, signal }) => prime.fetch(signal),
});
