/**
 * The credential state of every rig this process touches (`container.md` §9.3): writes the rig's
 * credential store and those of its agents, and runs network git commands with the auth retry —
 * an auth failure calls `refresh-git-token` once, rewrites the rig's and its agents' credential
 * and token files, and retries once; a second failure throws the redacted stderr. A refreshed
 * token stands in for the config token it replaced until a config brings a different one.
 */
import type { ContainerConfig } from '../../../src/protocol/control.ts';
import { GitError } from '../git.ts';
import { agentCredDir, rigCredDir } from '../layout.ts';
import type { Logger, Redactor } from '../redact.ts';
import type { WorkerClient } from '../worker-client.ts';
import { configTokenFor, credentialHelperArgs, credentialStoreFile, credentialStoreText, writeCredentialStore, writeTokenFile } from './credentials.ts';
import type { GitHostKind } from './credentials.ts';
import { isAuthFailure, redactGitError, WorkspaceGitError } from './git-errors.ts';

/** A rig's remote as the credentials see it. */
export interface RigRemote {
  rigId: string;
  gitUrl: string;
  kind: GitHostKind;
  /** The token the request's (live) config carries for this host, or null. */
  configToken: string | null;
}

/** Collaborators of `RigCredentials`. */
export interface RigCredentialsOptions {
  root: string;
  /** Null without an API URL: an auth failure is then final. */
  worker: Pick<WorkerClient, 'refreshGitToken'> | null;
  redactor: Redactor;
  log: Logger;
}

/** Credential files and auth retry for every rig of this process. */
export class RigCredentials {
  readonly #opts: RigCredentialsOptions;
  /** rig id → the refreshed token and the config token it replaced. */
  readonly #refreshed = new Map<string, { token: string; replaced: string | null }>();
  /** rig id → its last known remote (for rewrites after a refresh or a config change). */
  readonly #remotes = new Map<string, RigRemote>();
  /** rig id → agents whose credential store follows the rig's token. */
  readonly #agents = new Map<string, Set<string>>();

  constructor(opts: RigCredentialsOptions) {
    this.#opts = opts;
  }

  /** The token git presents for `remote` now. */
  tokenFor(remote: RigRemote): string | null {
    const refreshed = this.#refreshed.get(remote.rigId);
    if (refreshed !== undefined && refreshed.replaced === remote.configToken) return refreshed.token;
    return remote.configToken;
  }

  /** `-c` args making git use only the rig's credential store. */
  helperArgs(rigId: string): string[] {
    return credentialHelperArgs(credentialStoreFile(rigCredDir(this.#opts.root, rigId)));
  }

  /** Writes the rig's credential store for `remote` and remembers the remote. */
  async writeRig(remote: RigRemote): Promise<void> {
    this.#remotes.set(remote.rigId, remote);
    this.#opts.redactor.addSecret(remote.configToken);
    await writeCredentialStore(rigCredDir(this.#opts.root, remote.rigId), credentialStoreText(remote.gitUrl, remote.kind, this.tokenFor(remote)));
  }

  /** Writes `agentId`'s credential store (its own `git push` uses it) and ties it to the rig's token. */
  async attachAgent(agentId: string, remote: RigRemote): Promise<void> {
    let agents = this.#agents.get(remote.rigId);
    if (agents === undefined) {
      agents = new Set();
      this.#agents.set(remote.rigId, agents);
    }
    agents.add(agentId);
    await writeCredentialStore(agentCredDir(this.#opts.root, agentId), credentialStoreText(remote.gitUrl, remote.kind, this.tokenFor(remote)));
  }

  /**
   * Runs a network git command (`run`) with the rig's credentials, retrying once after a token
   * refresh when it fails on auth. Every error thrown is a redacted `WorkspaceGitError`.
   */
  async withAuthRetry<T>(remote: RigRemote, label: string, run: () => Promise<T>): Promise<T> {
    const { redactor, log, worker } = this.#opts;
    await this.writeRig(remote);
    let first: GitError;
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof GitError) || remote.kind === 'local' || !isAuthFailure(err.stderr)) throw redactGitError(err, redactor, label);
      first = err;
    }
    const failed = redactGitError(first, redactor, label);
    if (worker === null) throw failed;
    let token: string;
    try {
      token = (await worker.refreshGitToken(remote.rigId)).token;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      log.warn('git.token_refresh_failed', { rig_id: remote.rigId, error: why });
      throw new WorkspaceGitError(redactor.redact(`${failed.message} (refresh-git-token failed: ${why})`), failed.stderr, { auth: true });
    }
    redactor.addSecret(token);
    this.#refreshed.set(remote.rigId, { token, replaced: remote.configToken });
    await this.#rewriteRig(remote);
    log.info('git.token_refreshed', { rig_id: remote.rigId, op: label });
    try {
      return await run();
    } catch (err) {
      throw redactGitError(err, redactor, `${label} (after a git token refresh)`);
    }
  }

  /** After a git-auth change (`/sync-config`): rewrites every known rig's and agent's credential store from `config`. */
  async rewriteForConfig(config: ContainerConfig): Promise<void> {
    for (const remote of [...this.#remotes.values()]) {
      const next: RigRemote = { ...remote, configToken: configTokenFor(remote.kind, config) };
      this.#remotes.set(remote.rigId, next);
      this.#opts.redactor.addSecret(next.configToken);
      await writeCredentialStore(rigCredDir(this.#opts.root, next.rigId), credentialStoreText(next.gitUrl, next.kind, this.tokenFor(next)));
      for (const agentId of this.#agents.get(next.rigId) ?? []) {
        await writeCredentialStore(agentCredDir(this.#opts.root, agentId), credentialStoreText(next.gitUrl, next.kind, this.tokenFor(next)));
      }
    }
  }

  /** The rig's and its agents' credential stores and wrapper token files, from the current token. */
  async #rewriteRig(remote: RigRemote): Promise<void> {
    const token = this.tokenFor(remote);
    const text = credentialStoreText(remote.gitUrl, remote.kind, token);
    await writeCredentialStore(rigCredDir(this.#opts.root, remote.rigId), text);
    for (const agentId of this.#agents.get(remote.rigId) ?? []) {
      const dir = agentCredDir(this.#opts.root, agentId);
      await writeCredentialStore(dir, text);
      await writeTokenFile(dir, remote.kind, token);
    }
  }
}
