/**
 * The rig settings form: the rig's name and default branch, and its overrides of the town
 * config (the ¹ fields of `domain.md` §8 plus `git_push_flags`). An empty override inherits
 * the town's value. Paths are those of the `PATCH T/rigs/:rigId` body (`RigPatch`).
 */
import type { ConfigField } from './config-form.ts';

const INHERIT = { type: 'tristate' } as const;

export const RIG_FIELDS: readonly ConfigField[] = [
  { section: 'Rig', path: ['name'], label: 'Name', help: 'Letters, digits, dot, dash and underscore.', input: { type: 'text', nullable: false } },
  { section: 'Rig', path: ['default_branch'], label: 'Default branch', input: { type: 'text', nullable: false } },
  { section: 'Overrides', path: ['config', 'max_polecats_per_rig'], label: 'Polecats', help: '1–50; empty inherits.', input: { type: 'number', min: 1, max: 50 } },
  { section: 'Overrides', path: ['config', 'max_dispatch_attempts'], label: 'Dispatch attempts', help: '1–10; empty inherits.', input: { type: 'number', min: 1, max: 10 } },
  {
    section: 'Overrides',
    path: ['config', 'merge_strategy'],
    label: 'Merge strategy',
    input: { type: 'select', options: [{ value: '', label: 'inherit' }, { value: 'direct', label: 'direct' }, { value: 'pr', label: 'pull request' }] },
  },
  {
    section: 'Overrides',
    path: ['config', 'convoy_merge_mode'],
    label: 'Convoy merge mode',
    input: { type: 'select', options: [{ value: '', label: 'inherit' }, { value: 'review-then-land', label: 'review then land' }, { value: 'review-and-merge', label: 'review and merge' }] },
  },
  { section: 'Overrides', path: ['config', 'refinery', 'code_review'], label: 'Code review', input: INHERIT },
  {
    section: 'Overrides',
    path: ['config', 'refinery', 'review_mode'],
    label: 'Review mode',
    input: { type: 'select', options: [{ value: '', label: 'inherit' }, { value: 'comments', label: 'comments' }, { value: 'rework', label: 'rework' }] },
  },
  { section: 'Overrides', path: ['config', 'refinery', 'auto_merge'], label: 'Auto-merge', input: INHERIT },
  { section: 'Overrides', path: ['config', 'refinery', 'auto_resolve_pr_feedback'], label: 'Resolve PR feedback', input: INHERIT },
  { section: 'Overrides', path: ['config', 'refinery', 'auto_resolve_merge_conflicts'], label: 'Resolve merge conflicts', input: INHERIT },
  { section: 'Overrides', path: ['config', 'refinery', 'gates'], label: 'Gates', help: 'One shell command per line; empty inherits.', input: { type: 'lines', nullable: true } },
  { section: 'Overrides', path: ['config', 'custom_instructions', 'polecat'], label: 'Polecat instructions', help: 'Empty inherits.', input: { type: 'textarea', nullable: true } },
  { section: 'Overrides', path: ['config', 'custom_instructions', 'refinery'], label: 'Refinery instructions', help: 'Empty inherits.', input: { type: 'textarea', nullable: true } },
  { section: 'Overrides', path: ['config', 'git_push_flags'], label: 'Push flags', help: 'One flag per line (allow-listed; force and no-verify are refused).', input: { type: 'lines', nullable: true } },
];
