/**
 * `gt_prime` (`tools.md` §4, polecat and refinery): `POST P/prime` with the agent token, returning
 * the agent's hooked bead, undelivered mail, open beads and follow-up context as JSON (the worker
 * marks the returned mail delivered).
 */
import { defineTool } from '../define-tool.ts';

/** The rig agents' marker tool: the control server's `tools_check` looks for this id. */
export const gtPrime = defineTool({
  id: 'gt_prime',
  description:
    'Fetch your Gastown assignment: your agent record, the bead hooked to you, undelivered mail, open beads of your rig and follow-up context (rework, PR feedback, conflicts, saved WIP). Call it when you start and whenever you are unsure what to do next.',
  args: {},
  execute: (_args, { api, signal }) => api.call('POST', api.agentPath('/prime'), undefined, { signal }),
});
