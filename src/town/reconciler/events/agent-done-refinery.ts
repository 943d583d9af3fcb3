/**
 * `agent_done` from a refinery (`reconciler.md` §3). Hooked to an `in_progress` MR: a valid
 * pr_url moves it to the PR phase (reviewed); no pr_url merges it under `direct`, marks a stored
 * PR reviewed under `pr`, else fails it (`no_pr`). Without a hook it never merges: an MR still in
 * review fails (`refinery_unhooked_done`) with a high escalation. Called by `agentDone`.
 */
import type { AgentDonePayload } from '../../../protocol/events.ts';
import type { Action } from '../actions.ts';
import { mrStrategy, reason } from '../mr-facts.ts';
import type { AgentState, BeadState } from '../view.ts';
import { releaseAgent, toIdle } from './agent-release.ts';
import { apply, warn, type EventInput, type EventResult } from './event-result.ts';
import { checkPrUrl } from './pr-url-check.ts';

type Input = EventInput<AgentDonePayload>;

/** A refinery's `gt_done`, hooked or not. */
export function refineryDone(input: Input, agent: AgentState): EventResult {
  if (agent.hooked_bead_id !== null) {
    const mr = input.view.bead(agent.hooked_bead_id);
    const release = releaseAgent(agent, 'done', 'gt_done applied');
    if (mr === null || mr.type !== 'merge_request' || mr.status !== 'in_progress') {
      return { actions: release, warning: `refinery ${agent.id} called gt_done while its hooked bead is ${mr === null ? 'missing' : `${mr.type} ${mr.status}`}` };
    }
    return apply([...reviewOutcome(input, agent, mr), ...release]);
  }
  return unhookedDone(input, agent);
}

/** What the refinery's verdict does to the MR it holds. */
function reviewOutcome(input: Input, agent: AgentState, mr: BeadState): Action[] {
  const { view, payload, now } = input;
  const rig = mr.rig_id === null ? null : view.rig(mr.rig_id);
  if (rig === null) throw new Error(`merge request ${mr.id}: its rig is missing`);
  const stored = view.review(mr.id)?.pr_url ?? null;
  const reviewed = (prUrl: string): Action[] => [
    { type: 'set_review_fields', bead_id: mr.id, patch: { pr_url: prUrl, reviewed_at: now } },
    { type: 'bead_event', bead_id: mr.id, event_type: 'review_completed', agent_id: agent.id, data: { outcome: 'pr', pr_url: prUrl } },
  ];
  if (payload.pr_url !== undefined) {
    const check = checkPrUrl(view, rig, payload.pr_url);
    if (check.ok) return reviewed(check.url);
    const failed: Action = { type: 'bead_event', bead_id: mr.id, event_type: 'pr_creation_failed', agent_id: agent.id, data: { pr_url: payload.pr_url, kind: check.kind, message: check.message } };
    if (stored !== null) return [failed, ...reviewed(stored)];
    return [failed, { type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'failed', reason: reason('invalid_pr_url', `the reported PR URL was refused: ${check.message}`) }];
  }
  if (mrStrategy(view, mr, rig) === 'direct') {
    const commit = payload.merge_commit ?? null;
    return [
      ...(commit === null ? [] : [{ type: 'set_review_fields' as const, bead_id: mr.id, patch: { merge_commit: commit } }]),
      { type: 'bead_event', bead_id: mr.id, event_type: 'review_completed', agent_id: agent.id, data: { outcome: 'merged', merge_commit: commit } },
      { type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'closed', reason: reason('merged', 'the refinery merged the branch') },
    ];
  }
  if (stored !== null) return reviewed(stored);
  return [{ type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'failed', reason: reason('no_pr', 'merge strategy is pr but the refinery finished without a pull request') }];
}

/**
 * A hookless refinery's `gt_done` (the hook-leak race, seed 000 §6c). Naming an MR still in review:
 * with a pr_url it keeps polling; without one it fails and escalates — never a silent merge. Its
 * MR back to `open` (request changes): the refinery just goes idle. Anything else: warning only.
 */
function unhookedDone(input: Input, agent: AgentState): EventResult {
  const { view, payload, event } = input;
  const named = payload.bead_id ?? event.bead_id;
  const mr = named === null ? null : view.bead(named);
  const idle = toIdle(agent, 'done', 'gt_done applied');
  if (mr === null || mr.type !== 'merge_request') return warn(`refinery ${agent.id} called gt_done without a hook and without a merge request: ignored`);
  if (mr.status === 'open') return apply(idle);
  if (mr.status !== 'in_progress') return warn(`refinery ${agent.id} called gt_done without a hook for ${mr.status} merge request ${mr.id}: ignored`);
  if (payload.pr_url !== undefined) return apply(idle);
  return apply([
    { type: 'transition_bead', bead_id: mr.id, from: 'in_progress', to: 'failed', reason: reason('refinery_unhooked_done', 'the refinery finished without holding the merge request; it was not merged') },
    {
      type: 'escalate',
      category: 'refinery_unhooked_done',
      severity: 'high',
      parent_bead_id: mr.id,
      title: `Refinery finished without its hook: ${mr.title}`,
      body: 'The refinery called gt_done without a PR after losing its hook. The merge request was failed instead of merged and its source reopened; decide whether the refinery meant to approve or to request changes.',
      source_agent_id: agent.id,
    },
    ...idle,
  ]);
}
