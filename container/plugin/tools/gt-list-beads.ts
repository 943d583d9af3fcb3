/**
 * `gt_list_beads` (`tools.md` §5, mayor): `GET M/beads` with the mayor's filters, newest first.
 */
import { GtListBeadsArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';
import { toQuery } from '../query.ts';

export const gtListBeads = defineTool({
  id: 'gt_list_beads',
  description: 'List beads (issues, merge requests, convoys, escalations, …), newest first, optionally filtered by rig, status and type.',
  args: GtListBeadsArgs,
  describe: {
    rig_id: "Only this rig's beads (a rig id from gt_list_rigs).",
    status: 'Comma-separated statuses: open, in_progress, in_review, closed, failed (e.g. "open,in_progress").',
    type: 'Comma-separated types: issue, merge_request, convoy, escalation, message, agent.',
    limit: 'How many beads at most (1–500, default 100).',
  },
  execute: (args, { api, signal }) => api.call('GET', api.mayorPath('/beads'), undefined, { signal, query: toQuery(args) }),
});
