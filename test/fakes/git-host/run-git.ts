/**
 * Runs `git` for the fake git host: one child process per call with an isolated configuration
 * (no system or user config, a fixed identity), optional stdin and extra environment, and the
 * whole stdout kept as bytes (pack data is binary). Used by the repository store and the
 * smart-HTTP bridge.
 */
import { spawn } from 'node:child_process';

/** What one git run produced. */
export interface GitRun {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface GitRunOptions {
  cwd?: string;
  /** Added to (and overriding) the isolated environment. */
  env?: Record<string, string>;
  input?: Uint8Array;
}

/** The identity every commit the fake makes carries. */
export const FAKE_IDENTITY = { name: 'Fake Git Host', email: 'fake-git-host@127.0.0.1.invalid' };

/** The environment of every git run: no system/global config, fixed identity and dates on demand. */
export function isolatedGitEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: FAKE_IDENTITY.name,
    GIT_AUTHOR_EMAIL: FAKE_IDENTITY.email,
    GIT_COMMITTER_NAME: FAKE_IDENTITY.name,
    GIT_COMMITTER_EMAIL: FAKE_IDENTITY.email,
    LANG: 'C',
    LC_ALL: 'C',
    ...extra,
  };
}

/** Runs `git <args>`; never rejects on a non-zero exit (the caller reads `code`). */
export function runGit(args: readonly string[], opts: GitRunOptions = {}): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...args], { cwd: opts.cwd, env: isolatedGitEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    // A child that exits before reading all of stdin must not crash the host with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input === undefined ? undefined : Buffer.from(opts.input));
  });
}

/** Like `runGit` but throws with git's stderr on a non-zero exit; returns trimmed stdout text. */
export async function git(args: readonly string[], opts: GitRunOptions = {}): Promise<string> {
  const run = await runGit(args, opts);
  if (run.code !== 0) throw new Error(`git ${args.join(' ')} failed (${run.code}): ${run.stderr.trim()}`);
  return run.stdout.toString('utf8').trim();
}
