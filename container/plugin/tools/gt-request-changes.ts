/**
 * `gt_request_changes` (`tools.md` §4, refinery): `POST P/request-changes` fails the review with
 * feedback; the worker creates a `gt:rework` issue that blocks the merge request and unhooks the
 * refinery, which then finishes with `gt_done`.
 */
import { RequestChanges } from '../../../src/protocol/agent.ts';
import { defineTool } from '../define-tool.ts';
import { fieldOf, stringField } from '../json-fields.ts';

export const gtRequestChanges = defineTool({
  id: 'gt_request_changes',
  description:
    'Fail the review of the merge request hooked to you and send it back for rework. A polecat will fix exactly what the feedback names, so be precise. Afterwards call gt_done with the branch.',
  args: RequestChanges,
  describe: {
    feedback: 'What must change and why: exact files, lines, failing commands and their errors (1–16 384 chars). The polecat doing the rework sees only this.',
    files: 'Paths of the files that need changes, relative to the repository root (at most 100).',
  },
  execute: async (args, { api, signal }) => {
    const data = await api.call('POST', api.agentPath('/request-changes'), args, { signal });
    const rework = stringField(fieldOf(data, 'rework_bead'), 'id');
    return `Changes requested${rework === undefined ? '' : `: rework bead ${rework} created`}. Now call gt_done with the branch.`;
  },
});
