/**
 * `gt_bead_delete` (`tools.md` §5, mayor): one id → `DELETE M/beads/:beadId`; more →
 * `POST M/beads/bulk-delete` (repeated ids count once).
 */
import { BulkDelete } from '../../../src/protocol/api.ts';
import { defineTool } from '../define-tool.ts';
import { numberField } from '../json-fields.ts';

export const gtBeadDelete = defineTool({
  id: 'gt_bead_delete',
  description: 'Delete beads for good (mistakes, duplicates). To stop work but keep the record, cancel with gt_bead_update status closed instead.',
  args: BulkDelete,
  describe: {
    bead_ids: 'The ids (UUIDs) of the beads to delete, 1–500.',
  },
  execute: async (args, { api, signal }) => {
    const ids = [...new Set(args.bead_ids)];
    const [only] = ids;
    if (ids.length === 1 && only !== undefined) {
      await api.call('DELETE', api.mayorPath(`/beads/${only}`), undefined, { signal });
      return `Deleted bead ${only}.`;
    }
    const result = await api.call('POST', api.mayorPath('/beads/bulk-delete'), { bead_ids: ids }, { signal });
    return `Deleted ${numberField(result, 'deleted') ?? ids.length} of ${ids.length} beads.`;
  },
});
