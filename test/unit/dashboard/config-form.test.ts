/**
 * The settings forms' core: config → form values, form edits → the merge patch (only changed
 * fields, null resets, secrets sent only when replaced or cleared, env var masks kept, provider
 * kind switches), the shared schemas accepting what it builds, and issues placed on fields.
 */
import { describe, expect, it } from 'vitest';
import { RigPatch } from '../../../src/protocol/api.ts';
import { TownConfigPatch, type TownConfig } from '../../../src/protocol/config.ts';
import { errorsFor, parseEnvLines, toForm, toPatch, type FormState } from '../../../src/dashboard/client/settings/config-form.ts';
import { RIG_FIELDS } from '../../../src/dashboard/client/settings/rig-fields.ts';
import { TOWN_FIELDS, providerFieldVisible } from '../../../src/dashboard/client/settings/town-fields.ts';

const MASKED: TownConfig = {
  default_model: 'anthropic/claude-sonnet-4.6',
  small_model: 'anthropic/claude-haiku-4.5',
  role_models: { mayor: null, refinery: null, polecat: null },
  max_polecats_per_rig: 5,
  max_dispatch_attempts: 5,
  merge_strategy: null,
  refinery: { code_review: true, auto_merge: true, auto_resolve_pr_feedback: true, auto_resolve_merge_conflicts: true, review_mode: 'comments', auto_merge_delay_minutes: 5, gates: ['npm test'] },
  staged_convoys_default: false,
  convoy_merge_mode: 'review-then-land',
  alarm: { active_interval_seconds: 5, idle_interval_seconds: 300 },
  custom_instructions: { mayor: '', polecat: '', refinery: '' },
  provider: { kind: 'kilo', token: '****wxyz' },
  env_vars: { API_KEY: '****1234', MODE: '****' },
  git_auth: { github_token: '****abcd' },
  github_cli_pat: null,
  github_api_url: null,
  git_author_name: null,
  git_author_email: null,
  disable_ai_coauthor: false,
};

function edit(base: FormState, changes: FormState): FormState {
  return { ...base, ...changes };
}

describe('toForm', () => {
  it('shows values as text and checkboxes, and never puts a secret in an input', () => {
    const form = toForm(TOWN_FIELDS, MASKED);
    expect(form.max_polecats_per_rig).toBe('5');
    expect(form['refinery.code_review']).toBe(true);
    expect(form['refinery.gates']).toBe('npm test');
    expect(form.merge_strategy).toBe('');
    expect(form['provider.kind']).toBe('kilo');
    expect(form['provider.token']).toBe('');
    expect(form['git_auth.github_token']).toBe('');
    expect(form.env_vars).toBe('API_KEY=****1234\nMODE=****');
  });
});

describe('toPatch', () => {
  const before = toForm(TOWN_FIELDS, MASKED);

  it('is empty when nothing changed (masked secrets are not echoed)', () => {
    expect(toPatch(TOWN_FIELDS, before, { ...before })).toEqual({ ok: true, patch: {} });
  });

  it('sends only changed fields, nested where they live', () => {
    const after = edit(before, { max_polecats_per_rig: '8', 'refinery.auto_merge': false, 'alarm.idle_interval_seconds': '', 'refinery.gates': 'npm test\n\nnpm run lint\n' });
    const result = toPatch(TOWN_FIELDS, before, after);
    expect(result).toEqual({ ok: true, patch: { max_polecats_per_rig: 8, refinery: { auto_merge: false, gates: ['npm test', 'npm run lint'] }, alarm: { idle_interval_seconds: null } } });
    if (result.ok) expect(TownConfigPatch.safeParse(result.patch).success).toBe(true);
  });

  it('reports text that is not a number on its field', () => {
    expect(toPatch(TOWN_FIELDS, before, edit(before, { max_dispatch_attempts: 'three' }))).toEqual({ ok: false, errors: { max_dispatch_attempts: 'Enter a whole number.' } });
  });

  it('sends a secret only when replaced or cleared', () => {
    expect(toPatch(TOWN_FIELDS, before, edit(before, { 'git_auth.github_token': ' ghp_new ' }))).toEqual({ ok: true, patch: { git_auth: { github_token: 'ghp_new' } } });
    expect(toPatch(TOWN_FIELDS, before, edit(before, { 'git_auth.github_token:clear': true }))).toEqual({ ok: true, patch: { git_auth: { github_token: null } } });
  });

  it('keeps masked env values, sends new ones and nulls removed keys', () => {
    const after = edit(before, { env_vars: 'API_KEY=****1234\nNEW_VAR=hello' });
    expect(toPatch(TOWN_FIELDS, before, after)).toEqual({ ok: true, patch: { env_vars: { MODE: null, NEW_VAR: 'hello' } } });
    expect(toPatch(TOWN_FIELDS, before, edit(before, { env_vars: 'JUST_A_NAME' }))).toEqual({ ok: false, errors: { env_vars: 'Each line must be KEY=value.' } });
  });

  it('switching provider kind nulls the other kind’s keys; none sends provider: null', () => {
    const switched = toPatch(TOWN_FIELDS, before, edit(before, { 'provider.kind': 'openai-compatible', 'provider.id': 'acme', 'provider.base_url': 'https://llm.example.com/v1', 'provider.api_key': 'sk-1' }));
    expect(switched).toEqual({
      ok: true,
      patch: { provider: { kind: 'openai-compatible', id: 'acme', base_url: 'https://llm.example.com/v1', api_key: 'sk-1', token: null, organization_id: null } },
    });
    if (switched.ok) expect(TownConfigPatch.safeParse(switched.patch).success).toBe(true);
    expect(toPatch(TOWN_FIELDS, before, edit(before, { 'provider.kind': '' }))).toEqual({ ok: true, patch: { provider: null } });
  });

  it('builds rig patches the RigPatch schema accepts, with empty overrides inheriting', () => {
    const stored = { name: 'web', default_branch: 'main', config: { max_polecats_per_rig: 3, refinery: { code_review: false } } };
    const rigBefore = toForm(RIG_FIELDS, stored);
    expect(rigBefore['config.refinery.code_review']).toBe('false');
    expect(rigBefore['config.refinery.auto_merge']).toBe('');
    const result = toPatch(RIG_FIELDS, rigBefore, edit(rigBefore, { 'config.max_polecats_per_rig': '', 'config.refinery.code_review': '', 'config.refinery.auto_merge': 'true', name: 'web-app' }));
    expect(result).toEqual({ ok: true, patch: { name: 'web-app', config: { max_polecats_per_rig: null, refinery: { code_review: null, auto_merge: true } } } });
    if (result.ok) expect(RigPatch.safeParse(result.patch).success).toBe(true);
  });
});

describe('errorsFor', () => {
  it('puts each issue on the field with the longest matching path, the rest on the form', () => {
    const issues = [
      { path: ['max_polecats_per_rig'], message: 'Too big: expected number to be <=50' },
      { path: ['refinery', 'gates', 3], message: 'Too long' },
      { path: ['env_vars', 'HOME'], message: 'HOME is reserved by the container' },
      { path: ['nonsense'], message: 'Unrecognized key' },
    ];
    expect(errorsFor(TOWN_FIELDS, issues)).toEqual({
      max_polecats_per_rig: 'Too big: expected number to be <=50',
      'refinery.gates': 'Too long',
      env_vars: 'HOME is reserved by the container',
      '': 'nonsense: Unrecognized key',
    });
  });

  it('maps a schema failure of a built patch onto the field', () => {
    const before = toForm(TOWN_FIELDS, MASKED);
    const result = toPatch(TOWN_FIELDS, before, edit(before, { max_polecats_per_rig: '500' }));
    if (!result.ok) throw new Error('expected a patch');
    const parsed = TownConfigPatch.safeParse(result.patch);
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    const errors = errorsFor(TOWN_FIELDS, parsed.error.issues.map((i) => ({ path: i.path.filter((p) => typeof p !== 'symbol'), message: i.message })));
    expect(Object.keys(errors)).toEqual(['max_polecats_per_rig']);
  });
});

describe('helpers', () => {
  it('parses env lines, keeping = in values', () => {
    expect(parseEnvLines('A=1\n\n B = x=y ')).toEqual(new Map([['A', '1'], ['B', ' x=y']]));
    expect(parseEnvLines('=1')).toBeNull();
  });

  it('shows provider fields for their kind only', () => {
    expect(providerFieldVisible('provider.token', 'kilo')).toBe(true);
    expect(providerFieldVisible('provider.token', 'openai-compatible')).toBe(false);
    expect(providerFieldVisible('provider.api_key', '')).toBe(false);
    expect(providerFieldVisible('default_model', '')).toBe(true);
  });
});
