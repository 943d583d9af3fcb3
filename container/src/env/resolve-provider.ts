/**
 * Which model provider an agent start uses (`container.md` §6 item 5): the first row that
 * applies — the Kilo gateway, an OpenAI-compatible endpoint, or (no provider, local mode only)
 * the control server's local model — else the start fails with `no_provider_key`. Pure.
 */
import type { ContainerConfig } from '../../../src/protocol/control.ts';

/** The provider a start resolved to, with the values `buildKiloConfig` and the env need. */
export type ResolvedProvider =
  | { kind: 'kilo'; token: string; organizationId: string | null }
  | { kind: 'openai-compatible'; id: string; baseUrl: string; apiKey: string }
  | { kind: 'local'; baseUrl: string };

/** Whether a start can resolve a provider; `no_provider_key` fails the start (`phase: sdk_ready`). */
export type ProviderResolution = { ok: true } | { ok: false; error_type: 'no_provider_key'; message: string };

/** Options of the local-model row. `localModelUrl` is the origin the local model listens on, once started. */
export interface LocalModelOptions {
  localModelAllowed: boolean;
  localModelUrl: string | null;
}

/** True when `config` resolves to the local model, so the caller must start it before `buildAgentEnv`. */
export function needsLocalModel(config: ContainerConfig, localModelAllowed: boolean): boolean {
  return config.provider === null && localModelAllowed;
}

/** `http://127.0.0.1:<port>` (or a URL already ending in `/v1`) → the OpenAI base URL `…/v1`. */
export function localModelBaseUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}

/** The first provider row of `config` that applies (`container.md` §6 item 5). */
export function resolveProvider(
  config: ContainerConfig,
  local: LocalModelOptions,
): { ok: true; provider: ResolvedProvider } | (ProviderResolution & { ok: false }) {
  const p = config.provider;
  if (p !== null) {
    if (p.kind === 'kilo') {
      if (p.token === '') return noKey('the Kilo provider has no token');
      return { ok: true, provider: { kind: 'kilo', token: p.token, organizationId: p.organization_id ?? null } };
    }
    if (p.api_key === '') return noKey(`the provider ${p.id} has no API key`);
    return { ok: true, provider: { kind: 'openai-compatible', id: p.id, baseUrl: p.base_url, apiKey: p.api_key } };
  }
  if (!local.localModelAllowed) {
    return noKey('no model provider is configured for this town; set a Kilo token or an OpenAI-compatible provider');
  }
  if (local.localModelUrl === null) return noKey('the local model is allowed but not running');
  return { ok: true, provider: { kind: 'local', baseUrl: localModelBaseUrl(local.localModelUrl) } };
}

function noKey(message: string): ProviderResolution & { ok: false } {
  return { ok: false, error_type: 'no_provider_key', message };
}
