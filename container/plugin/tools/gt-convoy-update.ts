/**
 * `gt_convoy_update` (`tools.md` §5, mayor): `PATCH M/convoys/:convoyId` renames a convoy or
 * changes its merge mode.
 */
import { GtConvoyUpdateArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';

export const gtConvoyUpdate = defineTool({
  id: 'gt_convoy_update',
  description: "Change a convoy's title or merge mode (at least one of them).",
  args: GtConvoyUpdateArgs,
  describe: {
    convoy_id: "The convoy's id (a UUID).",
    title: 'A new title (1–200 chars).',
    merge_mode: 'review-then-land (one landing of a feature branch) or review-and-merge (each member merges on its own).',
  },
  execute: ({ convoy_id, ...patch }, { api, signal }) => api.call('PATCH', api.mayorPath(`/convoys/${convoy_id}`), patch, { signal }),
});
