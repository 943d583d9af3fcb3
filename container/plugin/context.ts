/**
 * The plugin's role gate (`tools.md` §1): who this `kilo serve` child works for, read once from the
 * env the control server spawned it with. A missing variable or an unknown role yields the list of
 * what is wrong, so the plugin registers no tools and the start fails at `tools_check`.
 */
import { AgentRole } from '../../src/protocol/common.ts';

/** The agent a plugin instance acts for; `rigId` is the town id for the mayor. */
export interface AgentContext {
  role: AgentRole;
  agentId: string;
  townId: string;
  rigId: string;
  /** `GASTOWN_API_URL` without a trailing slash. */
  apiUrl: string;
  /** The initial agent token; the API client keeps the current one. */
  token: string;
}

/** The variables the gate needs, in the order they are reported. */
export const REQUIRED_ENV = [
  'GASTOWN_AGENT_ROLE',
  'GASTOWN_AGENT_ID',
  'GASTOWN_TOWN_ID',
  'GASTOWN_RIG_ID',
  'GASTOWN_API_URL',
  'GASTOWN_AGENT_TOKEN',
] as const;

/** `{ok: true, context}`, or the names that are missing or invalid (an unknown role counts as missing). */
export type ContextResult = { ok: true; context: AgentContext } | { ok: false; missing: string[] };

/** Reads the agent context from `env` (the child's own env; never written). */
export function readAgentContext(env: Readonly<Record<string, string | undefined>>): ContextResult {
  const value = (name: (typeof REQUIRED_ENV)[number]): string => env[name]?.trim() ?? '';
  const missing: string[] = REQUIRED_ENV.filter((name) => value(name) === '');
  const role = AgentRole.safeParse(value('GASTOWN_AGENT_ROLE'));
  if (!role.success && !missing.includes('GASTOWN_AGENT_ROLE')) missing.unshift('GASTOWN_AGENT_ROLE');
  if (missing.length > 0 || !role.success) return { ok: false, missing };
  return {
    ok: true,
    context: {
      role: role.data,
      agentId: value('GASTOWN_AGENT_ID'),
      townId: value('GASTOWN_TOWN_ID'),
      rigId: value('GASTOWN_RIG_ID'),
      apiUrl: value('GASTOWN_API_URL').replace(/\/+$/, ''),
      token: value('GASTOWN_AGENT_TOKEN'),
    },
  };
}
