/**
 * The town settings form: every field of `TownConfig` (`domain.md` §8) with its label, section
 * and input kind. Secrets (provider token and key, git tokens, the GitHub CLI PAT, env var
 * values) are shown masked and sent only when replaced.
 */
import type { ConfigField } from './config-form.ts';

const YES_NO = { type: 'checkbox' } as const;
const MERGE_MODES = [
  { value: 'review-then-land', label: 'review then land (feature branch)' },
  { value: 'review-and-merge', label: 'review and merge each member' },
] as const;

export const TOWN_FIELDS: readonly ConfigField[] = [
  { section: 'Models', path: ['default_model'], label: 'Default model', help: 'provider/model, e.g. anthropic/claude-sonnet-4.6', input: { type: 'text', nullable: true } },
  { section: 'Models', path: ['small_model'], label: 'Small model', input: { type: 'text', nullable: true } },
  { section: 'Models', path: ['role_models', 'mayor'], label: 'Mayor model', help: 'Empty: the default model.', input: { type: 'text', nullable: true } },
  { section: 'Models', path: ['role_models', 'refinery'], label: 'Refinery model', help: 'Empty: the default model.', input: { type: 'text', nullable: true } },
  { section: 'Models', path: ['role_models', 'polecat'], label: 'Polecat model', help: 'Empty: the default model.', input: { type: 'text', nullable: true } },
  {
    section: 'Provider',
    path: ['provider', 'kind'],
    label: 'Model provider',
    help: 'None: the local model where it is allowed.',
    input: { type: 'select', options: [{ value: '', label: 'none (local model)' }, { value: 'kilo', label: 'Kilo gateway' }, { value: 'openai-compatible', label: 'OpenAI-compatible' }] },
  },
  { section: 'Provider', path: ['provider', 'token'], label: 'Kilo token', input: { type: 'secret' } },
  { section: 'Provider', path: ['provider', 'organization_id'], label: 'Kilo organization id', input: { type: 'text', nullable: true } },
  { section: 'Provider', path: ['provider', 'id'], label: 'Provider id', help: 'Lowercase letters, digits and dashes.', input: { type: 'text', nullable: true } },
  { section: 'Provider', path: ['provider', 'base_url'], label: 'Base URL', input: { type: 'text', nullable: true, placeholder: 'https://…' } },
  { section: 'Provider', path: ['provider', 'api_key'], label: 'API key', input: { type: 'secret' } },
  { section: 'Agents', path: ['max_polecats_per_rig'], label: 'Polecats per rig', help: '1–50; empty resets to 5.', input: { type: 'number', min: 1, max: 50 } },
  { section: 'Agents', path: ['max_dispatch_attempts'], label: 'Dispatch attempts', help: '1–10; empty resets to 5.', input: { type: 'number', min: 1, max: 10 } },
  { section: 'Agents', path: ['custom_instructions', 'mayor'], label: 'Mayor instructions', input: { type: 'textarea', nullable: false } },
  { section: 'Agents', path: ['custom_instructions', 'polecat'], label: 'Polecat instructions', input: { type: 'textarea', nullable: false } },
  { section: 'Agents', path: ['custom_instructions', 'refinery'], label: 'Refinery instructions', input: { type: 'textarea', nullable: false } },
  { section: 'Agents', path: ['env_vars'], label: 'Environment variables', help: 'KEY=value per line; values are secret and shown masked.', input: { type: 'env' } },
  {
    section: 'Merging',
    path: ['merge_strategy'],
    label: 'Merge strategy',
    input: { type: 'select', options: [{ value: '', label: 'per rig, from its git URL' }, { value: 'direct', label: 'direct' }, { value: 'pr', label: 'pull request' }] },
  },
  { section: 'Merging', path: ['refinery', 'code_review'], label: 'Code review', input: YES_NO },
  { section: 'Merging', path: ['refinery', 'review_mode'], label: 'Review mode', input: { type: 'select', options: [{ value: 'comments', label: 'comments' }, { value: 'rework', label: 'rework' }] } },
  { section: 'Merging', path: ['refinery', 'auto_merge'], label: 'Auto-merge', input: YES_NO },
  { section: 'Merging', path: ['refinery', 'auto_merge_delay_minutes'], label: 'Auto-merge delay (minutes)', help: '0–1440; empty: never auto-merge.', input: { type: 'number', min: 0, max: 1440 } },
  { section: 'Merging', path: ['refinery', 'auto_resolve_pr_feedback'], label: 'Resolve PR feedback', input: YES_NO },
  { section: 'Merging', path: ['refinery', 'auto_resolve_merge_conflicts'], label: 'Resolve merge conflicts', input: YES_NO },
  { section: 'Merging', path: ['refinery', 'gates'], label: 'Gates', help: 'One shell command per line (at most 10).', input: { type: 'lines', nullable: false } },
  { section: 'Convoys', path: ['staged_convoys_default'], label: 'Stage new convoys', input: YES_NO },
  { section: 'Convoys', path: ['convoy_merge_mode'], label: 'Convoy merge mode', input: { type: 'select', options: MERGE_MODES } },
  { section: 'Schedule', path: ['alarm', 'active_interval_seconds'], label: 'Active tick (seconds)', help: '2–60; empty resets to 5.', input: { type: 'number', min: 2, max: 60 } },
  { section: 'Schedule', path: ['alarm', 'idle_interval_seconds'], label: 'Idle tick (seconds)', help: '60–3600; empty resets to 300.', input: { type: 'number', min: 60, max: 3600 } },
  { section: 'Git', path: ['git_auth', 'github_token'], label: 'GitHub token', input: { type: 'secret' } },
  { section: 'Git', path: ['git_auth', 'gitlab_token'], label: 'GitLab token', input: { type: 'secret' } },
  { section: 'Git', path: ['git_auth', 'gitlab_instance_url'], label: 'GitLab instance URL', input: { type: 'text', nullable: true, placeholder: 'https://gitlab.example.com' } },
  { section: 'Git', path: ['git_auth', 'platform_integration_id'], label: 'Platform integration id', input: { type: 'text', nullable: true } },
  { section: 'Git', path: ['github_cli_pat'], label: 'GitHub CLI token', input: { type: 'secret' } },
  { section: 'Git', path: ['github_api_url'], label: 'GitHub API URL', help: 'GitHub Enterprise only; empty: api.github.com.', input: { type: 'text', nullable: true } },
  { section: 'Git', path: ['git_author_name'], label: 'Commit author name', input: { type: 'text', nullable: true } },
  { section: 'Git', path: ['git_author_email'], label: 'Commit author email', input: { type: 'text', nullable: true } },
  { section: 'Git', path: ['disable_ai_coauthor'], label: 'No AI co-author trailer', input: YES_NO },
];

/** Provider fields shown only for their provider kind. */
export function providerFieldVisible(key: string, kind: string): boolean {
  if (key === 'provider.token' || key === 'provider.organization_id') return kind === 'kilo';
  if (key === 'provider.id' || key === 'provider.base_url' || key === 'provider.api_key') return kind === 'openai-compatible';
  return true;
}
