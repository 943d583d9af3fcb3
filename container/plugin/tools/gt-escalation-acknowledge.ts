/**
 * `gt_escalation_acknowledge` (`tools.md` §5, mayor): `POST M/escalations/:escalationId/acknowledge`
 * closes an escalation (idempotent).
 */
import { GtEscalationAcknowledgeArgs } from '../../../src/protocol/tools.ts';
import { defineTool } from '../define-tool.ts';

export const gtEscalationAcknowledge = defineTool({
  id: 'gt_escalation_acknowledge',
  description: 'Acknowledge an escalation once it is handled; it closes and stops re-escalating.',
  args: GtEscalationAcknowledgeArgs,
  describe: { escalation_id: "The escalation's id (a UUID, from your mail or gt_list_beads type escalation)." },
  execute: async (args, { api, signal }) => {
    await api.call('POST', api.mayorPath(`/escalations/${args.escalation_id}/acknowledge`), undefined, { signal });
    return `Escalation ${args.escalation_id} acknowledged.`;
  },
});
