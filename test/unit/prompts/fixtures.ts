/**
 * Shared inputs for the role-prompt tests: one assignment per prompt variant (polecat direct /
 * pr / each follow-up label; refinery direct / pr comments / pr rework / pr without a PR / convoy
 * member / landing), each built by the function that dispatch would feed.
 */
import type { Assignment } from '../../../src/prompts/assignment.ts';

export const PR_URL = 'https://github.com/acme/app/pull/7';

export const polecatBase: Assignment = {
  role: 'polecat',
  agent_id: '11111111-1111-4111-8111-111111111111',
  agent_name: 'Toast',
  rig_id: '22222222-2222-4222-8222-222222222222',
  bead_id: '33333333-3333-4333-8333-333333333333',
  bead_title: 'Add `docs/a.md`',
  labels: ['docs'],
  branch: 'gt/toast/33333333',
  target_branch: 'main',
  merge_strategy: 'pr',
  push_flags: ['--atomic', '--follow-tags'],
  gates: ['npm test', 'npm run lint -- --max-warnings=0'],
};

export const polecatVariants = {
  pr: polecatBase,
  direct: { ...polecatBase, merge_strategy: 'direct' },
  rework: { ...polecatBase, labels: ['gt:rework'], pr_url: PR_URL },
  reworkDirect: { ...polecatBase, labels: ['gt:rework'], merge_strategy: 'direct' },
  prConflict: { ...polecatBase, labels: ['gt:pr-conflict'], pr_url: PR_URL },
  prFeedback: { ...polecatBase, labels: ['gt:pr-feedback'], pr_url: PR_URL },
  prFixup: { ...polecatBase, labels: ['gt:pr-fixup'], pr_url: PR_URL },
} satisfies Record<string, Assignment>;

export const refineryBase: Assignment = {
  ...polecatBase,
  role: 'refinery',
  agent_name: 'refinery',
  bead_id: '44444444-4444-4444-8444-444444444444',
  labels: [],
  review_mode: 'comments',
};

const featureBranch = 'convoy/plan/0a1b2c3d/head';

export const refineryVariants = {
  direct: { ...refineryBase, merge_strategy: 'direct', review_mode: 'rework' },
  prComments: { ...refineryBase, review_mode: 'comments', pr_url: PR_URL },
  prRework: { ...refineryBase, review_mode: 'rework', pr_url: PR_URL },
  prWithoutPr: { ...refineryBase, review_mode: 'rework' },
  convoyMember: { ...refineryBase, merge_strategy: 'direct', review_mode: 'comments', branch: 'convoy/plan/0a1b2c3d/gt/toast/33333333', target_branch: featureBranch },
  landingDirect: { ...refineryBase, merge_strategy: 'direct', review_mode: 'rework', labels: ['gt:landing'], branch: featureBranch },
  landingPr: { ...refineryBase, review_mode: 'comments', labels: ['gt:landing'], branch: featureBranch, pr_url: PR_URL },
} satisfies Record<string, Assignment>;

export const RIGS = ['app', 'web'] as const;
