/**
 * The one place the process manager, the hot swap and the mayor prewarm build an agent env: it
 * binds `buildAgentEnv` (§6) to this process's paths, API URL, base env and local model, so a
 * prewarm and the next real start produce byte-identical `KILO_CONFIG_CONTENT` (seed 002).
 */
import type { ContainerConfig, StartAgentRequest } from '../../../src/protocol/control.ts';
import { buildAgentEnv } from '../env/build-agent-env.ts';
import type { AgentPaths, BuiltAgentEnv, ProviderResolution } from '../env/build-agent-env.ts';
import { needsLocalModel } from '../env/resolve-provider.ts';
import { errorText } from './worker-reports.ts';
import type { Logger } from '../redact.ts';
import type { KiloModelRef } from '../kilo/backend.ts';

/** The process-wide inputs of every env build. */
export interface EnvContext {
  paths: AgentPaths;
  /** `GASTOWN_API_URL` from the boot env; the live config's `api_url` when absent. */
  apiUrl: string | null;
  baseEnv: Readonly<Record<string, string | undefined>>;
  localModelAllowed: boolean;
  /** Starts the local model lazily and returns its origin; only called when the config needs it. */
  localModelUrl?: () => Promise<string>;
  log: Logger;
}

/** A build that failed because no provider row applies (`error_type: no_provider_key`). */
export type EnvBuildError = ProviderResolution & { ok: false };

/** Builds agent envs for this process. */
export class AgentEnvBuilder {
  readonly #ctx: EnvContext;
  constructor(ctx: EnvContext) {
    this.#ctx = ctx;
  }

  get paths(): AgentPaths {
    return this.#ctx.paths;
  }

  /** The env of `request` under the live config `live` (the request's own config is not read). */
  async build(request: StartAgentRequest, live: ContainerConfig): Promise<BuiltAgentEnv | { error: EnvBuildError }> {
    const { paths, baseEnv, localModelAllowed, log } = this.#ctx;
    const startLocalModel = this.#ctx.localModelUrl;
    let localModelUrl: string | null = null;
    if (startLocalModel !== undefined && needsLocalModel(live, localModelAllowed)) {
      try {
        localModelUrl = await startLocalModel();
      } catch (err) {
        return { error: { ok: false, error_type: 'no_provider_key', message: `the local model failed to start: ${errorText(err)}` } };
      }
    }
    return buildAgentEnv(request, live, paths, {
      localModelUrl,
      localModelAllowed,
      apiUrl: this.#ctx.apiUrl ?? live.api_url,
      baseEnv,
      log,
    });
  }
}

/** True when `result` is a build error. */
export function isBuildError(result: BuiltAgentEnv | { error: EnvBuildError }): result is { error: EnvBuildError } {
  return 'error' in result;
}

/** The `model` of a `KILO_CONFIG_CONTENT` as `{providerID, modelID}` (split at the first `/`), else undefined. */
export function modelRefOf(configContent: string, key: 'model' | 'small_model' = 'model'): KiloModelRef | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(configContent);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const model = (parsed as Record<string, unknown>)[key];
  if (typeof model !== 'string') return undefined;
  const slash = model.indexOf('/');
  if (slash <= 0 || slash === model.length - 1) return undefined;
  return { providerID: model.slice(0, slash), modelID: model.slice(slash + 1) };
}
