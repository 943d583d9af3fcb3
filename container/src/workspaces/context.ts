/**
 * What the workspace modules share (`container.md` §9): the data root, timings, logger and
 * redactor, the rig locks and credentials, and a git runner bound to the control server's base
 * env. Also `RigTarget` (a rig's remote plus its default branch and push flags) and the identity
 * arguments of the system's own commits (hooks off, no signing).
 */
import { gitSucceeds, runGit } from '../git.ts';
import type { Logger, Redactor } from '../redact.ts';
import type { Timings } from '../timings.ts';
import type { RigCredentials, RigRemote } from './rig-credentials.ts';
import type { RigLocks } from './rig-lock.ts';

/** A rig's remote, default branch and the push flags every push of it carries. */
export interface RigTarget extends RigRemote {
  defaultBranch: string;
  pushFlags: readonly string[];
}

/** Options of one git call. */
export interface GitCallOptions {
  /** From `timings` (e.g. the WIP push bound); default `timings.gitTimeoutMs`. */
  timeoutMs?: number;
  /** Added to the git child's env (e.g. fixed commit dates). */
  extraEnv?: Record<string, string>;
}

/** The shared state of the workspace modules. */
export interface WorkspaceContext {
  readonly root: string;
  readonly timings: Timings;
  readonly log: Logger;
  readonly redactor: Redactor;
  /** `GASTOWN_LOCAL_MODEL=allow`: `file://` rig URLs are accepted. */
  readonly localAllowed: boolean;
  readonly creds: RigCredentials;
  readonly locks: RigLocks;
  /** `git args…` in `cwd`; stdout, or a `GitError`. */
  git(cwd: string, args: readonly string[], signal: AbortSignal, opts?: GitCallOptions): Promise<string>;
  /** True when `git args…` exits 0. */
  probe(cwd: string, args: readonly string[], signal: AbortSignal): Promise<boolean>;
}

/** The git half of a `WorkspaceContext`. */
export function gitRunner(timings: Timings, baseEnv: Readonly<Record<string, string | undefined>>): Pick<WorkspaceContext, 'git' | 'probe'> {
  return {
    git: (cwd, args, signal, opts = {}) =>
      runGit(args, { cwd, timings, signal, baseEnv, ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }), ...(opts.extraEnv === undefined ? {} : { extraEnv: opts.extraEnv }) }),
    probe: (cwd, args, signal) => gitSucceeds(args, { cwd, timings, signal, baseEnv }),
  };
}

/** The identity the system commits as when a town sets no author. */
export const SYSTEM_IDENTITY = Object.freeze({ name: 'Gastown', email: 'gastown@gastown.local' });

/** `-c` args for a commit or merge by the system as `who`: no hooks, no signing. */
export function commitIdentityArgs(who: { name: string; email: string }): string[] {
  return ['-c', `user.name=${who.name}`, '-c', `user.email=${who.email}`, '-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null'];
}

/** The town author when the config names both fields, else `Gastown`. */
export function townAuthor(config: { git_author_name?: string | undefined; git_author_email?: string | undefined }): { name: string; email: string } {
  if (config.git_author_name !== undefined && config.git_author_email !== undefined) return { name: config.git_author_name, email: config.git_author_email };
  return SYSTEM_IDENTITY;
}
