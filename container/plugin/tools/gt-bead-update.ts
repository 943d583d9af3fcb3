/**
 * `gt_bead_update` (`tools.md` §5, mayor): `PATCH M/beads/:beadId` changes a bead's fields, held
 * flag, dependencies or status (status changes follow `domain.md` §3: cancel = closed or failed).
 */
import { GtBeadUpdateArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';

export const gtBeadUpdate = defineTool({
  id: 'gt_bead_update',
  description:
    'Change a bead: title, body, priority, labels, held (false releases a held bead for dispatch), status (closed or failed cancels it; closed and failed are final), depends_on or metadata. Give at least one field.',
  args: GtBeadUpdateArgs,
  describe: {
    bead_id: "The bead's id (a UUID).",
    title: 'A new title (1–200 chars).',
    body: 'A new body (at most 65 536 chars).',
    priority: 'low | medium | high | critical.',
    labels: 'The new label list (replaces the old one): up to 20, lowercase [a-z0-9._:/-], no gt: prefix.',
    held: 'true keeps the bead from being dispatched; false releases it.',
    status: 'open | in_progress | in_review | closed | failed. Use closed or failed to cancel; only legal transitions are accepted.',
    depends_on: 'Ids of beads that must finish first (replaces the old list; at most 50).',
    metadata: 'Free-form JSON object (at most 16 KB).',
  },
  execute: ({ bead_id, ...patch }, { api, signal }) => api.call('PATCH', api.mayorPath(`/beads/${bead_id}`), patch, { signal }),
});
