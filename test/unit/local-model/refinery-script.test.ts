/**
 * The refinery's local-model script (`container.md` §10): `direct` → one bash merge (fetch,
 * `checkout -B gt-merge-<bead8> origin/<target>`, `merge --no-ff origin/<branch>`, `push origin
 * HEAD:<target>`) then `gt_done {branch, merge_commit}`; a conflict → `merge --abort`,
 * `gt_request_changes` naming the files, `gt_done {branch}`; an existing PR → `gt_done {branch, pr_url}`.
 */
import { describe, expect, it } from 'vitest';
import { REFINERY_STEP, conflictFiles, refineryScript } from '../../../container/src/local-model/scripts/refinery.ts';
import type { Assignment } from '../../../src/prompts/assignment.ts';
import type { Exchange } from './chat.ts';
import { REFINERY_TOOLS, assignment, chat, textOf, toolCall, systemWith } from './chat.ts';

const MR = 'fedcba98-7654-4321-8abc-def012345678';
const SHA = '0123456789abcdef0123456789abcdef01234567';
const review = (over: Partial<Assignment> = {}): Assignment =>
  assignment({ role: 'refinery', bead_id: MR, bead_title: 'Add the readme', branch: 'gt/toast/abcdef12', target_branch: 'main', review_mode: 'rework', ...over });

function refinery(a: Assignment | null, turn: Exchange[] = []) {
  return refineryScript(chat({ model: 'refinery', ...(a === null ? {} : { system: systemWith(a) }), user: `Review merge request ${MR}: Add the readme`, tools: REFINERY_TOOLS, turn }));
}

const CONFLICT_OUTPUT = [
  'From /tmp/origin',
  'Auto-merging README.md',
  'CONFLICT (content): Merge conflict in README.md',
  'CONFLICT (add/add): Merge conflict in src/app.ts',
  'CONFLICT (modify/delete): docs/old.md deleted in HEAD and modified in origin/gt/toast/abcdef12.',
  'Automatic merge failed; fix conflicts and then commit the result.',
].join('\n');

describe('refinery script', () => {
  it('merges directly with one bash call', () => {
    const bash = toolCall(refinery(review()));
    expect(bash.name).toBe('bash');
    expect(bash.args.description).toBe(REFINERY_STEP.merge);
    expect(bash.args.command).toBe(
      "git fetch origin && git checkout -B 'gt-merge-fedcba98' 'origin/main' && " +
        "git merge --no-ff -m 'Merge gt/toast/abcdef12: Add the readme' 'origin/gt/toast/abcdef12' && " +
        "git push origin 'HEAD:main' && echo \"merge_commit=$(git rev-parse HEAD)\" && echo GT_OK",
    );
  });

  it('reports the merge with gt_done {branch, merge_commit}, then stops', () => {
    const merged: Exchange = { name: 'bash', args: { command: 'x', description: REFINERY_STEP.merge }, result: `Merge made by the 'ort' strategy.\nmerge_commit=${SHA}\nGT_OK\n` };
    const done = toolCall(refinery(review(), [merged]));
    expect(done).toEqual({ kind: 'tool', name: 'gt_done', args: { branch: 'gt/toast/abcdef12', merge_commit: SHA } });
    expect(textOf(refinery(review(), [merged, { name: 'gt_done', args: done.args, result: 'ok' }]))).toBe('Review finished.');
  });

  it('reads every conflicted file from the merge output', () => {
    expect(conflictFiles(CONFLICT_OUTPUT)).toEqual(['README.md', 'src/app.ts', 'docs/old.md']);
    expect(conflictFiles('all good\nGT_OK')).toEqual([]);
  });

  it('on a conflict aborts the merge, requests changes naming the files, then calls gt_done {branch}', () => {
    const merge: Exchange = { name: 'bash', args: { command: 'x', description: REFINERY_STEP.merge }, result: CONFLICT_OUTPUT };
    const abort = toolCall(refinery(review(), [merge]));
    expect(abort).toEqual({ kind: 'tool', name: 'bash', args: { command: 'git merge --abort && echo GT_OK', description: REFINERY_STEP.abort } });

    const aborted: Exchange = { name: 'bash', args: abort.args, result: 'GT_OK\n' };
    const changes = toolCall(refinery(review(), [merge, aborted]));
    expect(changes.name).toBe('gt_request_changes');
    expect(changes.args.files).toEqual(['README.md', 'src/app.ts', 'docs/old.md']);
    expect(String(changes.args.feedback)).toContain('Rebase onto origin/main');

    const requested: Exchange = { name: 'gt_request_changes', args: changes.args, result: '{"rework_bead":{}}' };
    expect(toolCall(refinery(review(), [merge, aborted, requested]))).toEqual({ kind: 'tool', name: 'gt_done', args: { branch: 'gt/toast/abcdef12' } });
  });

  it('escalates a merge failure that is not a conflict', () => {
    const merge: Exchange = { name: 'bash', args: { command: 'x', description: REFINERY_STEP.merge }, result: "fatal: couldn't find remote ref gt/toast/abcdef12" };
    const escalation = toolCall(refinery(review(), [merge]));
    expect(escalation.name).toBe('gt_escalate');
    expect(escalation.args.severity).toBe('medium');
    expect(String(escalation.args.body)).toContain("couldn't find remote ref");
  });

  it('with an existing PR calls gt_done {branch, pr_url} at once', () => {
    const pr = 'https://github.com/acme/app/pull/12';
    expect(toolCall(refinery(review({ merge_strategy: 'pr', pr_url: pr })))).toEqual({ kind: 'tool', name: 'gt_done', args: { branch: 'gt/toast/abcdef12', pr_url: pr } });
  });

  it('in pr mode without a PR opens one with curl and reports its URL', () => {
    const open = toolCall(refinery(review({ merge_strategy: 'pr' })));
    expect(open.args.description).toBe(REFINERY_STEP.pullRequest);
    const result = `${JSON.stringify({ html_url: 'https://github.com/acme/app/pull/5' })}\nGT_OK\n`;
    expect(toolCall(refinery(review({ merge_strategy: 'pr' }), [{ name: 'bash', args: open.args, result }]))).toEqual({
      kind: 'tool',
      name: 'gt_done',
      args: { branch: 'gt/toast/abcdef12', pr_url: 'https://github.com/acme/app/pull/5' },
    });
  });

  it('without an assignment block says so instead of guessing a branch', () => {
    expect(textOf(refinery(null))).toContain('No assignment block');
  });
});
