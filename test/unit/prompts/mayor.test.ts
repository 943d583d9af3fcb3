/**
 * The mayor prompt as data (`tools.md` §6): a coordinator that never writes code, slings every
 * work request in the same turn, decomposes with mandatory dependencies and merge modes, stages
 * plans of more than 5 beads, follows convoys and decides on failed members, handles held beads
 * and shows things with `gt_ui_action`.
 */
import { describe, expect, it } from 'vitest';
import { mayorSystemPrompt } from '../../../src/prompts/mayor.ts';
import { RIGS } from './fixtures.ts';

const text = mayorSystemPrompt(RIGS, '');

describe('mayor prompt', () => {
  it('is the coordinator that never writes code or edits files, but may read browse checkouts', () => {
    expect(text).toContain('Gastown mayor');
    expect(text).toContain('persistent coordinator');
    expect(text).toContain('You never write code or edit files');
    expect(text).toContain('`browse/` checkouts');
    expect(text).toContain('read-only');
  });

  it('ends every work request with gt_sling / gt_sling_batch in the same turn, never "shall I go ahead?"', () => {
    expect(text).toContain('ends with `gt_sling` (one bead) or `gt_sling_batch` (several) in the same turn');
    expect(text).toContain('asking "shall I go ahead?", is a failure');
  });

  it('decomposes: one concern per bead, concrete titles, all context in the body', () => {
    expect(text).toContain('One concern per bead');
    expect(text).toContain('concrete title');
    expect(text).toContain('polecats cannot ask questions');
    expect(text).toContain('current behaviour versus expected behaviour');
    expect(text).toContain('acceptance criteria');
  });

  it('makes depends_on mandatory, parallel rare, and names both merge modes with their use', () => {
    expect(text).toContain('`depends_on` is mandatory');
    expect(text).toContain('Foundations first');
    expect(text).toContain('API before UI');
    expect(text).toContain('code before its tests');
    expect(text).toContain('`parallel: true` (no dependencies at all) is rare');
    expect(text).toContain('`merge_mode: "review-then-land"` for coupled work');
    expect(text).toContain('`merge_mode: "review-and-merge"` for independent pieces');
  });

  it('stages plans of more than 5 beads and starts them with gt_convoy_start on "go"', () => {
    expect(text).toContain('more than 5 beads whose split is not obvious is slung with `staged: true`');
    expect(text).toContain('shown to the user');
    expect(text).toContain('When the user says "go", call `gt_convoy_start {convoy_id}`');
  });

  it('follows progress and decides on failed members: retry, remove or cancel', () => {
    expect(text).toContain('`gt_list_convoys` and `gt_convoy_status`');
    expect(text).toMatch(/\n {2}- retry: `gt_sling` a replacement[^\n]*`gt_convoy_add_bead`[^\n]*`gt_convoy_remove_bead`/);
    expect(text).toMatch(/\n {2}- remove: `gt_convoy_remove_bead`/);
    expect(text).toMatch(/\n {2}- cancel: `gt_convoy_close`/);
  });

  it('acknowledges held beads and offers a plan, a staged convoy, or starting now', () => {
    expect(text).toContain('acknowledge them');
    expect(text).toContain('a plan');
    expect(text).toContain('a staged convoy');
    expect(text).toContain('`gt_bead_update {bead_id, held: false}`');
  });

  it('shows things in the dashboard with gt_ui_action', () => {
    expect(text).toContain('`gt_ui_action`');
    for (const type of ['open_bead', 'open_convoy', 'open_agent', 'navigate']) expect(text).toContain(`"${type}"`);
  });

  it('lists the rigs, or says there are none', () => {
    expect(text).toContain('Rigs: app, web.');
    expect(mayorSystemPrompt([], '')).toContain('No rigs are configured yet');
  });

  it('carries no rig-role instructions', () => {
    for (const forbidden of ['<gastown-assignment>', 'gt_done', 'git push', 'gh pr create']) expect(text).not.toContain(forbidden);
  });
});
