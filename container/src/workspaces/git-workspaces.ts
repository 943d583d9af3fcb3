/**
 * The real `Workspaces` (`container.md` §9): every rig operation validates its inputs (ids, URL,
 * branches), resolves the live config, and runs under the rig lock with the rig's credentials —
 * clone/fetch, the role's worktree, the agent's credential store, WIP saves, `/repos/setup` and
 * the deterministic merge. The mayor's browse worktrees refresh in the background. It remembers
 * which agent owns which worktree (a live owner blocks a takeover) and each rig's push flags.
 */
import { mkdir } from 'node:fs/promises';
import type { ContainerConfig, GitMerge, ReposSetup, StartAgentRequest } from '../../../src/protocol/control.ts';
import { botIdentity } from '../env/build-agent-env.ts';
import type { Logger, Redactor } from '../redact.ts';
import { DEFAULT_TIMINGS } from '../timings.ts';
import type { Timings } from '../timings.ts';
import type { WorkerClient } from '../worker-client.ts';
import { gitRunner, townAuthor } from './context.ts';
import type { RigTarget, WorkspaceContext } from './context.ts';
import { configTokenFor, hostKindOf } from './credentials.ts';
import { redactGitError } from './git-errors.ts';
import { ensureMayorWorkspace, writeMayorAgentsMd } from './mayor-workspace.ts';
import { runMerge } from './merge.ts';
import type { MergeOutcome } from './merge.ts';
import { ensureRigRepo } from './rig-repo.ts';
import { RigCredentials } from './rig-credentials.ts';
import { RigLocks } from './rig-lock.ts';
import { checkBranch, checkGitUrl, checkPathId, mustPass, splitPushFlags, WorkspaceInputError } from './validation.ts';
import { saveWorktreeWip } from './wip.ts';
import type { WipSave } from './wip.ts';
import { polecatWorktreeFor, refineryWorktreeFor, refreshBrowseWorktree, WorktreeBusyError } from './worktrees.ts';
import type { WorktreeOwners } from './worktrees.ts';
import type { Workspaces } from './workspaces.ts';

/** Collaborators of `GitWorkspaces`. */
export interface GitWorkspacesOptions {
  /** `GASTOWN_DATA_ROOT`. */
  root: string;
  log: Logger;
  redactor: Redactor;
  /** `refresh-git-token` on an auth failure; null without an API URL. */
  worker: Pick<WorkerClient, 'refreshGitToken'> | null;
  timings?: Timings;
  /** The control server's env (read only): git gets `PATH`/`HOME`/`TMPDIR` from it. */
  baseEnv?: Readonly<Record<string, string | undefined>>;
  /** `GASTOWN_LOCAL_MODEL=allow`: `file://` rig URLs are accepted. */
  localAllowed?: boolean;
  /** Whether an agent is `starting`/`running` (the process manager knows); default: none is. */
  isAgentLive?: (agentId: string) => boolean;
  /** The live config for a request's config (the newer of the two); default: the request's. */
  resolveConfig?: (config: ContainerConfig) => ContainerConfig;
}

/** What a rig operation is about, before validation. */
interface RigInput {
  rigId: string;
  gitUrl: string;
  defaultBranch: string;
  config: ContainerConfig;
  provider?: 'github' | 'gitlab' | undefined;
  pushFlags?: readonly string[] | undefined;
}

/** Clones, worktrees, credentials, WIP saves and merges over real git. */
export class GitWorkspaces implements Workspaces {
  readonly #ctx: WorkspaceContext;
  readonly #resolveConfig: (config: ContainerConfig) => ContainerConfig;
  readonly #owners: WorktreeOwners;
  /** rig id → what the latest start told about its host and push flags (merges and setups carry neither). */
  readonly #rigHints = new Map<string, { provider?: 'github' | 'gitlab' | undefined; pushFlags?: readonly string[] | undefined }>();
  readonly #background = new Set<Promise<void>>();
  #mayorChain: Promise<unknown> = Promise.resolve();

  constructor(opts: GitWorkspacesOptions) {
    const timings = opts.timings ?? DEFAULT_TIMINGS;
    this.#ctx = {
      root: opts.root,
      timings,
      log: opts.log,
      redactor: opts.redactor,
      localAllowed: opts.localAllowed ?? false,
      creds: new RigCredentials({ root: opts.root, worker: opts.worker, redactor: opts.redactor, log: opts.log }),
      locks: new RigLocks(),
      ...gitRunner(timings, opts.baseEnv ?? process.env),
    };
    this.#resolveConfig = opts.resolveConfig ?? ((c) => c);
    const owners = new Map<string, string>();
    const isLive = opts.isAgentLive ?? (() => false);
    this.#owners = {
      ownerOf: (path) => owners.get(path),
      setOwner: (path, agentId) => void owners.set(path, agentId),
      forget: (path) => void owners.delete(path),
      isAgentLive: isLive,
    };
  }

  mayorWorkspace(signal: AbortSignal): Promise<string> {
    const run = this.#mayorChain.then(
      () => ensureMayorWorkspace(this.#ctx, this.#ctx.log, signal),
      () => ensureMayorWorkspace(this.#ctx, this.#ctx.log, signal),
    );
    this.#mayorChain = run.catch(() => undefined);
    return run;
  }

  async prepare(request: StartAgentRequest, signal: AbortSignal): Promise<{ workdir: string }> {
    if (request.role === 'mayor') {
      const dir = await this.mayorWorkspace(signal);
      if (request.system_prompt !== undefined) await writeMayorAgentsMd(dir, request.system_prompt);
      this.#refreshBrowse(request);
      return { workdir: dir };
    }
    const rig = request.rig;
    if (rig === undefined) throw new WorkspaceInputError(`a ${request.role} start needs rig`);
    mustPass(checkPathId('agent_id', request.agent_id));
    for (const [field, branch] of [
      ['rig.branch', rig.branch],
      ['rig.default_branch', rig.default_branch],
      ...(rig.base_branch === undefined ? [] : [['rig.base_branch', rig.base_branch] as const]),
    ] as const) {
      mustPass(checkBranch(field, branch));
    }
    const target = this.#target({ rigId: request.rig_id, gitUrl: rig.git_url, defaultBranch: rig.default_branch, config: request.config, provider: rig.scm?.provider, pushFlags: rig.git_push_flags });
    this.#rigHints.set(request.rig_id, { provider: rig.scm?.provider, pushFlags: rig.git_push_flags });
    await this.#checkRefFormat([rig.branch, rig.default_branch, ...(rig.base_branch === undefined ? [] : [rig.base_branch])], signal);
    return this.#guard('prepare', () =>
      this.#ctx.locks.withRigLock(
        request.rig_id,
        async () => {
          const repo = await ensureRigRepo(this.#ctx, target, signal);
          const workdir =
            request.role === 'polecat'
              ? await polecatWorktreeFor(this.#ctx, target, repo, { agentId: request.agent_id, branch: rig.branch, base: rig.base_branch ?? rig.default_branch }, this.#owners, signal)
              : await refineryWorktreeFor(this.#ctx, target, repo, { agentId: request.agent_id, branch: rig.branch }, this.#owners, signal);
          await this.#ctx.creds.attachAgent(request.agent_id, target);
          return { workdir };
        },
        signal,
      ),
    );
  }

  async saveWip(request: StartAgentRequest, workdir: string, signal: AbortSignal): Promise<WipSave | null> {
    const rig = request.rig;
    if (request.role === 'mayor' || rig === undefined) return null;
    const target = this.#target({ rigId: request.rig_id, gitUrl: rig.git_url, defaultBranch: rig.default_branch, config: request.config, provider: rig.scm?.provider, pushFlags: rig.git_push_flags });
    const config = this.#resolveConfig(request.config);
    const user = config.git_author_name !== undefined && config.git_author_email !== undefined;
    const author = user ? townAuthor(config) : botIdentity(request.name);
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(this.#ctx.timings.wipSaveTimeoutMs)]);
    return this.#guard('save WIP', () =>
      this.#ctx.locks.withRigLock(request.rig_id, () => saveWorktreeWip(this.#ctx, target, workdir, author, bounded, this.#ctx.timings.wipSaveTimeoutMs), bounded),
    );
  }

  async setupRepo(body: ReposSetup): Promise<void> {
    const hint = this.#rigHints.get(body.rig_id);
    const target = this.#target({ rigId: body.rig_id, gitUrl: body.git_url, defaultBranch: body.default_branch, config: body.config, provider: hint?.provider, pushFlags: hint?.pushFlags });
    const signal = new AbortController().signal;
    await this.#guard('repos setup', () =>
      this.#ctx.locks.withRigLock(body.rig_id, async () => {
        const repo = await ensureRigRepo(this.#ctx, target, signal);
        await refreshBrowseWorktree(this.#ctx, target, repo, signal);
      }),
    );
    this.#ctx.log.info('workspace.rig_ready', { rig_id: body.rig_id });
  }

  async merge(body: GitMerge): Promise<MergeOutcome> {
    let target: RigTarget;
    try {
      mustPass(checkPathId('request_id', body.request_id));
      mustPass(checkBranch('branch', body.branch));
      mustPass(checkBranch('target_branch', body.target_branch));
      const hint = this.#rigHints.get(body.rig_id);
      target = this.#target({ rigId: body.rig_id, gitUrl: body.git_url, defaultBranch: body.default_branch, config: body.config, provider: hint?.provider, pushFlags: hint?.pushFlags });
    } catch (err) {
      return { request_id: body.request_id, status: 'failed', message: this.#ctx.redactor.redact(err instanceof Error ? err.message : String(err)) };
    }
    const config = this.#resolveConfig(body.config);
    const job = { requestId: body.request_id, target, branch: body.branch, targetBranch: body.target_branch, author: townAuthor(config) };
    return this.#ctx.locks.withRigLock(body.rig_id, () => runMerge(this.#ctx, job, new AbortController().signal));
  }

  /** After a git-auth change (`/sync-config`): rewrites every rig's and agent's credential store. */
  rewriteCredentials(config: ContainerConfig): Promise<void> {
    return this.#ctx.creds.rewriteForConfig(config);
  }

  /** Resolves once every background job (browse refreshes) started so far has ended. */
  async settled(): Promise<void> {
    while (this.#background.size > 0) await Promise.all([...this.#background]);
  }

  /** Refreshes the mayor's browse worktree of every rig it names, in the background. */
  #refreshBrowse(request: StartAgentRequest): void {
    for (const rig of request.rigs ?? []) {
      const job = (async () => {
        const hint = this.#rigHints.get(rig.rig_id);
        const target = this.#target({ rigId: rig.rig_id, gitUrl: rig.git_url, defaultBranch: rig.default_branch, config: request.config, provider: hint?.provider, pushFlags: hint?.pushFlags });
        const signal = new AbortController().signal;
        await this.#ctx.locks.withRigLock(rig.rig_id, async () => {
          const repo = await ensureRigRepo(this.#ctx, target, signal);
          await refreshBrowseWorktree(this.#ctx, target, repo, signal);
        });
      })().catch((err: unknown) => {
        this.#ctx.log.warn('workspace.browse_failed', { rig_id: rig.rig_id, error: redactGitError(err, this.#ctx.redactor, 'browse').message });
      });
      this.#background.add(job);
      void job.finally(() => this.#background.delete(job));
    }
  }

  /** A validated rig target from the live config. Throws `WorkspaceInputError`. */
  #target(input: RigInput): RigTarget {
    mustPass(checkPathId('rig_id', input.rigId));
    mustPass(checkGitUrl(input.gitUrl, this.#ctx.localAllowed));
    mustPass(checkBranch('default_branch', input.defaultBranch));
    const config = this.#resolveConfig(input.config);
    const kind = hostKindOf(input.gitUrl, config, input.provider);
    const { accepted, refused } = splitPushFlags(input.pushFlags ?? []);
    if (refused.length > 0) this.#ctx.log.warn('workspace.push_flags_refused', { rig_id: input.rigId, flags: refused });
    return { rigId: input.rigId, gitUrl: input.gitUrl, defaultBranch: input.defaultBranch, kind, configToken: configTokenFor(kind, config), pushFlags: accepted };
  }

  /** `git check-ref-format --branch` for each name (the pure checks already ran). */
  async #checkRefFormat(branches: readonly string[], signal: AbortSignal): Promise<void> {
    await mkdir(this.#ctx.root, { recursive: true });
    for (const branch of branches) {
      if (!(await this.#ctx.probe(this.#ctx.root, ['check-ref-format', '--branch', branch], signal))) {
        throw new WorkspaceInputError(`branch ${JSON.stringify(branch)} is not a valid git branch name`);
      }
    }
  }

  /** Runs `fn`, turning anything but a refusal into a redacted `WorkspaceGitError`. */
  async #guard<T>(label: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WorkspaceInputError || err instanceof WorktreeBusyError) throw err;
      if (err instanceof Error && err.name === 'AbortError') throw err;
      throw redactGitError(err, this.#ctx.redactor, label);
    }
  }
}
