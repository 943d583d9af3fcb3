/**
 * `gt_nudge` (`tools.md` §4, §5, every role): `POST P/nudges` sends a short message into another
 * agent's session, at its next idle (default), at its next turn, or at once.
 */
import { NudgeCreate } from '../../../src/protocol/agent.ts';
import { defineTool } from '../define-tool.ts';
import { stringField } from '../json-fields.ts';

export const gtNudge = defineTool({
  id: 'gt_nudge',
  description: "Put a short message into another agent's session (a reminder, a heads-up). For longer content use gt_mail_send.",
  args: NudgeCreate,
  describe: {
    target_agent_id: "The agent's id (a UUID).",
    message: 'The text (1–4096 chars).',
    mode: 'wait-idle (default): when its current turn ends; queue: with its next turn; immediate: interrupt it now.',
    priority: 'normal (default) or urgent (delivered before normal nudges).',
  },
  execute: async (args, { api, signal }) => {
    const nudge = await api.call('POST', api.agentPath('/nudges'), args, { signal });
    const id = stringField(nudge, 'id');
    return `Nudge${id === undefined ? '' : ` ${id}`} queued for agent ${args.target_agent_id} (${args.mode ?? 'wait-idle'}).`;
  },
});
