/**
 * The polecat's follow-up procedures (`tools.md` §6, `domain.md` §6.2): one exact procedure per
 * follow-up label (`gt:rework`, `gt:pr-conflict`, `gt:pr-feedback`, `gt:pr-fixup`). A follow-up
 * runs on its parent MR's branch, opens no new PR and ends with `gt_done` on that branch (with
 * the existing `pr_url`, if any). Used by polecat.ts. Pure.
 */
import { FOLLOWUP_LABELS } from '../town/reconciler/mr-facts.ts';
import type { Assignment } from './assignment.ts';
import { fenced } from './markdown.ts';
import { pushCommand } from './rig-fragments.ts';

export type FollowupLabel = 'gt:rework' | 'gt:pr-conflict' | 'gt:pr-feedback' | 'gt:pr-fixup';

/** How the PR is named in `gh`/`glab` commands: its URL when known, else the branch. */
function prRef(a: Assignment): string {
  return a.pr_url ?? a.branch;
}

/** Replying to and resolving review threads, on both hosts (pr-feedback and pr-fixup share it). */
function threadCommands(): string[] {
  return [
    'Reply to each thread saying what you changed (or why not), then resolve it:',
    fenced([
      "gh api repos/{owner}/{repo}/pulls/<number>/comments/<comment_id>/replies -f body='<what you changed>'",
      "gh api graphql -f query='mutation { resolveReviewThread(input: {threadId: \"<thread_id>\"}) { thread { isResolved } } }'",
      "glab api --method POST projects/:id/merge_requests/<iid>/discussions/<discussion_id>/notes -f body='<what you changed>'",
      'glab api --method PUT projects/:id/merge_requests/<iid>/discussions/<discussion_id> -f resolved=true',
    ]),
  ];
}

function reworkSteps(a: Assignment): string[] {
  return [
    'The refinery sent this back. The bead body (and `rework` in the context) names what is wrong: fix exactly what the feedback names, every file, line and error it lists, and nothing else.',
    'Run the gates, commit, and push:',
    fenced([pushCommand(a, a.branch)]),
  ];
}

function conflictSteps(a: Assignment): string[] {
  return [
    `The PR conflicts with \`${a.target_branch}\` (\`pr_conflict\` and \`conflict_files\` in the context name the files). Rebase onto \`origin/${a.target_branch}\`:`,
    fenced(['git fetch origin', `git rebase origin/${a.target_branch}`]),
    'Resolve each conflict keeping the intent of both sides, `git add` the file, `git rebase --continue`; repeat until the rebase is done.',
    'Run the gates, then push with a lease (the only force push you may ever make, and only to this branch):',
    fenced([pushCommand(a, a.branch, true)]),
  ];
}

function feedbackSteps(a: Assignment): string[] {
  return [
    `Reviewers or checks flagged the PR. \`pr_feedback\` in the context lists the unresolved threads and failing checks; read them at the source too:`,
    fenced([`gh pr view ${prRef(a)} --comments`, `gh pr checks ${prRef(a)}`, 'gh run view <run_id> --log-failed', `glab mr view ${a.branch} --comments`]),
    'Address every unresolved thread and every failing check; run the gates; commit and push:',
    fenced([pushCommand(a, a.branch)]),
    ...threadCommands(),
  ];
}

function fixupSteps(a: Assignment): string[] {
  return [
    'The user asked for this PR to be fixed up. Read all PR comments, including inline review comments:',
    fenced([`gh pr view ${prRef(a)} --comments`, 'gh api repos/{owner}/{repo}/pulls/<number>/comments', `glab mr view ${a.branch} --comments`]),
    'Fix or explain each comment: make the change, or reply why it should not be made. Run the gates; commit and push:',
    fenced([pushCommand(a, a.branch)]),
    ...threadCommands(),
  ];
}

const STEPS: Record<FollowupLabel, (a: Assignment) => string[]> = {
  'gt:rework': reworkSteps,
  'gt:pr-conflict': conflictSteps,
  'gt:pr-feedback': feedbackSteps,
  'gt:pr-fixup': fixupSteps,
};

function isFollowupLabel(label: string): label is FollowupLabel {
  return Object.hasOwn(STEPS, label);
}

/** The follow-up labels of an assignment, in the reconciler's label order. */
export function followupLabels(a: Assignment): FollowupLabel[] {
  return FOLLOWUP_LABELS.filter(isFollowupLabel).filter((label) => a.labels.includes(label));
}

/** The `### <label>` procedure of one follow-up label. */
export function followupProcedure(label: FollowupLabel, a: Assignment): string {
  return [`### \`${label}\``, ...STEPS[label](a)].join('\n');
}

/** The sentence every follow-up shares: parent branch, no new PR, how it finishes. */
export function followupFinishLine(a: Assignment): string {
  const done = a.pr_url === undefined ? `\`gt_done {branch: "${a.branch}"}\`` : `\`gt_done {branch: "${a.branch}", pr_url: "${a.pr_url}"}\` (the existing PR)`;
  return `This is a follow-up on an existing merge request: your worktree is already on its branch \`${a.branch}\`. Do not create another branch and do not open a new PR. Finish with ${done}; the follow-up issue then closes.`;
}
