/**
 * Agent reads and user commands (`http-api.md` §4.2): list (dead agents only when asked),
 * get (404 when dead), reset (stop, unhook — its bead reopens — and idle) and delete (stop,
 * reopen its bead, `dead`). Stops are effect intents run after commit.
 */
import type { Agent, AgentDetail, AgentListQuery } from '../../protocol/api.ts';
import { NotFound } from '../../errors.ts';
import { placeholders, type SqlValue } from '../db/sql.ts';
import type { TownCtx } from '../context.ts';
import type { SqlHandle } from '../db/sql.ts';
import { findBead } from '../beads/bead-rows.ts';
import { transitionBead } from '../beads/transition.ts';
import { pageByCreated, type Page } from '../records/pagination.ts';
import { findAgent, rowToAgent } from './agent-rows.ts';
import { unhookAgent } from './hooks.ts';
import { transitionAgent } from './transition.ts';

export function listAgents(sql: SqlHandle, q: AgentListQuery): Page<Agent> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (q.status !== undefined) {
    where.push(`a.status IN (${placeholders(q.status.length)})`);
    params.push(...q.status);
  } else {
    where.push(`a.status <> 'dead'`);
  }
  if (q.role !== undefined) {
    where.push(`a.role IN (${placeholders(q.role.length)})`);
    params.push(...q.role);
  }
  if (q.rig_id !== undefined) where.push('b.rig_id = ?'), params.push(q.rig_id);
  return pageByCreated(
    sql,
    {
      select: 'SELECT a.*, b.rig_id AS rig_id, b.created_at AS created_at',
      table: 'agent_metadata a JOIN beads b ON b.bead_id = a.bead_id',
      idColumn: 'a.bead_id',
      createdColumn: 'b.created_at',
      where,
      params,
    },
    q,
    rowToAgent,
  );
}

/** A live agent; dead agents are gone to the API (`domain.md` §3.3). */
export function requireLiveAgent(sql: SqlHandle, agentId: string): Agent {
  const agent = findAgent(sql, agentId);
  if (agent === null || agent.status === 'dead') throw new NotFound('agent', agentId);
  return agent;
}

export function agentDetail(sql: SqlHandle, agentId: string): AgentDetail {
  const agent = requireLiveAgent(sql, agentId);
  const hooked = agent.hooked_bead_id === null ? null : findBead(sql, agent.hooked_bead_id);
  return {
    ...agent,
    hooked_bead: hooked === null ? null : { id: hooked.id, type: hooked.type, status: hooked.status, title: hooked.title },
  };
}

/** Reopens the agent's in-progress bead and unhooks it. */
function releaseHook(ctx: TownCtx, agent: Agent, reason: { code: string; message: string }): void {
  if (agent.hooked_bead_id === null) return;
  const bead = findBead(ctx.sql, agent.hooked_bead_id);
  if (bead !== null && bead.type === 'issue' && bead.status === 'in_progress') {
    transitionBead(ctx, bead.id, 'open', { reason });
  }
  unhookAgent(ctx, agent.id, reason.code);
}

/** Stops a stalled or stuck agent, unhooks it (its bead reopens) and sets it idle. */
export function resetAgent(ctx: TownCtx, agentId: string): Agent {
  const agent = requireLiveAgent(ctx.sql, agentId);
  const reason = { code: 'agent_reset', message: `Reset by ${ctx.actor}.` };
  releaseHook(ctx, agent, reason);
  if (agent.status !== 'idle') {
    transitionAgent(ctx, agentId, 'idle', { reason });
    ctx.effects.push({ kind: 'stop_agent', agent_id: agentId, reason: reason.code });
  }
  ctx.sql.run(`UPDATE agent_metadata SET checkpoint = NULL, active_tools = '[]' WHERE bead_id = ?`, agentId);
  return requireLiveAgent(ctx.sql, agentId);
}

/** Deletes an agent: its session stops, its bead reopens, it becomes `dead`. */
export function deleteAgent(ctx: TownCtx, agentId: string): void {
  const agent = requireLiveAgent(ctx.sql, agentId);
  const reason = { code: 'agent_deleted', message: `Deleted by ${ctx.actor}.` };
  releaseHook(ctx, agent, reason);
  if (agent.status === 'working' || agent.status === 'stalled' || agent.status === 'waiting') {
    ctx.effects.push({ kind: 'stop_agent', agent_id: agentId, reason: reason.code });
  }
  transitionAgent(ctx, agentId, 'dead', { reason });
}
