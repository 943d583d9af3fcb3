/**
 * The actions of the follow-ups a PR poll decided on (`reconciler.md` §5.3, `scm.md` §6; the
 * decision itself is `scm/followup-decision.ts`): a `gt:pr-conflict` or `gt:pr-feedback` issue
 * (parent = the MR, `followup_context` from it) that `blocks` the MR, or, past
 * `MAX_FOLLOWUPS_PER_MR`, the MR failed (`followup_cap`) with a high escalation.
 * Called by `pr-polled.ts`.
 */
import { Priority } from '../../../protocol/common.ts';
import type { Action } from '../actions.ts';
import { reason } from '../mr-facts.ts';
import type { BeadState, ReviewState } from '../view.ts';
import { parsePrUrl } from '../../scm/parse-pr-url.ts';

/** The follow-up labels a poll may create. */
export type PollFollowUp = 'gt:pr-conflict' | 'gt:pr-feedback';

/** `PR #7` (GitHub), `MR !7` (GitLab), or `the PR`. */
function prLabel(prUrl: string | null): string {
  if (prUrl === null) return 'the PR';
  const parsed = parsePrUrl(prUrl, true);
  if (!parsed.ok) return 'the PR';
  return parsed.pr.provider === 'gitlab' ? `MR !${parsed.pr.number}` : `PR #${parsed.pr.number}`;
}

function titleFor(label: PollFollowUp, prUrl: string | null): string {
  return label === 'gt:pr-conflict' ? `Resolve merge conflicts on ${prLabel(prUrl)}` : `Address review feedback on ${prLabel(prUrl)}`;
}

function bodyFor(label: PollFollowUp, mr: BeadState): string {
  return label === 'gt:pr-conflict'
    ? `The pull request of "${mr.title}" conflicts with its target branch. Merge the target into the PR branch, resolve the conflicts, push, and call gt_done with the existing PR URL.`
    : `The pull request of "${mr.title}" has unresolved review threads, requested changes or failing checks. Address them on the PR branch, push, and call gt_done with the existing PR URL.`;
}

/** The actions for `labels` new follow-ups of `mr`: each an issue blocking the MR plus a `followup_created` event, and the new `followup_count`. */
export function followUpActions(mr: BeadState, review: ReviewState, labels: readonly PollFollowUp[]): Action[] {
  if (labels.length === 0) return [];
  const priority = Priority.safeParse(mr.priority);
  const out: Action[] = [];
  for (const label of labels) {
    out.push(
      {
        type: 'create_bead',
        fields: {
          type: 'issue',
          title: titleFor(label, review.pr_url),
          body: bodyFor(label, mr),
          rig_id: mr.rig_id,
          priority: priority.success ? priority.data : 'medium',
          labels: [label],
          parent_bead_id: mr.id,
          followup_context: { pr_url: review.pr_url, branch: review.branch, target_branch: review.target_branch },
        },
        edges: [{ type: 'blocks', direction: 'in', bead_id: mr.id }],
      },
      { type: 'bead_event', bead_id: mr.id, event_type: 'followup_created', data: { label } },
    );
  }
  out.push({ type: 'set_review_fields', bead_id: mr.id, patch: { followup_count: review.followup_count + labels.length } });
  return out;
}

/** Past the cap: the MR fails (`followup_cap`, its source reopened by the cascade) and a human is told. */
export function followUpCapActions(mr: BeadState, cap: number): Action[] {
  return [
    { type: 'transition_bead', bead_id: mr.id, from: mr.status, to: 'failed', reason: reason('followup_cap', `more than ${cap} follow-ups were needed`) },
    {
      type: 'escalate',
      category: 'review_exhausted',
      severity: 'high',
      parent_bead_id: mr.id,
      title: `Follow-up cap reached: ${mr.title}`,
      body: `The merge request needed more than ${cap} follow-up issues (conflicts or review feedback) and was failed.`,
    },
  ];
}
