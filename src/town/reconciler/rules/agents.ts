/**
 * Rule group 5.1, agents (`reconciler.md` §5.1): A1 stale heartbeat, A2 hookless working
 * polecat, A3 stalled release, A4 idle agents holding a hook, A5 the mayor's liveness.
 * Called by `reconcile` first among the rule groups; reads the view, returns actions.
 */
import type { Action } from '../actions.ts';
import type { RuleContext } from '../types.ts';
import type { AgentState, BeadState } from '../view.ts';
import { isTerminalBead } from '../../machines/bead-machine.ts';
import { isHeartbeatStale, livenessAgeMs } from './liveness.ts';
import { releaseBead } from './release.ts';

/** Every agent rule for every non-dead agent, in the view's (oldest first) order. */
export function agentRules(ctx: RuleContext): Action[] {
  const out: Action[] = [];
  for (const agent of ctx.view.agents()) {
    if (agent.role === 'mayor') out.push(...mayorLiveness(agent, ctx));
    else if (agent.status === 'working') out.push(...workingAgent(agent, ctx));
    else if (agent.status === 'stalled') out.push(...releaseStalled(agent, ctx));
    else if (agent.status === 'idle' && agent.hooked_bead_id !== null && !ctx.draining) out.push(...idleWithHook(agent, agent.hooked_bead_id, ctx));
  }
  return out;
}

/**
 * Whether A4 reopens `bead` this tick: an idle polecat hooked to an `in_progress` issue whose
 * liveness is ≥ `HEARTBEAT_STALE_MS` old, outside a drain. B3 defers to A4 on exactly these, so
 * one bead is never released twice in one tick.
 */
export function a4ReleasesHeldIssue(agent: AgentState, bead: BeadState, ctx: RuleContext): boolean {
  return (
    !ctx.draining &&
    agent.role === 'polecat' &&
    agent.status === 'idle' &&
    agent.hooked_bead_id === bead.id &&
    bead.type === 'issue' &&
    bead.status === 'in_progress' &&
    livenessAgeMs(agent, ctx.now) >= ctx.t.HEARTBEAT_STALE_MS
  );
}

/** A2 (polecat without a hook) wins over A1; A1 is off while draining and keeps the hook. */
function workingAgent(agent: AgentState, ctx: RuleContext): Action[] {
  if (agent.role === 'polecat' && agent.hooked_bead_id === null) {
    return [
      { type: 'stop_agent', agent_id: agent.id, reason: 'working_without_hook' },
      { type: 'transition_agent', agent_id: agent.id, from: 'working', to: 'idle', reason: { code: 'no_hook', message: 'working polecat holds no hook' } },
    ];
  }
  if (ctx.draining || !isHeartbeatStale(agent, ctx.now, ctx.t)) return [];
  return [
    {
      type: 'transition_agent',
      agent_id: agent.id,
      from: 'working',
      to: 'idle',
      reason: { code: 'heartbeat_stale', message: `no sign of life for ${livenessAgeMs(agent, ctx.now)} ms` },
    },
  ];
}

/**
 * A3: `STALLED_RELEASE_MS` after `stalled_at` → idle + unhook; an `in_progress` hooked bead goes
 * back to `open` (or `failed` at cap) first, so a failed bead keeps its assignee.
 */
function releaseStalled(agent: AgentState, ctx: RuleContext): Action[] {
  const since = agent.stalled_at ?? agent.working_since ?? agent.created_at;
  if (ctx.now - since < ctx.t.STALLED_RELEASE_MS) return [];
  const reason = { code: 'stalled_release', message: `stalled for ${ctx.now - since} ms` };
  const out: Action[] = [{ type: 'transition_agent', agent_id: agent.id, from: 'stalled', to: 'idle', reason }];
  if (agent.hooked_bead_id !== null) {
    const bead = ctx.view.bead(agent.hooked_bead_id);
    if (bead !== null && bead.status === 'in_progress') out.push(...releaseBead(ctx.view, bead, reason));
    out.push({ type: 'unhook', agent_id: agent.id, reason: 'stalled_release' });
  }
  return out;
}

/**
 * A4: a missing or terminal hooked bead → unhook + clear checkpoint. A polecat on an
 * `in_progress` issue with liveness ≥ 90 s → bead released, then unhook. A fresher one is a
 * live session caught mid-action (a phantom dispatch failure): its hook is left alone.
 */
function idleWithHook(agent: AgentState, hookedId: string, ctx: RuleContext): Action[] {
  const bead = ctx.view.bead(hookedId);
  if (bead === null || isTerminalBead(bead.status)) {
    return [
      { type: 'unhook', agent_id: agent.id, reason: bead === null ? 'bead_missing' : 'bead_terminal' },
      { type: 'clear_checkpoint', agent_id: agent.id },
    ];
  }
  if (!a4ReleasesHeldIssue(agent, bead, ctx)) return [];
  const reason = { code: 'agent_lost', message: `idle holder silent for ${livenessAgeMs(agent, ctx.now)} ms` };
  return [...releaseBead(ctx.view, bead, reason), { type: 'unhook', agent_id: agent.id, reason: 'agent_lost' }];
}

/** A5: a `working`/`waiting` mayor whose liveness is stale (cold-start aware) → `idle`. */
function mayorLiveness(agent: AgentState, ctx: RuleContext): Action[] {
  if (agent.status !== 'working' && agent.status !== 'waiting') return [];
  if (!isHeartbeatStale(agent, ctx.now, ctx.t)) return [];
  return [
    {
      type: 'transition_agent',
      agent_id: agent.id,
      from: agent.status,
      to: 'idle',
      reason: { code: 'heartbeat_stale', message: `mayor silent for ${livenessAgeMs(agent, ctx.now)} ms` },
    },
  ];
}
