/**
 * The refinery prompt as data (`tools.md` §6, seeds 000 §6c and 001): gates then the
 * three-dot diff (REVIEW.md if present), never fixing code, and the pass/fail outcome of each
 * variant — `direct` merge, `pr` comments / rework, `pr` without a PR, an intermediate
 * review-then-land member, the landing review — plus hook safety and escalation severities.
 */
import { describe, expect, it } from 'vitest';
import { parseAssignmentBlock } from '../../../src/prompts/assignment.ts';
import { refinerySystemPrompt, reviewKind } from '../../../src/prompts/refinery.ts';
import { PR_URL, refineryVariants as v } from './fixtures.ts';

const prompt = (a: Parameters<typeof refinerySystemPrompt>[0]): string => refinerySystemPrompt(a, '');

describe('refinery prompt: every variant', () => {
  for (const [name, a] of Object.entries(v)) {
    it(`${name}: gates in order, then the diff review; never fixes code; hook safety`, () => {
      const text = prompt(a);
      expect(parseAssignmentBlock(text)).toEqual(a);
      expect(text).toContain('Run every gate in order');
      expect(text.indexOf('npm test')).toBeLessThan(text.indexOf('npm run lint -- --max-warnings=0'));
      expect(text.indexOf('Run every gate in order')).toBeLessThan(text.indexOf(`git diff origin/${a.target_branch}...origin/${a.branch}`));
      expect(text).toContain('REVIEW.md');
      for (const aspect of ['correctness', 'tests', 'security', 'style', 'stray artifacts']) expect(text).toContain(`- ${aspect}:`);
      expect(text).toContain('You never fix code yourself');
      expect(text).toContain('Never edit, fix or commit code');
      expect(text).toContain('answers `not_hooked`');
      expect(text).toContain('do not call `gt_done` as if the review passed');
      expect(text).toMatch(/Conflicts too hard to judge[^\n]*severity `high`/);
      expect(text).toMatch(/Unsure[^\n]*severity `medium`/);
    });
  }
});

describe('refinery prompt: direct', () => {
  const text = prompt(v.direct);

  it('pass: merge --no-ff into the target, push, gt_done with merge_commit', () => {
    expect(text).toContain('git merge --no-ff -m "Merge gt/toast/33333333 into main" origin/gt/toast/33333333');
    expect(text).toContain('git push --atomic --follow-tags origin HEAD:main');
    expect(text).toContain('merge_commit: "<the sha of that merge commit>"');
    expect(text.indexOf('HEAD:main')).toBeLessThan(text.indexOf('merge_commit: "<'));
  });

  it('fail: gt_request_changes with exact files, lines and errors, then gt_done {branch}', () => {
    expect(text).toContain('## If it fails: send it back (`direct`)');
    expect(text).toContain('Call `gt_request_changes` with `feedback` naming the exact files, lines and errors');
    expect(text).toContain('Then `gt_done {branch: "gt/toast/33333333"}`');
  });

  it('a merge conflict aborts and fails the review', () => {
    expect(text).toContain('`git merge --abort`');
  });

  it('warns that gt_done without pr_url reports a merge (seed 000 §6c)', () => {
    expect(text).toContain('`gt_done` without `pr_url` reports a merge');
    expect(text).toContain('If `gt_request_changes` fails for any other reason, retry it once');
  });

  it('has no PR instructions', () => {
    for (const forbidden of ['gh pr create', 'gh pr comment', 'REQUEST_CHANGES', 'glab mr']) expect(text).not.toContain(forbidden);
  });
});

describe('refinery prompt: existing PR', () => {
  it('pass: gh pr comment, gt_done {branch, pr_url}; never approve or merge (seed 001)', () => {
    for (const a of [v.prComments, v.prRework]) {
      const text = prompt(a);
      expect(text).toContain(`gh pr comment ${PR_URL}`);
      expect(text).toContain(`gt_done {branch: "gt/toast/33333333", pr_url: "${PR_URL}"}`);
      expect(text).toContain('Never approve it');
      expect(text).toContain('never merge it: auto-merge or a human does');
      expect(text).toContain('waits for a human approval');
      expect(text).not.toContain('git merge --no-ff');
      expect(text).not.toContain('gh pr create');
      expect(text).toContain('Never push');
    }
  });

  it('comments mode fails with a REQUEST_CHANGES review with inline comments via gh api', () => {
    const text = prompt(v.prComments);
    expect(text).toContain('request changes on the PR (`comments` mode)');
    expect(text).toContain('"event": "REQUEST_CHANGES"');
    expect(text).toContain('gh api --method POST repos/{owner}/{repo}/pulls/<number>/reviews');
    expect(text).toContain('"comments": [{"path"');
    expect(text).not.toContain('Call `gt_request_changes`');
  });

  it('rework mode fails with gt_request_changes and leaves no review', () => {
    const text = prompt(v.prRework);
    expect(text).toContain('send it back (`rework` mode)');
    expect(text).toContain('Call `gt_request_changes`');
    expect(text).not.toContain('REQUEST_CHANGES');
  });
});

describe('refinery prompt: pr without a PR', () => {
  const text = prompt(v.prWithoutPr);

  it('pass: opens the PR and passes its real URL', () => {
    expect(text).toContain('## If it passes: open the PR');
    expect(text).toContain('gh pr create --base main --head gt/toast/33333333');
    expect(text).toContain('real PR URL');
    expect(text).toContain('pr_url: "<the real PR URL>"');
    expect(text).not.toContain('gh pr comment');
  });

  it('comments mode with no PR to comment on sends rework instead', () => {
    const text2 = prompt({ ...v.prWithoutPr, review_mode: 'comments' });
    expect(text2).toContain('send it back (no PR to comment on)');
    expect(text2).not.toContain('REQUEST_CHANGES');
  });
});

describe('refinery prompt: review-then-land', () => {
  it('an intermediate member merges straight into the feature branch, no PR', () => {
    const a = v.convoyMember;
    expect(reviewKind(a)).toBe('convoy-member');
    const text = prompt(a);
    expect(text).toContain('intermediate member of a `review-then-land` convoy');
    expect(text).toContain('merges straight into that feature branch');
    expect(text).toContain(`git merge --no-ff -m "Merge ${a.branch} into ${a.target_branch}" origin/${a.branch}`);
    expect(text).toContain(`HEAD:${a.target_branch}`);
    expect(text).toContain('Call `gt_request_changes`');
    for (const forbidden of ['gh pr create', 'gh pr comment', 'REQUEST_CHANGES']) expect(text).not.toContain(forbidden);
  });

  it('the landing review covers the combined diff and escalates problems (medium), never rework', () => {
    for (const a of [v.landingDirect, v.landingPr]) {
      expect(reviewKind(a)).toBe('landing');
      const text = prompt(a);
      expect(text).toContain("convoy's landing review");
      expect(text).toContain('combined change');
      expect(text).toContain('## If it fails: escalate');
      expect(text).toContain('Call `gt_escalate` with severity `medium`');
      expect(text).toContain('do not call `gt_request_changes`');
      expect(text).not.toContain('Call `gt_request_changes`');
      expect(text).not.toContain('retry it once');
    }
  });

  it('a failed direct landing stops without gt_done, which would report a merge', () => {
    const text = prompt(v.landingDirect);
    expect(text).toContain('stop without `gt_done`: with no PR, `gt_done` would report the landing as merged');
  });

  it('a failed landing PR gets a REQUEST_CHANGES review so it cannot auto-merge', () => {
    const text = prompt(v.landingPr);
    expect(text).toContain('"event": "REQUEST_CHANGES"');
    expect(text).toContain('cannot auto-merge while changes are requested');
  });

  it('a plain MR is neither', () => {
    expect(reviewKind(v.direct)).toBe('single');
    expect(prompt(v.direct)).not.toContain('landing');
    expect(prompt(v.direct)).not.toContain('convoy');
  });
});
