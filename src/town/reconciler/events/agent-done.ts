/**
 * `agent_done` (`gt_done`, `reconciler.md` §3), polecat side: a follow-up or `no_changes` closes
 * the issue; otherwise the MR is created (review fields, `tracks` edge, target branch, checked
 * pr_url) and the issue goes `in_review`. Then the polecat is unhooked and idle. Refinery reports
 * go to `agent-done-refinery.ts`. Called by `applyEvent`.
 */
import type { AgentDonePayload } from '../../../protocol/events.ts';
import { Priority } from '../../../protocol/common.ts';
import type { Action } from '../actions.ts';
import { isFollowUp, reason } from '../mr-facts.ts';
import type { AgentState, BeadState } from '../view.ts';
import { refineryDone } from './agent-done-refinery.ts';
import { releaseAgent } from './agent-release.ts';
import { apply, warn, type EventInput, type EventResult } from './event-result.ts';
import { checkPrUrl } from './pr-url-check.ts';

type Input = EventInput<AgentDonePayload>;

/** Dispatches on the reporting agent's role; the mayor has no `gt_done`. */
export function agentDone(input: Input): EventResult {
  const agent = input.agent;
  if (agent === null) return warn('agent_done without an agent');
  if (agent.role === 'refinery') return refineryDone(input, agent);
  if (agent.role === 'polecat') return polecatDone(input, agent);
  return warn(`gt_done from the mayor ${agent.id}: ignored`);
}

function polecatDone(input: Input, agent: AgentState): EventResult {
  if (agent.hooked_bead_id === null) return warn(`polecat ${agent.id} called gt_done without a hook: ignored`);
  const issue = input.view.bead(agent.hooked_bead_id);
  const release = releaseAgent(agent, 'done', 'gt_done applied');
  if (issue === null || issue.type !== 'issue' || issue.status !== 'in_progress') {
    return { actions: release, warning: `polecat ${agent.id} called gt_done while its hooked bead is ${issue === null ? 'missing' : `${issue.type} ${issue.status}`}: nothing submitted` };
  }
  return apply([...finishIssue(input, agent, issue), ...release]);
}

function finishIssue(input: Input, agent: AgentState, issue: BeadState): Action[] {
  const { payload } = input;
  if (isFollowUp(issue)) {
    return [{ type: 'transition_bead', bead_id: issue.id, from: 'in_progress', to: 'closed', reason: reason('followup_done', 'follow-up finished on its merge request branch') }];
  }
  if (payload.no_changes === true) {
    return [{ type: 'transition_bead', bead_id: issue.id, from: 'in_progress', to: 'closed', reason: reason('no_changes', 'the agent reported that no changes were needed') }];
  }
  return submitMergeRequest(input, agent, issue);
}

/** The MR for a finished issue, its `tracks` edge, `review_submitted`, and the issue → `in_review`. */
function submitMergeRequest(input: Input, agent: AgentState, issue: BeadState): Action[] {
  const { view, payload } = input;
  const rig = issue.rig_id === null ? null : view.rig(issue.rig_id);
  if (rig === null) throw new Error(`issue ${issue.id}: its rig is missing, cannot create the merge request`);
  const convoy = view.convoyOf(issue.id);
  const target = convoy !== null && convoy.merge_mode === 'review-then-land' && convoy.feature_branch !== null ? convoy.feature_branch : rig.default_branch;
  const out: Action[] = [];
  let prUrl: string | null = null;
  if (payload.pr_url !== undefined) {
    const check = checkPrUrl(view, rig, payload.pr_url);
    if (check.ok) prUrl = check.url;
    else out.push({ type: 'bead_event', bead_id: issue.id, event_type: 'pr_creation_failed', agent_id: agent.id, data: { pr_url: payload.pr_url, kind: check.kind, message: check.message } });
  }
  const priority = Priority.safeParse(issue.priority);
  out.push(
    {
      type: 'create_bead',
      fields: {
        type: 'merge_request',
        title: `Merge: ${issue.title}`,
        body: payload.summary ?? '',
        rig_id: rig.id,
        priority: priority.success ? priority.data : 'medium',
        review: { branch: payload.branch, target_branch: target, pr_url: prUrl },
      },
      edges: [{ type: 'tracks', direction: 'out', bead_id: issue.id }],
    },
    { type: 'transition_bead', bead_id: issue.id, from: 'in_progress', to: 'in_review', reason: reason('review_submitted', `submitted ${payload.branch} for review`) },
    { type: 'bead_event', bead_id: issue.id, event_type: 'review_submitted', agent_id: agent.id, data: { branch: payload.branch, target_branch: target, pr_url: prUrl } },
  );
  return out;
}
