/**
 * Shared set-up of the plugin tests: a stub worker for one identity (a polecat, a refinery or the
 * mayor), the env the control server would spawn kilo with, the plugin's hooks built from it, a
 * tool lookup and captured stderr log lines.
 */
import { vi } from 'vitest';
import { gastownHooks } from '../../../container/plugin/index.ts';
import type { GastownHooks, HookOverrides } from '../../../container/plugin/index.ts';
import type { KiloToolDefinition } from '../../../container/plugin/define-tool.ts';
import { AGENT, MAYOR, RIG, TOWN } from '../fixtures.ts';
import { startStubApi } from './stub-api.ts';
import type { StubApi } from './stub-api.ts';

export type Role = 'polecat' | 'refinery' | 'mayor';

/** The token each test plugin starts with. */
export const START_TOKEN = 'agent-token-plugin-start-0001';

/** A tool call context (kilo passes more; the tools read `abort`). */
export const CALL = { abort: new AbortController().signal };

/** A running plugin against its stub. */
export interface PluginHarness {
  stub: StubApi;
  env: Record<string, string | undefined>;
  hooks: GastownHooks;
  /** The registered tool `id` (throws when absent). */
  tool(id: string): KiloToolDefinition;
  /** Parsed stderr lines written since the harness started. */
  logs(): Record<string, unknown>[];
  /** Everything written to stderr, raw. */
  stderr(): string;
  close(): Promise<void>;
}

/** The env of a `kilo serve` child for `role` against `apiUrl`. */
export function agentEnv(role: string, apiUrl: string, over: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const mayor = role === 'mayor';
  return {
    GASTOWN_AGENT_ROLE: role,
    GASTOWN_AGENT_ID: mayor ? MAYOR : AGENT,
    GASTOWN_TOWN_ID: TOWN,
    GASTOWN_RIG_ID: mayor ? TOWN : RIG,
    GASTOWN_API_URL: `${apiUrl}/`,
    GASTOWN_AGENT_TOKEN: START_TOKEN,
    ...over,
  };
}

/** Starts a stub for `role` and builds the plugin's hooks against it. */
export async function startPlugin(role: Role, opts: { env?: Record<string, string | undefined>; overrides?: HookOverrides } = {}): Promise<PluginHarness> {
  const mayor = role === 'mayor';
  const stub = await startStubApi({ townId: TOWN, rigId: mayor ? TOWN : RIG, agentId: mayor ? MAYOR : AGENT, token: START_TOKEN });
  const written: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const env = agentEnv(role, stub.url, opts.env);
  const hooks = gastownHooks(env, null, opts.overrides);
  return {
    stub,
    env,
    hooks,
    tool(id) {
      const t = hooks.tool?.[id];
      if (t === undefined) throw new Error(`no tool ${id} for ${role}`);
      return t;
    },
    logs: () => written.flatMap((l) => l.split('\n').filter((s) => s.trim() !== '').map((s) => JSON.parse(s) as Record<string, unknown>)),
    stderr: () => written.join(''),
    async close() {
      spy.mockRestore();
      await stub.close();
    },
  };
}
