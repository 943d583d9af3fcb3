/**
 * Snapshot of every gastown tool's JSON Schema per role (`tools.md` intro, `style.md` rule 9), made
 * the way kilo makes it (`z.toJSONSchema(z.object(args), {io: "input"})`), so drift in a tool's
 * arguments or their descriptions shows in review. Also: every argument carries a description
 * for the model, and every schema converts (kilo refuses a plugin tool whose schema does not).
 */
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { gastownHooks } from '../../container/plugin/index.ts';
import type { KiloToolDefinition } from '../../container/plugin/define-tool.ts';
import { agentEnv } from './plugin-support/harness.ts';

const ROLES = ['polecat', 'refinery', 'mayor'] as const;

function toolsOf(role: string): Record<string, KiloToolDefinition> {
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return gastownHooks(agentEnv(role, 'http://127.0.0.1:9')).tool ?? {};
  } finally {
    spy.mockRestore();
  }
}

/** The JSON Schema the model sees for `tool`. */
function jsonSchemaOf(tool: KiloToolDefinition): Record<string, unknown> {
  return z.toJSONSchema(z.object(tool.args), { io: 'input' });
}

describe('tool JSON Schemas', () => {
  it.each(ROLES)('%s', (role) => {
    const tools = toolsOf(role);
    const schemas = Object.fromEntries(Object.entries(tools).map(([id, tool]) => [id, { description: tool.description, parameters: jsonSchemaOf(tool) }]));
    expect(schemas).toMatchSnapshot();
  });

  it('every argument of every tool is described for the model, and every tool too', () => {
    const undescribed: string[] = [];
    for (const role of ROLES) {
      for (const [id, tool] of Object.entries(toolsOf(role))) {
        if (tool.description.trim().length < 20) undescribed.push(id);
        const properties = jsonSchemaOf(tool).properties;
        const entries = properties !== null && typeof properties === 'object' ? Object.entries(properties) : [];
        for (const [arg, schema] of entries) {
          const description: unknown = schema !== null && typeof schema === 'object' ? Reflect.get(schema, 'description') : undefined;
          if (typeof description !== 'string' || description.trim() === '') undescribed.push(`${id}.${arg}`);
        }
      }
    }
    expect(undescribed).toEqual([]);
  });

  it('gt_checkpoint takes JSON text, and list filters take comma-separated text, as the model writes them', () => {
    const polecat = toolsOf('polecat');
    const mayor = toolsOf('mayor');
    const checkpoint = polecat.gt_checkpoint;
    const listBeads = mayor.gt_list_beads;
    if (checkpoint === undefined || listBeads === undefined) throw new Error('missing tools');
    expect(jsonSchemaOf(checkpoint)).toMatchObject({ properties: { data: { type: 'string' } }, required: ['data'] });
    expect(jsonSchemaOf(listBeads)).toMatchObject({ properties: { status: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 500 } } });
  });
});
