/**
 * The refinery's system prompt (`tools.md` §6), sent as `system` with its first prompt: the
 * assignment block, then what this review is (plain MR, intermediate `review-then-land` member,
 * or a convoy's landing MR), the procedure (gates, then the diff against the bead), the pass and
 * fail outcomes of its merge strategy and review mode, escalation, hook safety (seed 000 §6c:
 * never merge without the hook) and the `gt_done` contract; custom instructions last. Called by
 * dispatch (start-request.ts). Pure: the same assignment gives the same text.
 */
import { LANDING_LABEL } from '../town/reconciler/mr-facts.ts';
import { buildAssignmentBlock, type Assignment } from './assignment.ts';
import { withCustomInstructions, type CustomInstructions } from './custom-instructions.ts';
import { bullets, fenced, joinParts, section } from './markdown.ts';
import { outcomeSections, type ReviewKind } from './refinery-outcomes.ts';
import { contextLines, doneContractLines, environmentRules, gateLines } from './rig-fragments.ts';

/** A convoy feature branch (`domain.md` §6.2): members of a review-then-land convoy target it. */
const CONVOY_FEATURE_BRANCH = /^convoy\/.+\/head$/;

/** The kind of review an assignment describes. */
export function reviewKind(a: Assignment): ReviewKind {
  if (a.labels.includes(LANDING_LABEL)) return 'landing';
  return CONVOY_FEATURE_BRANCH.test(a.target_branch) ? 'convoy-member' : 'single';
}

function kindLine(a: Assignment, kind: ReviewKind): string {
  if (kind === 'landing') {
    return `This is a convoy's landing review (\`${LANDING_LABEL}\`): \`${a.branch}\` is the convoy's feature branch holding every member's merged work, so the diff is their combined change. Each member was reviewed on its own; judge how they fit together. There is no single polecat to send rework to, so problems are escalated (below).`;
  }
  if (kind === 'convoy-member') {
    return `This merge request is an intermediate member of a \`review-then-land\` convoy: \`${a.target_branch}\` is the convoy's feature branch. On a pass it merges straight into that feature branch, with no PR whatever the rig's strategy; the convoy's landing review covers the combined diff later.`;
  }
  return '';
}

function intro(a: Assignment, kind: ReviewKind): string {
  return [
    '# Gastown refinery',
    `You are the Gastown refinery of this rig: you review merge request \`${a.bead_id}\` (\`${a.branch}\` → \`${a.target_branch}\`) and land your verdict the way its merge strategy says. You never fix code yourself: no edits, no commits to \`${a.branch}\`; problems go back as feedback.`,
    kindLine(a, kind),
    ...contextLines(),
  ]
    .filter((line) => line.length > 0)
    .join('\n');
}

function procedure(a: Assignment, kind: ReviewKind): string {
  const against = kind === 'landing' ? "Review the combined change against the convoy's goal (the merge request body)" : 'Review the change against the bead (the merge request body names the issue it implements)';
  return section('Review procedure', [
    `1. \`gt_status\` at each phase change (\`running gates\`, \`reviewing\`, \`merging\`). Your worktree is detached at \`origin/${a.branch}\`; start with \`git fetch origin\`.`,
    '2. Gates.',
    ...gateLines(
      a,
      'Run every gate in order; a failing gate is a failed review (quote its output).',
      "No gates are configured for this rig: run the project's own tests if it has any; a failure is a failed review.",
    ),
    `3. ${against}:`,
    fenced([`git log --oneline origin/${a.target_branch}..origin/${a.branch}`, `git diff origin/${a.target_branch}...origin/${a.branch}`]),
    'If the repository has a `REVIEW.md`, follow it. Check:',
    ...bullets([
      'correctness: it does what the bead asks, handles edge cases, breaks nothing else;',
      'tests: the change is tested, the tests are meaningful and pass;',
      'security: no injection, leaked secrets, unchecked input or weakened auth;',
      'style: it reads like the surrounding code;',
      'stray artifacts: debug output, commented-out code, build output, unrelated files or lockfile churn.',
    ]),
    '4. Verdict: it passes only when every gate passes and nothing blocking remains; style nits alone do not fail a review.',
  ]);
}

function escalation(kind: ReviewKind): string {
  return section(
    'Escalation',
    bullets([
      'Conflicts too hard to judge (both sides rewrote the same logic, or resolving them needs a product decision): `gt_escalate` with severity `high`, naming the files.',
      'Unsure whether something is acceptable (a risky change you cannot verify, an unclear requirement): `gt_escalate` with severity `medium` describing the doubt, then give your verdict.',
      ...(kind === 'landing' ? ['Every problem in a landing review is escalated with severity `medium`.'] : []),
    ]),
  );
}

function hookSafety(a: Assignment, kind: ReviewKind): string {
  const merge = a.merge_strategy === 'direct' ? ` (on a \`direct\` merge request, \`gt_done\` without \`pr_url\` reports a merge)` : '';
  return section(
    'Your hook',
    bullets([
      `You act only on the merge request you are hooked to. If any \`gt_*\` call answers \`not_hooked\` or says you hold no merge request, stop: do not merge, do not push, and do not call \`gt_done\` as if the review passed${merge}; call \`gt_escalate\` with severity \`high\` saying what you found.`,
      ...(kind === 'landing'
        ? []
        : ['If `gt_request_changes` fails for any other reason, retry it once; if it fails again, `gt_escalate` with severity `high` and your full feedback, and stop without `gt_done`.']),
    ]),
  );
}

function doneContract(a: Assignment, kind: ReviewKind): string {
  const otherwise = kind === 'landing' ? '' : ', or after `gt_request_changes` succeeded';
  const roleLines =
    a.merge_strategy === 'direct'
      ? [`\`merge_commit\` is the sha of the merge you pushed. Without \`pr_url\`, \`gt_done\` means "I merged it": call it that way only after your merge is pushed${otherwise}.`]
      : ['`pr_url` is the PR you reviewed or opened.'];
  return section('The `gt_done` contract', doneContractLines(a, roleLines));
}

function forbidden(a: Assignment): string {
  const push =
    a.merge_strategy === 'direct'
      ? `Push only the merge of a passed review, only to \`${a.target_branch}\`, never with force.`
      : 'Never push: in `pr` mode your verdict lands through the PR; never approve or merge a PR.';
  return section('Never', bullets([...environmentRules(), `Never edit, fix or commit code, and never push to \`${a.branch}\`.`, push]));
}

/** The refinery system prompt for one merge request; custom instructions are appended last. */
export function refinerySystemPrompt(a: Assignment, customInstructions: CustomInstructions): string {
  const kind = reviewKind(a);
  const prompt = joinParts([
    buildAssignmentBlock(a),
    intro(a, kind),
    procedure(a, kind),
    ...outcomeSections(a, kind),
    escalation(kind),
    hookSafety(a, kind),
    doneContract(a, kind),
    forbidden(a),
  ]);
  return withCustomInstructions(prompt, customInstructions);
}
