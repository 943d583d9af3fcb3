/**
 * The live town config (`container.md` §2): the newest `ContainerConfig` any request carried.
 * A config replaces it only if its `version` is ≥ the current one; every env (re)build reads it,
 * so a key absent here is absent (revoked) in the next build (§6 item 7).
 */
import type { ContainerConfig } from '../../../src/protocol/control.ts';
import type { Redactor } from '../redact.ts';

/** What applying a config did. */
export interface ApplyResult {
  applied: boolean;
  /** The config before, when it was replaced. */
  previous: ContainerConfig | null;
}

/** Holder of the live config; one per process. */
export class LiveConfig {
  #current: ContainerConfig | null = null;

  /** The live config, or null before any request carried one. */
  get current(): ContainerConfig | null {
    return this.#current;
  }

  /** The live version (−1 before the first config). */
  get version(): number {
    return this.#current?.version ?? -1;
  }

  /** Replaces the live config when `config.version` ≥ the current version. */
  apply(config: ContainerConfig): ApplyResult {
    const previous = this.#current;
    if (previous !== null && config.version < previous.version) return { applied: false, previous: null };
    this.#current = config;
    return { applied: true, previous };
  }

  /** The live config after applying `config` (the newer of the two). */
  resolve(config: ContainerConfig): ContainerConfig {
    this.apply(config);
    return this.#current ?? config;
  }
}

/** True when the git credentials of two configs differ (tokens, instance URL or CLI PAT). */
export function gitAuthChanged(a: ContainerConfig | null, b: ContainerConfig): boolean {
  if (a === null) return true;
  return (
    a.git_auth.github_token !== b.git_auth.github_token ||
    a.git_auth.gitlab_token !== b.git_auth.gitlab_token ||
    a.git_auth.gitlab_instance_url !== b.git_auth.gitlab_instance_url ||
    a.github_cli_pat !== b.github_cli_pat
  );
}

/** Teaches the redactor every secret `config` carries (provider key, git tokens, custom values). */
export function learnConfigSecrets(redactor: Redactor, config: ContainerConfig): void {
  const p = config.provider;
  if (p?.kind === 'kilo') redactor.addSecret(p.token);
  if (p?.kind === 'openai-compatible') redactor.addSecret(p.api_key);
  redactor.addSecret(config.git_auth.github_token);
  redactor.addSecret(config.git_auth.gitlab_token);
  redactor.addSecret(config.github_cli_pat);
  for (const v of Object.values(config.env_vars)) redactor.addSecret(v);
}
