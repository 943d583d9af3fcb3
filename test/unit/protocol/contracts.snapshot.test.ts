/**
 * Contract snapshot: the JSON Schema (input side) of every zod schema exported from
 * `src/protocol/`, one snapshot per `<module>.<export>`, so any drift in a wire contract shows in
 * review (`style.md` rule 9). Run by `npm test` (vitest project `unit`).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as agent from '../../../src/protocol/agent.ts';
import * as api from '../../../src/protocol/api.ts';
import * as common from '../../../src/protocol/common.ts';
import * as config from '../../../src/protocol/config.ts';
import * as container from '../../../src/protocol/container.ts';
import * as control from '../../../src/protocol/control.ts';
import * as debug from '../../../src/protocol/debug.ts';
import * as events from '../../../src/protocol/events.ts';
import * as live from '../../../src/protocol/live.ts';
import * as scm from '../../../src/protocol/scm.ts';
import * as tools from '../../../src/protocol/tools.ts';

const MODULES: Record<string, Record<string, unknown>> = {
  common,
  api,
  config,
  agent,
  container,
  control,
  live,
  events,
  debug,
  scm,
  tools,
};

/** Every exported zod schema, named `<module>.<export>`, in a stable order. */
function collectSchemas(): Array<[string, z.ZodType]> {
  const out: Array<[string, z.ZodType]> = [];
  for (const [moduleName, ns] of Object.entries(MODULES)) {
    for (const exportName of Object.keys(ns).sort()) {
      const value = ns[exportName];
      if (value instanceof z.ZodType) out.push([`${moduleName}.${exportName}`, value]);
    }
  }
  return out;
}

const schemas = collectSchemas();

describe('protocol contracts', () => {
  it('collects the exported schemas of every module', () => {
    // A floor, so a broken collection cannot silently snapshot nothing.
    expect(schemas.length).toBeGreaterThan(150);
    const modulesSeen = new Set(schemas.map(([name]) => name.split('.')[0]));
    expect([...modulesSeen].sort()).toEqual(Object.keys(MODULES).sort());
  });

  it.each(schemas)('%s', (_name, schema) => {
    expect(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })).toMatchSnapshot();
  });
});
