/**
 * Branch naming (`domain.md` §6.2): plain polecat branches, review-then-land convoy members on
 * the feature branch (merged direct), follow-ups on the parent MR's branch, evicted WIP resumed,
 * and the refinery's checkout of an MR.
 */
import { describe, expect, it } from 'vitest';
import { polecatCheckout, refineryCheckout } from '../../../../src/town/dispatch/branches.ts';

const BEAD = 'abcdef12-3456-4789-8abc-def012345678';

describe('polecatCheckout', () => {
  const base = { agentName: 'Toast', bead: { id: BEAD, labels: [], followup_context: null }, convoy: null, defaultBranch: 'main', rigStrategy: 'pr' as const };

  it('gt/<name-slug>/<bead8> targeting the default branch', () => {
    expect(polecatCheckout(base)).toEqual({ branch: 'gt/toast/abcdef12', target_branch: 'main', merge_strategy: 'pr' });
    expect(polecatCheckout({ ...base, agentName: 'Polecat-12' }).branch).toBe('gt/polecat-12/abcdef12');
  });

  it('review-then-land members branch off the feature branch and merge direct', () => {
    const convoy = { merge_mode: 'review-then-land' as const, feature_branch: 'convoy/big-plan/0a1b2c3d/head' };
    expect(polecatCheckout({ ...base, convoy })).toEqual({
      branch: 'convoy/big-plan/0a1b2c3d/gt/toast/abcdef12',
      base_branch: 'convoy/big-plan/0a1b2c3d/head',
      target_branch: 'convoy/big-plan/0a1b2c3d/head',
      merge_strategy: 'direct',
    });
    expect(polecatCheckout({ ...base, convoy: { merge_mode: 'review-and-merge', feature_branch: null } }).branch).toBe('gt/toast/abcdef12');
  });

  it('follow-ups reuse the parent MR branch, target and PR', () => {
    const fc = { branch: 'gt/maple/99999999', target_branch: 'develop', pr_url: 'https://github.com/acme/app/pull/3' };
    expect(polecatCheckout({ ...base, bead: { id: BEAD, labels: ['gt:pr-feedback'], followup_context: fc } })).toEqual({
      branch: 'gt/maple/99999999',
      base_branch: 'develop',
      target_branch: 'develop',
      merge_strategy: 'pr',
      pr_url: 'https://github.com/acme/app/pull/3',
    });
    // Without a follow-up label, a followup_context branch is not a reason to reuse it.
    expect(polecatCheckout({ ...base, bead: { id: BEAD, labels: [], followup_context: fc } }).branch).toBe('gt/toast/abcdef12');
  });

  it('an evicted bead resumes on its saved WIP branch', () => {
    const fc = { eviction: { branch: 'gt/birch/abcdef12', commit_sha: 'abc1234' } };
    expect(polecatCheckout({ ...base, bead: { id: BEAD, labels: [], followup_context: fc } }).branch).toBe('gt/birch/abcdef12');
  });
});

describe('refineryCheckout', () => {
  it('reviews the MR branch into its target; convoy members merge direct', () => {
    expect(refineryCheckout({ branch: 'gt/toast/abcdef12', target_branch: 'main', pr_url: null }, 'main', 'pr')).toEqual({ branch: 'gt/toast/abcdef12', base_branch: 'main', target_branch: 'main', merge_strategy: 'pr' });
    expect(refineryCheckout({ branch: 'x', target_branch: 'convoy/p/0a1b2c3d/head', pr_url: null }, 'main', 'pr')?.merge_strategy).toBe('direct');
    expect(refineryCheckout({ branch: 'x', target_branch: null, pr_url: 'https://github.com/a/b/pull/1' }, 'main', 'pr')).toMatchObject({ target_branch: 'main', pr_url: 'https://github.com/a/b/pull/1' });
    expect(refineryCheckout({ branch: null, target_branch: 'main', pr_url: null }, 'main', 'pr')).toBeNull();
  });
});
