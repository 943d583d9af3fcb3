/**
 * The polecat's script (`container.md` §10): one `bash` call writes the file named by the first
 * backticked string of the bead title (else body; a `file=` steering line overrides; none →
 * `gastown/<bead8>.md`) with the second backticked string (else a line naming the bead), commits
 * with the bead title and pushes (`gt:pr-*` follow-ups rebase onto `origin/<target>` first and push
 * `--force-with-lease`). `pr` mode then opens the PR with `curl`. Then `gt_done {branch, pr_url?,
 * summary}`. A command whose output lacks `GT_OK` → `gt_escalate` (medium, output tail) and stop.
 * Pure: the next reply follows from the conversation alone.
 */
import { posix } from 'node:path';
import type { Conversation, ToolExchange } from '../conversation.ts';
import { call, say } from '../reply.ts';
import type { ModelReply } from '../reply.ts';
import { BASH_TOOL, bash, bashExchange, outputTail, printedValue, shellQuote, succeeded, withOkMarker } from '../shell.ts';
import { beadFacts, beadTicks } from './bead.ts';
import type { BeadFacts } from './bead.ts';
import { pullRequestCommand, pullRequestUrl } from './pull-request.ts';

/** Descriptions of the scripted `bash` calls: how the script recognises its own steps. */
export const POLECAT_STEP = Object.freeze({
  work: 'gastown: write the file, commit and push',
  pullRequest: 'gastown: open the pull request',
});

/** Everything the polecat's commands are built from. */
export interface PolecatPlan {
  bead: BeadFacts;
  /** Relative path inside the worktree. */
  path: string;
  content: string;
  commitMessage: string;
  /** The assignment's branch; null without an assignment block (read back from the push output). */
  branch: string | null;
  target: string;
  pushFlags: string[];
  /** A `gt:pr-*` follow-up: rebase onto the target and push with lease. */
  rebase: boolean;
  /** `pr` mode on a fresh bead: open a PR after the push. */
  openPullRequest: boolean;
  /** The PR a follow-up continues, from the assignment. */
  prUrl: string | undefined;
}

/** Labels of follow-up beads: they continue an existing MR and never open a PR. */
const FOLLOW_UP_LABELS = new Set(['gt:rework', 'gt:pr-conflict', 'gt:pr-feedback', 'gt:pr-fixup']);

/** A relative path that stays inside the worktree and out of `.git`. */
export function isSafeRelativePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || /[\u0000-\u001f]/.test(path)) return false;
  const segments = path.split('/');
  return segments.every((s) => s !== '..' && s !== '.git') && segments.some((s) => s !== '' && s !== '.');
}

/** The plan of `conv`: what to write where, and how to push. */
export function polecatPlan(conv: Conversation): PolecatPlan {
  const a = conv.assignment;
  const bead = beadFacts(conv);
  const ticks = beadTicks(bead);
  const fallbackPath = `gastown/${bead.short === '' ? 'bead' : bead.short}.md`;
  const wanted = conv.directives.file ?? ticks[0];
  const path = wanted !== undefined && isSafeRelativePath(wanted) ? posix.normalize(wanted) : fallbackPath;
  const labels = a?.labels ?? [];
  const followUp = labels.some((l) => FOLLOW_UP_LABELS.has(l));
  return {
    bead,
    path,
    content: ticks[1] ?? `Gastown bead ${bead.id}: ${bead.title}`,
    commitMessage: bead.title === '' ? `Gastown bead ${bead.id}` : bead.title,
    branch: a?.branch ?? null,
    target: a?.target_branch ?? 'main',
    pushFlags: a?.push_flags ?? [],
    rebase: labels.some((l) => l.startsWith('gt:pr-')),
    openPullRequest: a?.merge_strategy === 'pr' && !followUp && a.pr_url === undefined,
    prUrl: a?.pr_url,
  };
}

/** The `bash` command of the work step. */
export function workCommand(plan: PolecatPlan): string {
  const steps: string[] = [];
  if (plan.rebase) steps.push('git fetch origin', `git rebase ${shellQuote(`origin/${plan.target}`)}`);
  steps.push(
    `mkdir -p -- ${shellQuote(posix.dirname(plan.path))}`,
    `printf '%s\\n' ${shellQuote(plan.content)} > ${shellQuote(plan.path)}`,
    'git add -A',
    `(git diff --cached --quiet || git commit -m ${shellQuote(plan.commitMessage)})`,
    ['git push -u', ...(plan.rebase ? ['--force-with-lease'] : []), ...plan.pushFlags.map(shellQuote), 'origin HEAD'].join(' '),
    'echo "branch=$(git rev-parse --abbrev-ref HEAD)"',
  );
  return withOkMarker(steps.join(' && '));
}

function escalate(plan: PolecatPlan, failed: ToolExchange, what: string): ModelReply {
  const title = `Polecat could not finish bead ${plan.bead.short}: ${what}`.slice(0, 200);
  const body = `The step "${String(failed.args.description ?? failed.name)}" failed. Output (tail):\n${outputTail(failed.result)}`;
  return call('gt_escalate', { title, body, severity: 'medium' });
}

function done(plan: PolecatPlan, branch: string, prUrl: string | undefined): ModelReply {
  const summary = `Wrote ${plan.path} for bead ${plan.bead.id}: ${plan.bead.title}`.slice(0, 4096);
  return call('gt_done', { branch, ...(prUrl === undefined ? {} : { pr_url: prUrl }), summary });
}

/** The polecat's next reply. */
export function polecatScript(conv: Conversation): ModelReply {
  const plan = polecatPlan(conv);
  const last = conv.exchanges.at(-1);
  if (last === undefined) return bash(workCommand(plan), POLECAT_STEP.work);
  if (last.name === 'gt_escalate') return say('Escalated; stopping here.');
  if (last.name === 'gt_done') return say(`Done: ${plan.path} is pushed.`);
  if (last.name !== BASH_TOOL) return say('Nothing left to do.');
  if (!succeeded(last.result)) return escalate(plan, last, 'a command failed');

  const work = bashExchange(conv.exchanges, POLECAT_STEP.work);
  const branch = plan.branch ?? printedValue(work?.result ?? null, 'branch');
  if (branch === undefined || branch === '' || branch === 'HEAD') return escalate(plan, last, 'no branch to report');
  if (last.args.description === POLECAT_STEP.work) {
    if (!plan.openPullRequest) return done(plan, branch, plan.prUrl);
    return bash(
      pullRequestCommand({ title: plan.commitMessage, head: branch, base: plan.target, body: `Gastown bead ${plan.bead.id}\n\nWrote \`${plan.path}\`.` }),
      POLECAT_STEP.pullRequest,
    );
  }
  if (last.args.description === POLECAT_STEP.pullRequest) {
    const url = pullRequestUrl(last.result);
    return url === undefined ? escalate(plan, last, 'the PR reply has no URL') : done(plan, branch, url);
  }
  return say('Nothing left to do.');
}
