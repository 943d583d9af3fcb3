/**
 * `transitionAgent`: every agent status write (`domain.md` §3.3). Checks the machine with the
 * agent's role, compares-and-sets on `from`, maintains `working_since` and `stalled_at`, and on
 * `dead` clears the hook and closes the agent bead (its identity is then free).
 */
import type { AgentStatus } from '../../protocol/common.ts';
import { NotFound } from '../../errors.ts';
import { iso } from '../db/clock.ts';
import { checkAgentTransition } from '../machines/index.ts';
import type { TownCtx } from '../context.ts';
import type { TransitionOutcome, TransitionReason } from '../beads/transition.ts';
import { transitionBead } from '../beads/transition.ts';
import { findAgentRecord } from './agent-rows.ts';
import { unhookAgent } from './hooks.ts';

export function transitionAgent(
  ctx: TownCtx,
  agentId: string,
  to: AgentStatus,
  opts: { from?: AgentStatus; reason: TransitionReason },
): TransitionOutcome {
  const agent = findAgentRecord(ctx.sql, agentId);
  if (agent === null) throw new NotFound('agent', agentId);
  if (opts.from !== undefined && opts.from !== agent.status) return 'stale';
  if (checkAgentTransition(agent.role, agentId, agent.status, to) === 'noop') return 'noop';
  const now = iso(ctx.now);
  if (to === 'dead') unhookAgent(ctx, agentId, opts.reason.code);
  ctx.sql.run(
    `UPDATE agent_metadata SET status = ?,
       working_since = CASE WHEN ? = 'working' THEN ? ELSE working_since END,
       stalled_at = CASE WHEN ? = 'stalled' THEN ? ELSE NULL END
     WHERE bead_id = ?`,
    to,
    to,
    now,
    to,
    now,
    agentId,
  );
  if (to === 'dead') transitionBead(ctx, agentId, 'closed', { reason: opts.reason });
  return 'ok';
}
