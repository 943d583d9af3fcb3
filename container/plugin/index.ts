/**
 * The gastown plugin (`tools.md`): kilo loads this file from `$XDG_CONFIG_HOME/kilo/plugins/gastown.ts`
 * (a symlink, `container.md` §6 item 2) inside each `kilo serve` child. The default export is
 * kilo's v1 plugin module `{id, server}`; `server` applies the role gate and registers the role's
 * tools, bound to one API client holding the agent token. A misconfigured env registers none.
 */
import type { PluginInput } from '@kilocode/plugin';
import { GastownApi } from './api-client.ts';
import { readAgentContext } from './context.ts';
import { toKiloTool } from './define-tool.ts';
import type { KiloToolDefinition } from './define-tool.ts';
import { toolsForRole } from './registry.ts';

/** The plugin id kilo requires of a path plugin. */
export const PLUGIN_ID = 'gastown';

/** Fixed settings of the plugin (`tools.md` §3). */
export const PLUGIN_SETTINGS = Object.freeze({ callTimeoutMs: 30_000 });

type LogLevel = 'info' | 'warn' | 'error';

/**
 * The hooks this plugin returns: kilo's `Hooks` restricted to `tool`. Declared here rather than
 * taken from `@kilocode/plugin` because that package types tool args with its own nested zod
 * (4.1), while the tools use the shared protocol schemas (root zod 4.6); at run time kilo only
 * reads the schemas' zod-4 internals, which both versions share.
 */
export interface GastownHooks {
  tool?: Record<string, KiloToolDefinition>;
}

/** kilo's v1 plugin module: a path plugin must export its `id`. */
export interface GastownPluginModule {
  id: string;
  server(input: PluginInput): Promise<GastownHooks>;
}

/** One JSON line on stderr (kilo keeps it in its output) and, best effort, kilo's app log. Never tokens. */
function logLine(input: PluginInput | null, level: LogLevel, msg: string, fields: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ level, msg, service: 'gastown-plugin', at: new Date().toISOString(), ...fields })}\n`);
  void input?.client.app
    .log({ body: { service: 'gastown-plugin', level, message: msg, extra: fields } })
    .catch(() => undefined);
}

/**
 * The hooks for the agent named by `env`: its role's tools, or none (logged as
 * `plugin.misconfigured {missing}`) when a variable is missing or the role is unknown.
 */
export function gastownHooks(env: Readonly<Record<string, string | undefined>>, input: PluginInput | null = null): GastownHooks {
  const gate = readAgentContext(env);
  if (!gate.ok) {
    logLine(input, 'error', 'plugin.misconfigured', { missing: gate.missing });
    return {};
  }
  const agent = gate.context;
  const api = new GastownApi(agent, { callTimeoutMs: PLUGIN_SETTINGS.callTimeoutMs });
  const tool: Record<string, KiloToolDefinition> = {};
  for (const t of toolsForRole(agent.role)) tool[t.id] = toKiloTool(t, { api, agent });
  logLine(input, 'info', 'plugin.loaded', { role: agent.role, agent_id: agent.agentId, tools: Object.keys(tool) });
  return { tool };
}

const plugin: GastownPluginModule = {
  id: PLUGIN_ID,
  server: async (input) => gastownHooks(process.env, input),
};

export default plugin;
