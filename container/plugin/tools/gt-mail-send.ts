/**
 * `gt_mail_send` (`tools.md` §4, §5, every role): `POST P/mail` sends mail from this agent to
 * another agent of the town; the worker delivers it at the recipient's next turn or prime.
 */
import { MailSend } from '../../../src/protocol/agent.ts';
import { defineTool } from '../define-tool.ts';
import { stringField } from '../json-fields.ts';

export const gtMailSend = defineTool({
  id: 'gt_mail_send',
  description: 'Send mail to another agent of the town (for example the mayor or a polecat). It is delivered with its next prompt or prime.',
  args: MailSend,
  describe: {
    to_agent_id: "The recipient agent's id (a UUID, as listed by prime or gt_list_agents).",
    subject: 'A short subject (1–200 chars).',
    body: 'The message (at most 32 768 chars).',
  },
  execute: async (args, { api, signal }) => {
    const mail = await api.call('POST', api.agentPath('/mail'), args, { signal });
    const id = stringField(mail, 'id');
    return `Mail sent to agent ${args.to_agent_id}${id === undefined ? '' : ` (mail ${id})`}.`;
  },
});
