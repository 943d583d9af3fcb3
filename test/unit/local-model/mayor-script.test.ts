/**
 * The mayor's local-model script (`container.md` §10): startup → `Ready.`; a message →
 * `gt_list_rigs`, then `gt_sling` (one task) or `gt_sling_batch` (≥ 2 list lines, each task
 * depending on the previous), then `Slung: <ids>`; no rigs → `No rigs configured.`.
 */
import { describe, expect, it } from 'vitest';
import { mayorScript } from '../../../container/src/local-model/scripts/mayor.ts';
import { MAYOR_TOOLS, chat, textOf, toolCall } from './chat.ts';

const RIG_A = { id: 'aaaaaaaa-0000-4000-8000-000000000001', name: 'frontend' };
const RIG_B = { id: 'bbbbbbbb-0000-4000-8000-000000000002', name: 'backend' };
const BEAD_1 = 'c0ffee00-0000-4000-8000-000000000001';
const BEAD_2 = 'c0ffee00-0000-4000-8000-000000000002';
const BEAD_3 = 'c0ffee00-0000-4000-8000-000000000003';

const rigsResult = (rigs: unknown[]): string => JSON.stringify(rigs, null, 2);
const mayor = (user: string, turn: { name: string; args: Record<string, unknown>; result: string }[] = []) =>
  mayorScript(chat({ model: 'mayor', system: 'You are the mayor.', user, tools: MAYOR_TOOLS, turn }));

describe('mayor script', () => {
  it('answers the startup prompt with Ready. and calls no tool', () => {
    expect(textOf(mayor('Mayor ready.'))).toBe('Ready.');
    expect(textOf(mayor(''))).toBe('Ready.');
  });

  it('lists the rigs first for any other message', () => {
    expect(toolCall(mayor('Fix the login page'))).toEqual({ kind: 'tool', name: 'gt_list_rigs', args: {} });
  });

  it('slings one task on the first rig: first line as title, the message as body', () => {
    const message = 'Fix the login page\nIt crashes when the password is empty.';
    const reply = toolCall(mayor(message, [{ name: 'gt_list_rigs', args: {}, result: rigsResult([RIG_A, RIG_B]) }]));
    expect(reply.name).toBe('gt_sling');
    expect(reply.args).toEqual({ rig_id: RIG_A.id, title: 'Fix the login page', body: message });
  });

  it('picks the rig the message names', () => {
    const reply = toolCall(mayor('In backend: add a health route', [{ name: 'gt_list_rigs', args: {}, result: rigsResult([RIG_A, RIG_B]) }]));
    expect(reply.args.rig_id).toBe(RIG_B.id);
  });

  it('clips a long first line to 80 characters', () => {
    const line = `Refactor ${'x'.repeat(120)}`;
    const reply = toolCall(mayor(line, [{ name: 'gt_list_rigs', args: {}, result: rigsResult([RIG_A]) }]));
    expect(String(reply.args.title)).toHaveLength(80);
    expect(reply.args.body).toBe(line);
  });

  it('turns three list lines into a batch where each task depends on the previous', () => {
    const message = 'Build the profile page:\n- Add the `profile` table\n- Add the profile API\n- Add the profile UI';
    const reply = toolCall(mayor(message, [{ name: 'gt_list_rigs', args: {}, result: rigsResult([RIG_A]) }]));
    expect(reply.name).toBe('gt_sling_batch');
    expect(reply.args).toEqual({
      rig_id: RIG_A.id,
      title: 'Build the profile page:',
      tasks: [
        { title: 'Add the `profile` table', body: 'Add the `profile` table' },
        { title: 'Add the profile API', body: 'Add the profile API', depends_on: [0] },
        { title: 'Add the profile UI', body: 'Add the profile UI', depends_on: [1] },
      ],
    });
  });

  it('copies steering lines into every task body and keeps them out of titles', () => {
    const message = '1. First step\n2) Second step\ngt-local: delay_ms=5';
    const reply = toolCall(mayor(message, [{ name: 'gt_list_rigs', args: {}, result: rigsResult([RIG_A]) }]));
    const tasks = reply.args.tasks as { title: string; body: string }[];
    expect(reply.args.title).toBe('Batch: First step');
    expect(tasks.map((t) => t.title)).toEqual(['First step', 'Second step']);
    expect(tasks.map((t) => t.body)).toEqual(['First step\ngt-local: delay_ms=5', 'Second step\ngt-local: delay_ms=5']);
  });

  it('says No rigs configured. when the town has none', () => {
    expect(textOf(mayor('Fix it', [{ name: 'gt_list_rigs', args: {}, result: '[]' }]))).toBe('No rigs configured.');
  });

  it('reports a failed rig listing as text', () => {
    const text = textOf(mayor('Fix it', [{ name: 'gt_list_rigs', args: {}, result: 'Gastown API error (503 unavailable): try later' }]));
    expect(text).toContain('Could not list the rigs');
    expect(text).toContain('503 unavailable');
  });

  it('ends with Slung: and the bead id of a gt_sling', () => {
    const turn = [
      { name: 'gt_list_rigs', args: {}, result: rigsResult([RIG_A]) },
      { name: 'gt_sling', args: { rig_id: RIG_A.id, title: 'Fix it' }, result: JSON.stringify({ bead: { id: BEAD_1, title: 'Fix it' } }, null, 2) },
    ];
    expect(textOf(mayor('Fix it', turn))).toBe(`Slung: ${BEAD_1}`);
  });

  it('ends with Slung: and every bead id of a batch', () => {
    const result = JSON.stringify({ convoy: { id: 'dddddddd-0000-4000-8000-000000000009' }, beads: [{ id: BEAD_1 }, { id: BEAD_2 }, { id: BEAD_3 }] });
    const turn = [
      { name: 'gt_list_rigs', args: {}, result: rigsResult([RIG_A]) },
      { name: 'gt_sling_batch', args: {}, result },
    ];
    expect(textOf(mayor('- a\n- b\n- c', turn))).toBe(`Slung: ${BEAD_1}, ${BEAD_2}, ${BEAD_3}`);
  });

  it('reports a refused sling as text', () => {
    const turn = [
      { name: 'gt_list_rigs', args: {}, result: rigsResult([RIG_A]) },
      { name: 'gt_sling_batch', args: {}, result: 'Gastown API error (422 dependencies_required): Two or more tasks need an order' },
    ];
    expect(textOf(mayor('- a\n- b', turn))).toMatch(/^Sling failed: .*dependencies_required/);
  });

  it('starts over for each new user message (the step counts from the last one)', () => {
    const history = [
      { role: 'user', content: 'Fix it' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'old_1', type: 'function', function: { name: 'gt_list_rigs', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'old_1', content: rigsResult([RIG_A]) },
      { role: 'assistant', content: `Slung: ${BEAD_1}` },
    ];
    const conv = chat({ model: 'mayor', user: 'Now add docs', history, tools: MAYOR_TOOLS });
    expect(conv.step).toBe(0);
    expect(toolCall(mayorScript(conv)).name).toBe('gt_list_rigs');
  });
});
