/**
 * Rule group 5.5, GUPP (`reconciler.md` §5.5): working polecats and refineries that make no
 * progress are warned (G1), escalated (G2), then force-stopped (G3). Never the mayor; off
 * while the container drains. Called by `reconcile` after the convoy rules.
 */
import type { Action } from '../actions.ts';
import type { RuleContext } from '../types.ts';
import type { AgentState } from '../view.ts';
import { progressAgeMs } from './liveness.ts';

/**
 * G1–G3 for every `working` polecat and refinery. The progress clock alone picks the tier
 * (the highest reached); that tier's own conditions then decide whether it fires, and a lower
 * tier never fires in its place.
 */
export function guppRules(ctx: RuleContext): Action[] {
  if (ctx.draining) return [];
  const out: Action[] = [];
  for (const agent of ctx.view.agents()) {
    if (agent.role === 'mayor' || agent.status !== 'working') continue;
    const age = progressAgeMs(agent, ctx.now);
    if (age >= ctx.t.GUPP_FORCE_STOP_MS) out.push(...forceStop(agent, age));
    else if (age >= ctx.t.GUPP_ESCALATE_MS) out.push(...escalateStuck(agent, age, ctx));
    else if (age >= ctx.t.GUPP_WARN_MS) out.push(...warn(agent, age, ctx));
  }
  return out;
}

/** Whether the reconciler sent `tier` to the agent less than `GUPP_REPEAT_MS` ago. */
function nudgedRecently(agent: AgentState, tier: string, ctx: RuleContext): boolean {
  const at = ctx.view.lastReconcilerNudgeAt(agent.id, tier);
  return at !== null && ctx.now - at < ctx.t.GUPP_REPEAT_MS;
}

/** The escalation's subject: the hooked bead, else the agent itself (one per stuck agent). */
function subject(agent: AgentState): string {
  return agent.hooked_bead_id ?? agent.id;
}

function minutes(ms: number): number {
  return Math.floor(ms / 60_000);
}

/** G1: no tool running and no warning in the repeat window. */
function warn(agent: AgentState, age: number, ctx: RuleContext): Action[] {
  if (agent.active_tools.length > 0 || nudgedRecently(agent, 'warn', ctx)) return [];
  return [
    {
      type: 'send_nudge',
      agent_id: agent.id,
      tier: 'warn',
      message: `No progress for ${minutes(age)} min. Continue your task; if you are blocked, call gt_escalate; if you are done, call gt_done.`,
    },
  ];
}

/** G2: an urgent nudge plus a medium `stuck_agent` escalation, once per repeat window. */
function escalateStuck(agent: AgentState, age: number, ctx: RuleContext): Action[] {
  if (nudgedRecently(agent, 'escalate', ctx)) return [];
  return [
    {
      type: 'send_nudge',
      agent_id: agent.id,
      tier: 'escalate',
      message: `No progress for ${minutes(age)} min; the mayor has been told. Finish with gt_done or explain the blocker with gt_escalate now.`,
    },
    {
      type: 'escalate',
      category: 'stuck_agent',
      severity: 'medium',
      parent_bead_id: subject(agent),
      title: `${agent.role} ${agent.name} made no progress for ${minutes(age)} min`,
      body: `Agent ${agent.id} (${agent.name}) has been working on ${agent.hooked_bead_id ?? 'no bead'} without progress for ${minutes(age)} min; it will be force-stopped if this continues.`,
    },
  ];
}

/** G3: `working → stalled`, stop the session, high `stuck_agent` escalation (A3 releases later). */
function forceStop(agent: AgentState, age: number): Action[] {
  return [
    {
      type: 'transition_agent',
      agent_id: agent.id,
      from: 'working',
      to: 'stalled',
      reason: { code: 'gupp_force_stop', message: `no progress for ${age} ms` },
    },
    { type: 'stop_agent', agent_id: agent.id, reason: 'gupp_force_stop' },
    {
      type: 'escalate',
      category: 'stuck_agent',
      severity: 'high',
      parent_bead_id: subject(agent),
      title: `${agent.role} ${agent.name} force-stopped after ${minutes(age)} min without progress`,
      body: `Agent ${agent.id} (${agent.name}) was stopped and is stalled, holding ${agent.hooked_bead_id ?? 'no bead'}; it is released automatically later, or reset it now.`,
    },
  ];
}
