/**
 * `gt_done` (`tools.md` §4, polecat and refinery): `POST P/done` states that the agent finished its
 * bead; the worker stores it as a fact and the reconciler decides its effect. The plugin adds
 * `bead_id`, the bead hooked at the last prime, so a report about an older bead is recognised.
 */
import { GtDoneArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';

export const gtDone = defineTool({
  id: 'gt_done',
  description:
    'Report that you finished the bead hooked to you. Polecat: after the gates pass and your branch is pushed (pr mode: pass the real PR URL; no_changes when nothing needed to change). Refinery: after a direct merge (merge_commit), or with the PR you opened or reviewed (pr_url), or with just the branch after requesting changes. Call it once, as your last action.',
  args: GtDoneArgs,
  describe: {
    branch: 'The branch of the work (your assignment\'s branch), as pushed to the remote. 1–255 chars.',
    pr_url: "The real URL of the pull/merge request on the rig's repository (from gh pr create / glab mr create, not the link git push prints). Omit in direct mode.",
    summary: 'What was done, in a few sentences (at most 4096 chars).',
    no_changes: 'Polecat only: true when the issue needed no change; the issue closes without a merge request.',
    merge_commit: 'Refinery only, after merging directly into the target branch: the merge commit SHA (7–64 hex chars).',
  },
  execute: async (args, { api, prime, signal }) => {
    const beadId = prime.hookedBeadId;
    await api.call('POST', api.agentPath('/done'), { ...args, ...(beadId === undefined ? {} : { bead_id: beadId }) }, { signal });
    return `Done reported for branch ${args.branch}${beadId === undefined ? '' : ` (bead ${beadId})`}. Gastown takes it from here; end your turn.`;
  },
});
