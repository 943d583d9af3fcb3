/**
 * The gastown plugin (`tools.md`): kilo loads this file from `$XDG_CONFIG_HOME/kilo/plugins/gastown.ts`
 * (a symlink, `container.md` §6 item 2) inside each `kilo serve` child. The default export is
 * kilo's v1 plugin module `{id, server}`; `server` applies the role gate and returns the role's
 * tools and context hooks, all bound to one API client holding the agent token. A misconfigured
 * env returns no hooks at all.
 */
import type { PluginInput } from '@kilocode/plugin';
import { GastownApi } from './api-client.ts';
import { readAgentContext } from './context.ts';
import type { AgentContext } from './context.ts';
import { toKiloTool } from './define-tool.ts';
import type { KiloToolDefinition } from './define-tool.ts';
import { dashboardContextHook } from './hooks/dashboard-context.ts';
import { PrimeInjector } from './hooks/prime-injection.ts';
import type { ContextHooks } from './hooks/types.ts';
import { createPluginLog } from './log.ts';
import type { PluginLog } from './log.ts';
import { PrimeSource } from './prime-source.ts';
import { toolsForRole } from './registry.ts';
import { PLUGIN_SETTINGS } from './settings.ts';
import type { PluginSettings } from './settings.ts';

export { PLUGIN_SETTINGS } from './settings.ts';

/** The plugin id kilo requires of a path plugin. */
export const PLUGIN_ID = 'gastown';

/** The env variable naming the mayor's dashboard snapshot file (`container.md` §6 item 1). */
export const DASHBOARD_CONTEXT_FILE_ENV = 'GASTOWN_DASHBOARD_CONTEXT_FILE';

/**
 * The hooks this plugin returns. Tools are typed here rather than with `@kilocode/plugin`'s
 * `ToolDefinition` because that package types args with its own nested zod (4.1) while the tools
 * use the shared protocol schemas (root zod 4.6); at run time kilo only reads the schemas' zod-4
 * internals, which both versions share. The context hooks are checked against kilo's types.
 */
export interface GastownHooks extends ContextHooks {
  tool?: Record<string, KiloToolDefinition>;
}

/** kilo's v1 plugin module: a path plugin must export its `id`. */
export interface GastownPluginModule {
  id: string;
  server(input: PluginInput): Promise<GastownHooks>;
}

/** What tests replace; production uses the defaults. */
export interface HookOverrides {
  settings?: Partial<PluginSettings>;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * The hooks for the agent named by `env` (the child's own `process.env` in production; a renewed
 * agent token is written back to `env.GASTOWN_AGENT_TOKEN`), or none, logged as
 * `plugin.misconfigured {missing}`, when a variable is missing or the role is unknown.
 */
export function gastownHooks(env: Record<string, string | undefined>, input: PluginInput | null = null, overrides: HookOverrides = {}): GastownHooks {
  const log = createPluginLog(input);
  const gate = readAgentContext(env);
  if (!gate.ok) {
    log('error', 'plugin.misconfigured', { missing: gate.missing });
    return {};
  }
  const agent = gate.context;
  const settings: PluginSettings = { ...PLUGIN_SETTINGS, ...overrides.settings };
  const api = new GastownApi(agent, {
    callTimeoutMs: settings.callTimeoutMs,
    ...(overrides.fetch === undefined ? {} : { fetch: overrides.fetch }),
    onTokenRenewed: (token) => {
      env.GASTOWN_AGENT_TOKEN = token;
      log('info', 'token.renewed', { agent_id: agent.agentId });
    },
  });
  const prime = new PrimeSource(api);
  const tool: Record<string, KiloToolDefinition> = {};
  for (const t of toolsForRole(agent.role)) tool[t.id] = toKiloTool(t, { api, agent, prime, log });
  const hooks: GastownHooks = { tool, ...contextHooks(agent, env, prime, settings, overrides.now ?? Date.now, log) };
  log('info', 'plugin.loaded', { role: agent.role, agent_id: agent.agentId, tools: Object.keys(tool), hooks: Object.keys(hooks).filter((k) => k !== 'tool') });
  return hooks;
}

/** Rig roles: prime injection and re-prime at compaction. Mayor: the dashboard block when a file is configured. */
function contextHooks(agent: AgentContext, env: Readonly<Record<string, string | undefined>>, prime: PrimeSource, settings: PluginSettings, now: () => number, log: PluginLog): ContextHooks {
  if (agent.role === 'mayor') {
    const file = env[DASHBOARD_CONTEXT_FILE_ENV]?.trim() ?? '';
    if (file === '') return {};
    return { 'experimental.chat.system.transform': dashboardContextHook({ file, breadcrumbs: settings.dashboardBreadcrumbs, now, log }) };
  }
  const injector = new PrimeInjector(prime, log);
  return { 'experimental.chat.system.transform': injector.transform, 'experimental.session.compacting': injector.compacting };
}

const plugin: GastownPluginModule = {
  id: PLUGIN_ID,
  server: async (input) => gastownHooks(process.env, input),
};

export default plugin;
