/**
 * What the refinery does once it has a verdict (`tools.md` §6, `scm.md` §3): the pass and fail
 * sections for each variant — `direct` merge (also every intermediate `review-then-land` member),
 * `pr` without a PR, an existing PR, `comments` vs `rework` review mode, and the landing review,
 * which escalates instead of sending rework. Used by refinery.ts. Pure.
 */
import type { Assignment } from './assignment.ts';
import { fenced, section } from './markdown.ts';
import { existingPrCommands, hostLine, prCreateCommands, pushCommand, realPrUrlLine } from './rig-fragments.ts';

/** Which review this is: a convoy's landing MR, an intermediate convoy member, or a plain MR. */
export type ReviewKind = 'landing' | 'convoy-member' | 'single';

function doneCall(a: Assignment, extra = ''): string {
  return `\`gt_done {branch: "${a.branch}"${extra}}\``;
}

function conflictLine(kind: ReviewKind): string {
  const failed = kind === 'landing' ? 'treat the landing review as failed (below), naming those files' : 'treat the review as failed, naming those files and asking for a rebase onto the target';
  return `A merge conflict: list the files (\`git diff --name-only --diff-filter=U\`), \`git merge --abort\`, and ${failed}; conflicts too hard to judge are escalated (below).`;
}

function directPass(a: Assignment, kind: ReviewKind): string {
  const into = `\`${a.target_branch}\``;
  return section('If it passes: merge', [
    `Merge \`${a.branch}\` into ${into} with a merge commit and push it (never force):`,
    fenced([
      'git fetch origin',
      `git checkout -B gt-merge-${a.bead_id.slice(0, 8)} origin/${a.target_branch}`,
      `git merge --no-ff -m "Merge ${a.branch} into ${a.target_branch}" origin/${a.branch}`,
      pushCommand(a, a.target_branch),
      'git rev-parse HEAD',
    ]),
    `Only after the push succeeded: ${doneCall(a, ', merge_commit: "<the sha of that merge commit>"')}.`,
    `If the push is rejected because ${into} moved, run the block again from \`git fetch origin\`.`,
    conflictLine(kind),
  ]);
}

function existingPrPass(a: Assignment, prUrl: string): string {
  return section('If it passes: comment on the PR', [
    hostLine(),
    `The PR already exists: ${prUrl}. Comment that the review passed:`,
    fenced([`gh pr comment ${prUrl} --body "Gastown review passed: <one-paragraph summary>"`, `glab mr note ${a.branch} --message "Gastown review passed: <one-paragraph summary>"`]),
    `Then ${doneCall(a, `, pr_url: "${prUrl}"`)}.`,
    'Never approve it (`gh pr review --approve`) and never merge it: auto-merge or a human does. A PR that waits for a human approval or for branch protection is normal; leave it waiting.',
  ]);
}

function openPrPass(a: Assignment): string {
  return section('If it passes: open the PR', [
    hostLine(),
    'This merge request has no PR yet. Reuse one if it exists:',
    fenced(existingPrCommands(a)),
    `Otherwise open it against \`${a.target_branch}\`:`,
    fenced(prCreateCommands(a, 'title of the merge request')),
    realPrUrlLine(),
    `Then ${doneCall(a, ', pr_url: "<the real PR URL>"')}. Never approve or merge it: auto-merge or a human does.`,
  ]);
}

/** The REQUEST_CHANGES review on a PR, with one inline comment per finding. */
function requestChangesReview(prUrl: string): string[] {
  return [
    `Leave a REQUEST_CHANGES review on ${prUrl} with one inline comment per finding, via \`gh api\` (\`<number>\` is the PR number from the URL; \`line\` is a line of the new file):`,
    fenced([
      "gh api --method POST repos/{owner}/{repo}/pulls/<number>/reviews --input - <<'EOF'",
      '{"event": "REQUEST_CHANGES", "body": "<summary of what must change>",',
      ' "comments": [{"path": "<file>", "line": <line>, "side": "RIGHT", "body": "<what is wrong and what a fix looks like>"}]}',
      'EOF',
    ]),
    'If GitHub refuses REQUEST_CHANGES (an account cannot request changes on its own PR), send the same review with `"event": "COMMENT"`: its unresolved inline threads still hold the PR back.',
    "On GitLab, open one discussion per finding instead: `glab api --method POST projects/:id/merge_requests/<iid>/discussions -f body='<file>:<line>: <finding>'`.",
  ];
}

function requestChangesTool(a: Assignment): string[] {
  return [
    'Call `gt_request_changes` with `feedback` naming the exact files, lines and errors (quote failing gate output) and what a fix looks like, and `files` listing the paths. It sends the work back to a polecat as a `gt:rework` issue on the same branch and unhooks you.',
    `Then ${doneCall(a)}.`,
  ];
}

function landingFail(a: Assignment): string {
  const after =
    a.pr_url === undefined
      ? ['Then stop without `gt_done`: with no PR, `gt_done` would report the landing as merged. The mayor decides what happens next.']
      : [...requestChangesReview(a.pr_url), `Then ${doneCall(a)}; the PR cannot auto-merge while changes are requested.`];
  return section('If it fails: escalate', [
    'There is no single polecat to send rework to, so do not call `gt_request_changes`.',
    `Call \`gt_escalate\` with severity \`medium\`, the title \`Landing review failed: ${a.branch}\` and every finding in the body (files, lines, errors, gate output).`,
    ...after,
  ]);
}

function fail(a: Assignment, kind: ReviewKind): string {
  if (kind === 'landing') return landingFail(a);
  if (a.merge_strategy === 'pr' && a.review_mode === 'comments' && a.pr_url !== undefined) {
    return section('If it fails: request changes on the PR (`comments` mode)', [...requestChangesReview(a.pr_url), `Then ${doneCall(a)}.`]);
  }
  const mode = a.merge_strategy === 'direct' ? '`direct`' : a.review_mode === 'comments' ? 'no PR to comment on' : '`rework` mode';
  return section(`If it fails: send it back (${mode})`, requestChangesTool(a));
}

function pass(a: Assignment, kind: ReviewKind): string {
  if (a.merge_strategy === 'direct') return directPass(a, kind);
  return a.pr_url === undefined ? openPrPass(a) : existingPrPass(a, a.pr_url);
}

/** The pass section, then the fail section, of one review. */
export function outcomeSections(a: Assignment, kind: ReviewKind): string[] {
  return [pass(a, kind), fail(a, kind)];
}
