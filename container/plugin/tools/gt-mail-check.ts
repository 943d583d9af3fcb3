/**
 * `gt_mail_check` (`tools.md` §4, §5, every role): `POST P/mail/check` returns the agent's
 * undelivered mail and marks what it returns delivered.
 */
import { defineTool, NO_ARGS } from '../define-tool.ts';

export const gtMailCheck = defineTool({
  id: 'gt_mail_check',
  description: 'Read your undelivered mail. What it returns counts as delivered and will not be shown again.',
  args: NO_ARGS,
  describe: {},
  execute: async (_args, { api, signal }) => {
    const mail = await api.call('POST', api.agentPath('/mail/check'), undefined, { signal });
    return Array.isArray(mail) && mail.length === 0 ? 'No new mail.' : mail;
  },
});
