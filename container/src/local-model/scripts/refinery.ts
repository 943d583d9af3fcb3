/**
 * The refinery's script (`container.md` §10). An existing PR → `gt_done {branch, pr_url}`. `pr`
 * mode without one → open it with `curl`, then `gt_done {branch, pr_url}`. `direct` → one `bash`
 * call: fetch, `checkout -B gt-merge-<bead8> origin/<target>`, `merge --no-ff origin/<branch>`,
 * `push origin HEAD:<target>`, then `gt_done {branch, merge_commit}`. A conflict → `merge --abort`,
 * `gt_request_changes` naming the conflicted files, then `gt_done {branch}`. Any other failure →
 * `gt_escalate` (medium, output tail) and stop. Pure.
 */
import type { Assignment } from '../../../../src/prompts/assignment.ts';
import type { Conversation, ToolExchange } from '../conversation.ts';
import { call, say } from '../reply.ts';
import type { ModelReply } from '../reply.ts';
import { BASH_TOOL, bash, bashExchange, outputTail, printedValue, shellQuote, succeeded, withOkMarker } from '../shell.ts';
import { beadFacts } from './bead.ts';
import type { BeadFacts } from './bead.ts';
import { pullRequestCommand, pullRequestUrl } from './pull-request.ts';

/** Descriptions of the scripted `bash` calls. */
export const REFINERY_STEP = Object.freeze({
  merge: 'gastown: merge into the target branch',
  abort: 'gastown: abort the conflicted merge',
  pullRequest: 'gastown: open the pull request',
});

/** The most files a change request names (`RequestChanges.files`). */
const MAX_FILES = 100;

/** The conflicted paths `git merge` reported in `output`, in order, once each. */
export function conflictFiles(output: string | null): string[] {
  const files: string[] = [];
  for (const line of (output ?? '').split('\n')) {
    const conflict = /^CONFLICT \([^)]*\): (.*)$/.exec(line.trim());
    if (conflict === null) continue;
    const detail = conflict[1] ?? '';
    const file = /Merge conflict in (.+)$/.exec(detail)?.[1] ?? /^(\S+)/.exec(detail)?.[1];
    if (file !== undefined && !files.includes(file)) files.push(file);
  }
  return files.slice(0, MAX_FILES);
}

/** The direct-merge command. */
export function mergeCommand(a: Assignment, bead: BeadFacts): string {
  const mergeBranch = `gt-merge-${bead.short === '' ? 'review' : bead.short}`;
  const message = `Merge ${a.branch}${bead.title === '' ? '' : `: ${bead.title}`}`;
  return withOkMarker(
    [
      'git fetch origin',
      `git checkout -B ${shellQuote(mergeBranch)} ${shellQuote(`origin/${a.target_branch}`)}`,
      `git merge --no-ff -m ${shellQuote(message)} ${shellQuote(`origin/${a.branch}`)}`,
      ['git push', ...a.push_flags.map(shellQuote), 'origin', shellQuote(`HEAD:${a.target_branch}`)].join(' '),
      'echo "merge_commit=$(git rev-parse HEAD)"',
    ].join(' && '),
  );
}

function escalate(bead: BeadFacts, failed: ToolExchange, what: string): ModelReply {
  const title = `Refinery could not finish review ${bead.short}: ${what}`.slice(0, 200);
  const body = `The step "${String(failed.args.description ?? failed.name)}" failed. Output (tail):\n${outputTail(failed.result)}`;
  return call('gt_escalate', { title, body, severity: 'medium' });
}

function requestChanges(a: Assignment, files: string[]): ModelReply {
  const where = files.length === 0 ? '' : ` in ${files.join(', ')}`;
  const feedback = `Merging ${a.branch} into ${a.target_branch} conflicts${where}. Rebase onto origin/${a.target_branch}, resolve the conflicts and push.`;
  return call('gt_request_changes', { feedback: feedback.slice(0, 16_384), ...(files.length === 0 ? {} : { files }) });
}

/** The refinery's next reply. */
export function refineryScript(conv: Conversation): ModelReply {
  const a = conv.assignment;
  if (a === null) return say('No assignment block: nothing to review.');
  const bead = beadFacts(conv);
  const last = conv.exchanges.at(-1);
  if (last === undefined) {
    if (a.pr_url !== undefined) return call('gt_done', { branch: a.branch, pr_url: a.pr_url });
    if (a.merge_strategy === 'pr') {
      const title = bead.title === '' ? `Merge ${a.branch}` : bead.title;
      return bash(pullRequestCommand({ title, head: a.branch, base: a.target_branch, body: `Gastown review ${bead.id}` }), REFINERY_STEP.pullRequest);
    }
    return bash(mergeCommand(a, bead), REFINERY_STEP.merge);
  }
  switch (last.name) {
    case 'gt_done':
      return say('Review finished.');
    case 'gt_escalate':
      return say('Escalated; stopping here.');
    case 'gt_request_changes':
      return call('gt_done', { branch: a.branch });
    case BASH_TOOL:
      break;
    default:
      return say('Nothing left to do.');
  }
  const step = last.args.description;
  if (step === REFINERY_STEP.merge) {
    if (succeeded(last.result)) {
      const mergeCommit = printedValue(last.result, 'merge_commit');
      const known = mergeCommit !== undefined && /^[0-9a-fA-F]{7,64}$/.test(mergeCommit);
      return call('gt_done', { branch: a.branch, ...(known ? { merge_commit: mergeCommit } : {}) });
    }
    if (conflictFiles(last.result).length > 0) return bash(withOkMarker('git merge --abort'), REFINERY_STEP.abort);
    return escalate(bead, last, 'the merge failed');
  }
  if (step === REFINERY_STEP.abort) {
    // The change request goes out even if the abort itself failed: the conflict is the finding.
    return requestChanges(a, conflictFiles(bashExchange(conv.exchanges, REFINERY_STEP.merge)?.result ?? null));
  }
  if (step === REFINERY_STEP.pullRequest) {
    const url = succeeded(last.result) ? pullRequestUrl(last.result) : undefined;
    return url === undefined ? escalate(bead, last, 'opening the PR failed') : call('gt_done', { branch: a.branch, pr_url: url });
  }
  return say('Nothing left to do.');
}
