/**
 * `gt_escalate` (`tools.md` §4, polecat and refinery): `POST P/escalations` raises an escalation
 * (category `agent_request`) for a human and mails the mayor.
 */
import { EscalationCreate } from '../../../src/protocol/agent.ts';
import { defineTool } from '../define-tool.ts';
import { stringField } from '../json-fields.ts';

export const gtEscalate = defineTool({
  id: 'gt_escalate',
  description:
    'Ask a human for help when you are blocked: gates still failing after 3 attempts, missing access, conflicts too hard to resolve, or unclear requirements. Include the exact output or question.',
  args: EscalationCreate,
  describe: {
    title: 'What is wrong, in one line (1–200 chars).',
    body: 'Details: what you tried, the exact errors or command output, what you need.',
    severity: 'low | medium | high | critical (default medium). high: work cannot continue; critical: data loss or security.',
  },
  execute: async (args, { api, signal }) => {
    const escalation = await api.call('POST', api.agentPath('/escalations'), args, { signal });
    const id = stringField(escalation, 'id');
    return `Escalation${id === undefined ? '' : ` ${id}`} raised (severity ${args.severity ?? 'medium'}).`;
  },
});
