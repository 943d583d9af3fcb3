/**
 * The polecat prompt as data (`tools.md` §6): GUPP, tests, push after every commit, checkpoint
 * and status, gates in order with the 3-attempt escalation, and the finish of each variant —
 * `pr` (real PR URL, never merge), `direct` (no PR, no merge) and every follow-up label with its
 * own procedure — with nothing from a contradicting mode.
 */
import { describe, expect, it } from 'vitest';
import { parseAssignmentBlock } from '../../../src/prompts/assignment.ts';
import { polecatSystemPrompt } from '../../../src/prompts/polecat.ts';
import { PR_URL, polecatVariants as v } from './fixtures.ts';

const prompt = (a: Parameters<typeof polecatSystemPrompt>[0]): string => polecatSystemPrompt(a, '');

describe('polecat prompt: every variant', () => {
  for (const [name, a] of Object.entries(v)) {
    it(`${name}: starts with the assignment block and carries the shared discipline`, () => {
      const text = prompt(a);
      expect(parseAssignmentBlock(text)).toEqual(a);
      // GUPP
      expect(text).toContain('start at once');
      expect(text).toContain('no asking for permission');
      expect(text).toContain('You cannot ask questions');
      // tests, commits, pushes, checkpoint, status
      expect(text).toContain('Implement with tests');
      expect(text).toContain('push after every commit');
      expect(text).toContain('The disk is ephemeral');
      expect(text).toContain(`git push --atomic --follow-tags origin HEAD:${a.branch}`);
      expect(text).toContain('`gt_checkpoint` at milestones');
      expect(text).toContain('`gt_status` at phase changes');
      // gates in order, 3 attempts → escalate, then done anyway
      expect(text.indexOf('npm test')).toBeLessThan(text.indexOf('npm run lint -- --max-warnings=0'));
      expect(text).toContain('run every gate in order');
      expect(text).toMatch(/After 3 failed attempts, call `gt_escalate`[^\n]*then `gt_done` anyway/);
      // forbidden actions
      expect(text).toContain('Never touch files outside your worktree');
      expect(text).toContain('Never rewrite shared history');
      expect(text).toContain('Never install global packages');
      expect(text).toContain('change the environment');
      expect(text).toContain(`Never push to \`${a.target_branch}\``);
    });
  }
});

describe('polecat prompt: pr mode', () => {
  const text = prompt(v.pr);

  it('opens a PR against the target with gh or glab and passes the real PR URL', () => {
    expect(text).toContain('## Finish: `pr` mode');
    expect(text).toContain('gh pr create --base main --head gt/toast/33333333');
    expect(text).toContain('glab mr create --source-branch gt/toast/33333333 --target-branch main');
    expect(text).toContain('real PR URL');
    expect(text).toContain('link that `git push` prints is not a PR');
    expect(text).toContain('pr_url: "<the real PR URL>"');
  });

  it('reuses an existing PR of the branch and never merges', () => {
    expect(text).toContain('gh pr list --head gt/toast/33333333');
    expect(text).toContain('Never merge the PR');
    expect(text).not.toMatch(/^gh pr merge/m);
  });

  it('says nothing of direct mode or follow-ups', () => {
    expect(text).not.toContain('Direct mode');
    expect(text).not.toContain('follow-up on an existing merge request');
    expect(text).not.toContain('force-with-lease');
  });
});

describe('polecat prompt: direct mode', () => {
  const text = prompt(v.direct);

  it('says no PR, no merge, and gt_done with the branch', () => {
    expect(text).toContain('## Finish: `direct` mode');
    expect(text).toContain('no PR and no merge');
    expect(text).toContain('gt_done {branch: "gt/toast/33333333"}');
  });

  it('never tells it to open a PR or pass a pr_url', () => {
    for (const forbidden of ['gh pr create', 'glab mr create', 'real PR URL', 'pr_url:', 'Finish: `pr` mode', 'force-with-lease']) {
      expect(text).not.toContain(forbidden);
    }
  });
});

describe('polecat prompt: follow-ups', () => {
  const shared = (text: string): void => {
    expect(text).toContain('your worktree is already on its branch `gt/toast/33333333`');
    expect(text).toContain('do not open a new PR');
    expect(text).not.toContain('gh pr create');
    expect(text).not.toContain('glab mr create');
    expect(text).not.toContain('Finish: `pr` mode');
    expect(text).not.toContain('Finish: `direct` mode');
  };

  it('each label gets its own procedure and no other label\'s', () => {
    const labels = { rework: 'gt:rework', prConflict: 'gt:pr-conflict', prFeedback: 'gt:pr-feedback', prFixup: 'gt:pr-fixup' } as const;
    for (const [variant, label] of Object.entries(labels)) {
      const text = prompt(v[variant as keyof typeof labels]);
      expect(text).toContain(`### \`${label}\``);
      for (const other of Object.values(labels).filter((l) => l !== label)) expect(text).not.toContain(`### \`${other}\``);
    }
  });

  it('gt:rework: fixes exactly what the feedback names, pushes, finishes with the existing pr_url', () => {
    const text = prompt(v.rework);
    shared(text);
    expect(text).toContain('fix exactly what the feedback names');
    expect(text).toContain('git push --atomic --follow-tags origin HEAD:gt/toast/33333333');
    expect(text).toContain(`gt_done {branch: "gt/toast/33333333", pr_url: "${PR_URL}"}`);
    expect(text).not.toContain('force-with-lease');
  });

  it('gt:rework without a PR finishes with the branch only', () => {
    const text = prompt(v.reworkDirect);
    shared(text);
    expect(text).toContain('gt_done {branch: "gt/toast/33333333"}');
    expect(text).toContain('Pass no `pr_url`');
  });

  it('gt:pr-conflict: rebase onto origin/<target>, resolve, push --force-with-lease', () => {
    const text = prompt(v.prConflict);
    shared(text);
    expect(text).toContain('git rebase origin/main');
    expect(text).toContain('git rebase --continue');
    expect(text).toContain('git push --force-with-lease --atomic --follow-tags origin HEAD:gt/toast/33333333');
    expect(text).toContain('are the only exception');
    expect(text).toContain(`pr_url: "${PR_URL}"`);
  });

  it('gt:pr-feedback: every unresolved thread and failing check, reply, resolve, push', () => {
    const text = prompt(v.prFeedback);
    shared(text);
    expect(text).toContain('Address every unresolved thread and every failing check');
    expect(text).toContain(`gh pr checks ${PR_URL}`);
    expect(text).toContain('Reply to each thread');
    expect(text).toContain('resolveReviewThread');
    expect(text).toContain('git push --atomic --follow-tags origin HEAD:gt/toast/33333333');
    expect(text).not.toContain('force-with-lease');
  });

  it('gt:pr-fixup: reads all PR comments, fixes or explains each, resolves threads, pushes', () => {
    const text = prompt(v.prFixup);
    shared(text);
    expect(text).toContain('Read all PR comments');
    expect(text).toContain(`gh pr view ${PR_URL} --comments`);
    expect(text).toContain('Fix or explain each comment');
    expect(text).toContain('resolveReviewThread');
    expect(text).toContain('git push --atomic --follow-tags origin HEAD:gt/toast/33333333');
  });
});

describe('polecat prompt: gates', () => {
  it('without gates it falls back to the project checks', () => {
    const text = prompt({ ...v.direct, gates: [] });
    expect(text).toContain('No gates are configured');
    expect(text).not.toContain('npm run lint -- --max-warnings=0');
  });

  it('a gate holding backticks stays inside its code fence', () => {
    const gate = 'test "$(echo ```)" = x';
    const text = prompt({ ...v.direct, gates: [gate] });
    expect(text).toContain(`\`\`\`\`sh\n${gate}\n\`\`\`\``);
  });

  it('without push flags the push carries none', () => {
    const text = prompt({ ...v.direct, push_flags: [] });
    expect(text).toContain('git push origin HEAD:gt/toast/33333333');
    expect(text).toContain('The rig sets no extra push flags');
  });
});
