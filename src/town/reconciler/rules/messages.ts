/**
 * Rule group 5.6, messages (`reconciler.md` §5.6 M1, M2; `domain.md` §7): open mail to an
 * agent with a running session, in batches of `MAIL_BATCH`, and pending `immediate` nudges.
 * Called by `reconcile` after GUPP.
 */
import type { Action } from '../actions.ts';
import type { RuleContext } from '../types.ts';
import type { AgentState } from '../view.ts';

/**
 * Whether the agent has a session that can take a prompt: a `working` polecat or refinery,
 * or a `working`/`waiting` mayor.
 */
export function canReceive(agent: AgentState): boolean {
  return agent.status === 'working' || (agent.role === 'mayor' && agent.status === 'waiting');
}

/** M1 then M2. */
export function messageRules(ctx: RuleContext): Action[] {
  return [...deliverMail(ctx), ...deliverNudges(ctx)];
}

/** M1: per receiving agent (oldest agent first) one `deliver_mail` with its oldest open messages. */
function deliverMail(ctx: RuleContext): Action[] {
  const addressed = new Set(ctx.view.agentsWithOpenMail());
  if (addressed.size === 0) return [];
  const out: Action[] = [];
  for (const agent of ctx.view.agents()) {
    if (!addressed.has(agent.id) || !canReceive(agent)) continue;
    const ids = ctx.view.openMail(agent.id, ctx.t.MAIL_BATCH).map((m) => m.id);
    if (ids.length > 0) out.push({ type: 'deliver_mail', agent_id: agent.id, message_ids: ids });
  }
  return out;
}

/**
 * M2: pending `immediate` nudges not yet past `expires_at` (urgent first, then FIFO), to an
 * agent that can receive them. Expiring the rest is housekeeping's; one already acknowledged
 * (`delivered_at` set) is never sent twice.
 */
function deliverNudges(ctx: RuleContext): Action[] {
  const out: Action[] = [];
  for (const nudge of ctx.view.pendingNudges('immediate')) {
    if (nudge.expires_at <= ctx.now || nudge.delivered_at !== null) continue;
    const agent = ctx.view.agent(nudge.agent_id);
    if (agent === null || !canReceive(agent)) continue;
    out.push({ type: 'deliver_nudge', nudge_id: nudge.id, agent_id: agent.id });
  }
  return out;
}
