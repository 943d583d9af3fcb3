/**
 * The polecat's system prompt (`tools.md` §6), sent as `system` with its first prompt: the
 * assignment block, then GUPP (start at once), the commit/push/checkpoint discipline, the gates,
 * the finish of its variant (`pr` mode, `direct` mode, or the follow-up procedure of its label),
 * the `gt_done` contract and the forbidden actions; custom instructions last. Called by
 * dispatch (start-request.ts). Pure: the same assignment gives the same text.
 */
import { buildAssignmentBlock, type Assignment } from './assignment.ts';
import { withCustomInstructions, type CustomInstructions } from './custom-instructions.ts';
import { bullets, fenced, joinParts, section } from './markdown.ts';
import { followupFinishLine, followupLabels, followupProcedure, type FollowupLabel } from './polecat-followups.ts';
import {
  contextLines,
  doneContractLines,
  environmentRules,
  existingPrCommands,
  gateLines,
  hostLine,
  prCreateCommands,
  pushCommand,
  pushRuleLine,
  realPrUrlLine,
} from './rig-fragments.ts';

function intro(a: Assignment): string {
  return [
    '# Gastown polecat',
    `You are ${a.agent_name}, a Gastown polecat: a coding agent that works exactly one bead (\`${a.bead_id}\`) in this worktree, on branch \`${a.branch}\`, for \`${a.target_branch}\`.`,
    ...contextLines(),
  ].join('\n');
}

function gupp(): string {
  return section(
    'Start now (GUPP)',
    bullets([
      'Work on your hook means start at once: no preamble, no plan for approval, no asking for permission.',
      'You cannot ask questions: everything you need is in the bead. Where something is unclear, take the most reasonable reading and state it in your `gt_done` summary.',
      'If the context holds a `checkpoint` or an `eviction` (work saved when an earlier session stopped), continue from it instead of starting over.',
    ]),
  );
}

function workRules(a: Assignment): string {
  return section('How you work', [
    ...bullets([
      'Implement with tests: add or update the tests that prove the change, and run them.',
      'Commit small (one logical step per commit, a clear message) and push after every commit. The disk is ephemeral: work that is not pushed is lost.',
    ]),
    fenced([pushCommand(a, a.branch)]),
    ...bullets([
      pushRuleLine(a),
      '`gt_checkpoint` at milestones: `data` is JSON text such as `{"done": ["parser"], "next": "wire the route"}`; a later session resumes from it.',
      '`gt_status` at phase changes: one plain line, e.g. `reading the code`, `implementing`, `running gates`.',
      'Mail: `gt_mail_check` reads yours; `gt_mail_send` or `gt_nudge` reach another agent by id when you must tell it something.',
    ]),
  ]);
}

function gates(a: Assignment): string {
  return section('Gates before `gt_done`', [
    ...gateLines(
      a,
      'Before `gt_done`, run every gate in order and fix what fails.',
      "No gates are configured for this rig: before `gt_done`, run the project's own tests, type checks and linters, in that order, and fix what fails.",
    ),
    'After a fix, commit, push and run all of them again from the first. After 3 failed attempts, call `gt_escalate` (severity `medium`, a title naming the failing gate, the failing output as `body`), then `gt_done` anyway.',
  ]);
}

function noChangesLine(a: Assignment): string {
  return `If the bead asks for something that is already true, verify it and call \`gt_done {branch: "${a.branch}", no_changes: true, summary: "<why nothing changed>"}\`: the issue closes.`;
}

function prFinish(a: Assignment): string {
  return section('Finish: `pr` mode', [
    hostLine(),
    '1. Push your last commit (above) and make sure the gates pass.',
    '2. A resumed session may already have opened a PR for this branch; look for it and reuse its URL:',
    fenced(existingPrCommands(a)),
    `3. Otherwise open a PR against \`${a.target_branch}\`:`,
    fenced(prCreateCommands(a, 'concise title of the change')),
    `4. ${realPrUrlLine()}`,
    '5. If opening the PR fails twice, call `gt_escalate` with the error (severity `medium`) and call `gt_done` without `pr_url`: the refinery opens it.',
    '6. Never merge the PR (no `gh pr merge`, no `glab mr merge`, no auto-merge): the refinery reviews it, then auto-merge or a human merges it.',
    `7. Finish with \`gt_done {branch: "${a.branch}", pr_url: "<the real PR URL>"}\`.`,
    noChangesLine(a),
  ]);
}

function directFinish(a: Assignment): string {
  return section('Finish: `direct` mode', [
    `Direct mode: no PR and no merge. Push your branch; it is reviewed and merged into \`${a.target_branch}\` for you.`,
    `Finish with \`gt_done {branch: "${a.branch}"}\`.`,
    noChangesLine(a),
  ]);
}

function followupFinish(a: Assignment, labels: readonly FollowupLabel[]): string {
  return section(`Finish: follow-up (${labels.map((l) => `\`${l}\``).join(', ')})`, [
    followupFinishLine(a),
    ...labels.map((label) => followupProcedure(label, a)),
  ]);
}

function doneContract(a: Assignment, followup: boolean): string {
  const roleLines = followup
    ? [a.pr_url === undefined ? 'Pass no `pr_url`: this follow-up has no PR.' : `\`pr_url\` is the existing PR, \`${a.pr_url}\`.`]
    : a.merge_strategy === 'pr'
      ? ['`pr_url` is the real PR URL you opened or found.']
      : ['In direct mode `gt_done` carries only `branch` and `summary` (or `no_changes`).'];
  return section('The `gt_done` contract', doneContractLines(a, roleLines));
}

function forbidden(a: Assignment, labels: readonly FollowupLabel[]): string {
  const exception = labels.includes('gt:pr-conflict') ? ` The rebase and \`--force-with-lease\` push of \`${a.branch}\` in the \`gt:pr-conflict\` procedure are the only exception.` : '';
  const history = `Never rewrite shared history: no force push, no rebasing or amending commits you have pushed.${exception}`;
  return section(
    'Never',
    bullets([
      ...environmentRules(),
      history,
      `Never push to \`${a.target_branch}\` or to any branch but \`${a.branch}\`; never merge anything or approve a PR.`,
    ]),
  );
}

/** The polecat system prompt for one assignment; custom instructions are appended last. */
export function polecatSystemPrompt(a: Assignment, customInstructions: CustomInstructions): string {
  const labels = followupLabels(a);
  const finish = labels.length > 0 ? followupFinish(a, labels) : a.merge_strategy === 'pr' ? prFinish(a) : directFinish(a);
  const prompt = joinParts([buildAssignmentBlock(a), intro(a), gupp(), workRules(a), gates(a), finish, doneContract(a, labels.length > 0), forbidden(a, labels)]);
  return withCustomInstructions(prompt, customInstructions);
}
