/**
 * The `<gastown-assignment>` block (`tools.md` §6): the builder's output parses back to its
 * inputs, values stay on one line, and every rig-role prompt starts with the block; custom
 * instructions land under their heading.
 */
import { describe, expect, it } from 'vitest';
import { ASSIGNMENT_OPEN, buildAssignmentBlock, parseAssignmentBlock, type Assignment } from '../../../src/prompts/assignment.ts';
import { polecatSystemPrompt } from '../../../src/prompts/polecat.ts';
import { refinerySystemPrompt } from '../../../src/prompts/refinery.ts';
import { mayorSystemPrompt } from '../../../src/prompts/mayor.ts';

const polecat: Assignment = {
  role: 'polecat',
  agent_id: '11111111-1111-4111-8111-111111111111',
  agent_name: 'Toast',
  rig_id: '22222222-2222-4222-8222-222222222222',
  bead_id: '33333333-3333-4333-8333-333333333333',
  bead_title: 'Write `docs/a.md` with `hello`',
  labels: ['docs', 'gt:rework'],
  branch: 'gt/toast/33333333',
  target_branch: 'main',
  merge_strategy: 'pr',
  pr_url: 'https://github.com/acme/app/pull/7',
  push_flags: ['--atomic', '--follow-tags'],
  gates: ['npm test', 'npm run lint -- --max-warnings=0'],
};

describe('assignment block', () => {
  it('parses back to its inputs', () => {
    expect(parseAssignmentBlock(buildAssignmentBlock(polecat))).toEqual(polecat);
    const refinery: Assignment = { ...polecat, role: 'refinery', review_mode: 'comments', labels: [], push_flags: [], gates: [] };
    delete refinery.pr_url;
    expect(parseAssignmentBlock(buildAssignmentBlock(refinery))).toEqual(refinery);
  });

  it('keeps every value on one line and lists gates in order', () => {
    const block = buildAssignmentBlock({ ...polecat, bead_title: 'two\nlines\r\nhere' });
    expect(block).toContain('bead_title: two lines here');
    const lines = block.split('\n');
    expect(lines[0]).toBe(ASSIGNMENT_OPEN);
    expect(lines.filter((l) => l.startsWith('gate: '))).toEqual(['gate: npm test', 'gate: npm run lint -- --max-warnings=0']);
    expect(lines.filter((l) => l.startsWith('push_flags: '))).toEqual(['push_flags: --atomic --follow-tags']);
  });

  it('is absent or incomplete → null', () => {
    expect(parseAssignmentBlock('no block here')).toBeNull();
    expect(parseAssignmentBlock('<gastown-assignment>\nrole: polecat\n</gastown-assignment>')).toBeNull();
  });
});

describe('role prompts', () => {
  it('rig-role prompts start with the block that parses back', () => {
    for (const prompt of [polecatSystemPrompt(polecat, ''), refinerySystemPrompt({ ...polecat, role: 'refinery', review_mode: 'rework' }, '')]) {
      expect(prompt.startsWith(ASSIGNMENT_OPEN)).toBe(true);
      expect(parseAssignmentBlock(prompt)?.bead_id).toBe(polecat.bead_id);
    }
  });

  it('names the follow-up rule of its label and the finish of its strategy', () => {
    expect(polecatSystemPrompt(polecat, '')).toContain('gt:rework');
    const direct = polecatSystemPrompt({ ...polecat, labels: [], merge_strategy: 'direct' }, '');
    expect(direct).toContain('no PR and no merge');
  });

  it('appends custom instructions under their heading, and nothing when empty', () => {
    expect(polecatSystemPrompt(polecat, 'Use tabs.')).toMatch(/\n## Custom instructions\nUse tabs\.$/);
    expect(polecatSystemPrompt(polecat, '   ')).not.toContain('Custom instructions');
    const mayor = mayorSystemPrompt(['app', 'web'], 'Be brief.');
    expect(mayor).toContain('never write code');
    expect(mayor).toContain('Rigs: app, web.');
    expect(mayor).toMatch(/## Custom instructions\nBe brief\.$/);
  });
});
