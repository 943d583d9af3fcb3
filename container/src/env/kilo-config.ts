/**
 * `KILO_CONFIG_CONTENT` (`container.md` §6 item 5): the kilo config of one agent as compact JSON
 * with a fixed key order, golden-tested. Byte-identical input gives byte-identical output, which
 * is what lets a prewarmed mayor server be reused by the next mayor start (seed 002).
 */
import type { AgentRole } from '../../../src/protocol/common.ts';
import type { ResolvedProvider } from './resolve-provider.ts';

/** What the config depends on: nothing else may change it. */
export interface KiloConfigInput {
  provider: ResolvedProvider;
  role: AgentRole;
  /** The role's model as the worker names it (`anthropic/claude-sonnet-4.6`); ignored by the local model. */
  model: string;
  smallModel: string;
}

/** The local model's model ids: one per role plus `title` for titles and summaries (§10); the local model serves these. */
export const LOCAL_MODEL_IDS = ['mayor', 'polecat', 'refinery', 'title'] as const;

interface ModelEntry {
  name: string;
  tool_call: true;
}

/** `{<m>: {name: m, tool_call: true}}` in the given order, duplicates once. */
function models(names: readonly string[]): Record<string, ModelEntry> {
  const out: Record<string, ModelEntry> = {};
  for (const name of names) out[name] ??= { name, tool_call: true };
  return out;
}

/** The `provider` entry and the two model references, per provider row. */
function providerPart(input: KiloConfigInput): { model: string; small_model: string; provider: Record<string, unknown> } {
  const p = input.provider;
  switch (p.kind) {
    case 'kilo': {
      const options: Record<string, string> = { apiKey: p.token, kilocodeToken: p.token };
      if (p.organizationId !== null) options.kilocodeOrganizationId = p.organizationId;
      return {
        model: `kilo/${input.model}`,
        small_model: `kilo/${input.smallModel}`,
        provider: { kilo: { options, models: models([input.model, input.smallModel]) } },
      };
    }
    case 'openai-compatible':
      return {
        model: `${p.id}/${input.model}`,
        small_model: `${p.id}/${input.smallModel}`,
        provider: {
          [p.id]: {
            npm: '@ai-sdk/openai-compatible',
            name: p.id,
            options: { baseURL: p.baseUrl, apiKey: p.apiKey },
            models: models([input.model, input.smallModel]),
          },
        },
      };
    case 'local':
      return {
        model: `local/${input.role}`,
        small_model: 'local/title',
        provider: {
          local: {
            npm: '@ai-sdk/openai-compatible',
            name: 'local',
            options: { baseURL: p.baseUrl, apiKey: 'local' },
            models: models(LOCAL_MODEL_IDS),
          },
        },
      };
  }
}

/**
 * The agent's kilo config as compact JSON, keys always in this order: `model`, `small_model`,
 * `provider`, `permission` (all `allow`), `autoupdate: false`, `share: "disabled"`.
 */
export function buildKiloConfig(input: KiloConfigInput): string {
  const part = providerPart(input);
  return JSON.stringify({
    model: part.model,
    small_model: part.small_model,
    provider: part.provider,
    permission: { edit: 'allow', bash: 'allow', webfetch: 'allow', doom_loop: 'allow', external_directory: 'allow' },
    autoupdate: false,
    share: 'disabled',
  });
}
