/**
 * Mail an agent sends and reads (`domain.md` §7, `http-api.md` §4.3): P`/mail` writes a `message`
 * bead from the path agent to a live recipient (422 `unknown_reference` otherwise), and P`/mail/check`
 * and prime take the recipient's undelivered mail, oldest first, closing each bead (delivered), so
 * every message is handed out exactly once whichever way it is read.
 */
import type { Mail } from '../../protocol/api.ts';
import type { MailSend } from '../../protocol/agent.ts';
import { NotFound, Unprocessable } from '../../errors.ts';
import { first, str } from '../db/sql.ts';
import type { TownCtx } from '../context.ts';
import { findAgentRecord } from '../agents/agent-rows.ts';
import { insertBead } from '../beads/create-bead.ts';
import { writeBeadEvent } from '../beads/bead-events.ts';
import { transitionBead } from '../beads/transition.ts';
import { liveAgent } from '../reports/agent-access.ts';
import { rowToMail } from './mail-rows.ts';

/** At most this many messages are handed out by one read (prime or mail check). */
export const MAIL_READ_MAX = 100;

function requireMail(ctx: TownCtx, id: string): Mail {
  const row = first(ctx.sql, `SELECT * FROM beads WHERE bead_id = ? AND type = 'message'`, id);
  if (row === null) throw new NotFound('mail', id);
  return rowToMail(row);
}

/** Sends mail from `fromAgentId` (a live agent) to a live agent of the town. */
export function sendMail(ctx: TownCtx, fromAgentId: string, input: MailSend): Mail {
  liveAgent(ctx.sql, fromAgentId);
  const to = findAgentRecord(ctx.sql, input.to_agent_id);
  if (to === null || to.status === 'dead') {
    throw new Unprocessable('unknown_reference', `to_agent_id names unknown agent ${input.to_agent_id}.`, { field: 'to_agent_id' });
  }
  const id = insertBead(ctx, {
    type: 'message',
    title: input.subject,
    body: input.body,
    rig_id: to.rig_id,
    labels: ['gt:message', `from:${fromAgentId}`],
  });
  ctx.sql.run(`UPDATE beads SET assignee_agent_bead_id = ? WHERE bead_id = ?`, to.id, id);
  writeBeadEvent(ctx, { bead_id: id, rig_id: to.rig_id, agent_id: fromAgentId, event_type: 'mail_sent', metadata: { subject: input.subject, to_agent_id: to.id } });
  return requireMail(ctx, id);
}

/** Hands out the agent's undelivered mail (oldest first, at most `limit`), marking it delivered. */
export function takeUndeliveredMail(ctx: TownCtx, agentId: string, limit: number = MAIL_READ_MAX): Mail[] {
  const ids = ctx.sql
    .all(
      `SELECT bead_id FROM beads WHERE type = 'message' AND status = 'open' AND assignee_agent_bead_id = ?
       ORDER BY created_at, bead_id LIMIT ?`,
      agentId,
      limit,
    )
    .map((row) => str(row, 'bead_id'));
  for (const id of ids) transitionBead(ctx, id, 'closed', { from: 'open', reason: { code: 'delivered', message: 'read by the recipient' } });
  return ids.map((id) => requireMail(ctx, id));
}
