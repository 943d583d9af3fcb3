/**
 * What every role prompt shares (`tools.md` §6): it names only tools its role has (the spec
 * table of §4–5), it is deterministic (same input → same string), and custom instructions come
 * last under `## Custom instructions` (town first, then rig; blank or repeated ones dropped).
 */
import { describe, expect, it } from 'vitest';
import { mayorSystemPrompt } from '../../../src/prompts/mayor.ts';
import { polecatSystemPrompt } from '../../../src/prompts/polecat.ts';
import { refinerySystemPrompt } from '../../../src/prompts/refinery.ts';
import { withCustomInstructions } from '../../../src/prompts/custom-instructions.ts';
import type { CustomInstructions } from '../../../src/prompts/custom-instructions.ts';
import { polecatVariants, refineryVariants, RIGS } from './fixtures.ts';
import { SPEC_TOOLS, toolNamesIn } from './tool-table.ts';

type Build = (instructions: CustomInstructions) => string;

const builds: Array<{ name: string; role: keyof typeof SPEC_TOOLS; build: Build }> = [
  ...Object.entries(polecatVariants).map(([name, a]) => ({ name: `polecat ${name}`, role: 'polecat' as const, build: (i: CustomInstructions) => polecatSystemPrompt(a, i) })),
  ...Object.entries(refineryVariants).map(([name, a]) => ({ name: `refinery ${name}`, role: 'refinery' as const, build: (i: CustomInstructions) => refinerySystemPrompt(a, i) })),
  { name: 'mayor', role: 'mayor', build: (i: CustomInstructions) => mayorSystemPrompt(RIGS, i) },
];

describe('every role prompt', () => {
  for (const { name, role, build } of builds) {
    it(`${name}: names only ${role} tools from the spec table`, () => {
      const named = toolNamesIn(build(''));
      expect(named.length).toBeGreaterThan(0);
      expect(named.filter((tool) => !SPEC_TOOLS[role].includes(tool))).toEqual([]);
    });

    it(`${name}: is deterministic`, () => {
      expect(build('Use tabs.')).toBe(build('Use tabs.'));
    });

    it(`${name}: appends custom instructions last, under their heading`, () => {
      const without = build('');
      const withOne = build('  Use tabs.\n');
      expect(withOne).toBe(`${without}\n\n## Custom instructions\nUse tabs.`);
      expect(without).not.toContain('## Custom instructions');
      expect(build('   ')).toBe(without);
    });
  }

  it('the prompts together name the tools each role needs', () => {
    const polecat = Object.values(polecatVariants).map((a) => polecatSystemPrompt(a, '')).join('\n');
    for (const tool of ['gt_done', 'gt_checkpoint', 'gt_status', 'gt_escalate']) expect(polecat).toContain(tool);
    const refinery = Object.values(refineryVariants).map((a) => refinerySystemPrompt(a, '')).join('\n');
    for (const tool of ['gt_done', 'gt_request_changes', 'gt_escalate', 'gt_status']) expect(refinery).toContain(tool);
    const mayor = mayorSystemPrompt(RIGS, '');
    for (const tool of ['gt_sling', 'gt_sling_batch', 'gt_convoy_start', 'gt_list_convoys', 'gt_convoy_status', 'gt_bead_update', 'gt_ui_action']) expect(mayor).toContain(tool);
  });
});

describe('custom instructions', () => {
  it('appends town then rig instructions in order, dropping blank and repeated ones', () => {
    expect(withCustomInstructions('P', ['Town rule.', ' ', 'Rig rule.'])).toBe('P\n\n## Custom instructions\nTown rule.\n\nRig rule.');
    expect(withCustomInstructions('P', ['Same.', 'Same.'])).toBe('P\n\n## Custom instructions\nSame.');
    expect(withCustomInstructions('P', ['', '  '])).toBe('P');
    expect(withCustomInstructions('P', [])).toBe('P');
  });

  it('a list reaches the role prompts the same way', () => {
    const a = polecatVariants.direct;
    expect(polecatSystemPrompt(a, ['Town rule.', 'Rig rule.']).endsWith('## Custom instructions\nTown rule.\n\nRig rule.')).toBe(true);
  });
});
