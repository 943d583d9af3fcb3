/**
 * Running git for the control server (`container.md` §1, §9): `runChild` with an env built here,
 * never the parent's — `GIT_TERMINAL_PROMPT=0`, `GIT_LFS_SKIP_SMUDGE=1`, no system or global
 * config — so git can neither prompt nor pick up host settings. Errors carry redacted-ready stderr.
 */
import { runChild } from './run-child.ts';
import type { Timings } from './timings.ts';

/** A git command that failed, timed out or was aborted. */
export class GitError extends Error {
  override readonly name = 'GitError';
  readonly args: readonly string[];
  readonly code: number | null;
  readonly stderr: string;
  constructor(args: readonly string[], code: number | null, stderr: string, why: string) {
    super(`git ${subcommandOf(args)} ${why}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`.trim());
    this.args = args;
    this.code = code;
    this.stderr = stderr;
  }
}

/** The git subcommand of an argv (`-c key=value` / `-C dir` pairs skipped), for messages. */
export function subcommandOf(args: readonly string[]): string {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '-c' || arg === '-C') i += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return '';
}

/** Options of `runGit`. */
export interface GitOptions {
  cwd: string;
  timings: Timings;
  signal?: AbortSignal;
  /** The control server's env; only `PATH`, `HOME`, `TMPDIR` and locale are taken from it. */
  baseEnv: Readonly<Record<string, string | undefined>>;
  /** Added last (e.g. `GIT_AUTHOR_NAME`). */
  extraEnv?: Record<string, string>;
  /** Overrides `timings.gitTimeoutMs` for this call (a value taken from `timings` too). */
  timeoutMs?: number;
}

/** The complete env of a git child. */
export function gitEnv(baseEnv: Readonly<Record<string, string | undefined>>, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: baseEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C',
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_LFS_SKIP_SMUDGE: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  };
  for (const key of ['HOME', 'TMPDIR'] as const) {
    const v = baseEnv[key];
    if (v !== undefined && v !== '') env[key] = v;
  }
  return { ...env, ...extra };
}

/** Runs `git args…` and returns stdout; throws `GitError` on a non-zero exit, timeout or abort. */
export async function runGit(args: readonly string[], opts: GitOptions): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? opts.timings.gitTimeoutMs;
  const result = await runChild('git', args, {
    cwd: opts.cwd,
    env: gitEnv(opts.baseEnv, opts.extraEnv),
    timeoutMs,
    killGraceMs: opts.timings.serverCloseGraceMs,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  if (result.aborted) throw new GitError(args, result.code, result.stderr, 'aborted');
  if (result.timedOut) throw new GitError(args, result.code, result.stderr, `timed out after ${timeoutMs} ms`);
  if (result.code !== 0) throw new GitError(args, result.code, result.stderr, `exited ${result.code ?? result.signal ?? '?'}`);
  return result.stdout;
}

/** True when `git args…` exits 0 (for probes such as `rev-parse --verify`). */
export async function gitSucceeds(args: readonly string[], opts: GitOptions): Promise<boolean> {
  try {
    await runGit(args, opts);
    return true;
  } catch (err) {
    if (err instanceof GitError && err.code !== null && !opts.signal?.aborted) return false;
    throw err;
  }
}
