/**
 * Rule group 5.6, agent GC X1 (`reconciler.md` §5.6, `domain.md` §3.3): an idle, unhooked
 * polecat or refinery with no sign of life for `AGENT_GC_MS` becomes `dead`. The mayor is never
 * collected. Called by `reconcile` last among the rule groups.
 */
import type { Action } from '../actions.ts';
import type { RuleContext } from '../types.ts';

/** X1: `now − max(last_heartbeat_at, last_dispatch_at, created_at)` ≥ `AGENT_GC_MS` → `delete_agent`. */
export function gcRules(ctx: RuleContext): Action[] {
  const out: Action[] = [];
  for (const agent of ctx.view.agents()) {
    if (agent.role === 'mayor' || agent.status !== 'idle' || agent.hooked_bead_id !== null) continue;
    const last = Math.max(agent.last_heartbeat_at ?? agent.created_at, agent.last_dispatch_at ?? agent.created_at, agent.created_at);
    const age = ctx.now - last;
    if (age < ctx.t.AGENT_GC_MS) continue;
    out.push({ type: 'delete_agent', agent_id: agent.id, reason: { code: 'idle_gc', message: `idle and unhooked for ${age} ms` } });
  }
  return out;
}
