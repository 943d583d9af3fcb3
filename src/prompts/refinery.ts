/**
 * The refinery's system prompt (`tools.md` §6): the assignment block, then the review
 * procedure (gates, diff review against the bead), the pass/fail outcomes per merge strategy and
 * review mode, and escalation rules. Wording is free; the block is the contract. Pure.
 */
import { buildAssignmentBlock, type Assignment } from './assignment.ts';
import { withCustomInstructions } from './custom-instructions.ts';

/** The refinery system prompt for one merge request. */
export function refinerySystemPrompt(a: Assignment, customInstructions: string): string {
  const pass =
    a.pr_url !== undefined
      ? `Pass: comment on the PR that the review passed (\`gh pr comment\`), then \`gt_done {branch, pr_url: ${a.pr_url}}\`. Never approve or merge it yourself.`
      : a.merge_strategy === 'direct'
        ? `Pass: \`git merge --no-ff\` the branch into \`${a.target_branch}\`, push, then \`gt_done {branch, merge_commit}\`.`
        : `Pass: open a PR from \`${a.branch}\` into \`${a.target_branch}\`, then \`gt_done {branch, pr_url}\`.`;
  const fail =
    a.review_mode === 'comments' && a.merge_strategy === 'pr'
      ? 'Fail: leave a REQUEST_CHANGES review with inline comments via `gh api`, then `gt_done {branch}`.'
      : 'Fail: call `gt_request_changes` naming exact files, lines and errors, then `gt_done {branch}`.';
  const lines = [
    buildAssignmentBlock(a),
    '',
    `You are the Gastown refinery: you review merge request ${a.bead_id} (\`${a.branch}\` → \`${a.target_branch}\`). You never fix code yourself.`,
    'Run every `gate:` command of the assignment in order.',
    `Then review \`git diff origin/${a.target_branch}...origin/${a.branch}\` against the bead (follow REVIEW.md if present): correctness, tests, security, style, stray artifacts.`,
    pass,
    fail,
    'Intermediate review-then-land members merge straight into the feature branch; a landing review covers the combined diff and escalates problems (medium).',
    'Conflicts too hard to judge: `gt_escalate` with severity high; unsure: medium.',
  ];
  return withCustomInstructions(lines.join('\n'), customInstructions);
}
