/**
 * Support of the git workspace tests: bare origins on disk (seeded, empty, or with extra commits
 * pushed from a scratch clone), a plain `git` runner with a clean env, real `GitWorkspaces` over a
 * temp data root with a capturing logger, and rig start requests pointing at an origin.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { StartAgentRequest } from '../../src/protocol/control.ts';
import { Redactor } from '../../container/src/redact.ts';
import { timingsFor } from '../../container/src/timings.ts';
import type { Timings } from '../../container/src/timings.ts';
import { GitWorkspaces } from '../../container/src/workspaces/git-workspaces.ts';
import type { GitWorkspacesOptions } from '../../container/src/workspaces/git-workspaces.ts';
import { polecatRequest } from './fixtures.ts';
import { captureLog } from './helpers.ts';

/** The env of every test-side git call: no host config, a fixed identity. */
export const TEST_GIT_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

/** `git args…` in `cwd` (trimmed stdout); throws on a non-zero exit. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: TEST_GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** True when `git args…` exits 0. */
export function gitOk(cwd: string, ...args: string[]): boolean {
  try {
    git(cwd, ...args);
    return true;
  } catch {
    return false;
  }
}

/** A temp dir removed by `cleanup()`. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A bare origin at `<dir>/origin.git`; `files` → one commit on `defaultBranch`, null → empty repository. */
export function makeOrigin(dir: string, files: Record<string, string> | null = { 'README.md': '# app\n' }, defaultBranch = 'main'): string {
  const bare = join(dir, 'origin.git');
  git(dir, 'init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`, bare);
  if (files !== null) commitTo(bare, defaultBranch, files, 'Seed');
  return bare;
}

/**
 * Commits `files` on `branch` of the bare repo `bare` (created from `from`, default: the branch
 * itself, else the default branch) through a scratch clone, and returns the new sha.
 */
export function commitTo(bare: string, branch: string, files: Record<string, string>, message: string, from?: string): string {
  const scratch = mkdtempSync(join(tmpdir(), 'gt-scratch-'));
  try {
    git(scratch, 'init', '--quiet', '--initial-branch=scratch');
    git(scratch, 'remote', 'add', 'origin', bare);
    git(scratch, 'fetch', '--quiet', 'origin');
    const start = from ?? branch;
    if (gitOk(scratch, 'rev-parse', '--verify', '--quiet', `refs/remotes/origin/${start}`)) git(scratch, 'checkout', '--quiet', '-B', branch, `origin/${start}`);
    else git(scratch, 'checkout', '--quiet', '--orphan', branch);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(scratch, name)), { recursive: true });
      writeFileSync(join(scratch, name), text);
    }
    git(scratch, 'add', '-A');
    git(scratch, 'commit', '--quiet', '-m', message);
    git(scratch, 'push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`);
    return git(scratch, 'rev-parse', 'HEAD');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The sha of `refs/heads/<branch>` in `bare`, or null. */
export function headOf(bare: string, branch: string): string | null {
  try {
    return git(bare, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`);
  } catch {
    return null;
  }
}

/** The test timings (`GASTOWN_TIMING=test`). */
export function testTimings(over: Partial<Timings> = {}): Timings {
  return { ...timingsFor({ GASTOWN_TIMING: 'test' }), ...over };
}

/** Real workspaces over `root` with a capturing logger; `file://` allowed unless overridden. */
export function makeWorkspaces(root: string, over: Partial<GitWorkspacesOptions> = {}): { ws: GitWorkspaces; redactor: Redactor; cap: ReturnType<typeof captureLog> } {
  const redactor = over.redactor ?? new Redactor();
  const cap = captureLog(redactor);
  const ws = new GitWorkspaces({
    root,
    log: cap.log,
    redactor,
    worker: null,
    timings: testTimings(),
    baseEnv: { PATH: process.env.PATH, HOME: tmpdir() },
    localAllowed: true,
    ...over,
  });
  return { ws, redactor, cap };
}

/** A polecat start on `gitUrl` (a `file://` URL of a bare origin unless given), branch overridable. */
export function rigStart(gitUrl: string, rig: Partial<NonNullable<StartAgentRequest['rig']>> = {}, over: Partial<StartAgentRequest> = {}): StartAgentRequest {
  return polecatRequest({
    rig: { git_url: gitUrl, default_branch: 'main', branch: 'gt/toast/abcd1234', ...rig },
    ...over,
  });
}

/** `file://` URL of a path. */
export function fileUrl(path: string): string {
  return `file://${path}`;
}

/** A PATH (under `dir`) whose `git` appends its argv as one line to `logFile`, then runs the real git. */
export function recordingGitPath(dir: string, logFile: string): string {
  const bin = join(dir, 'recording-bin');
  mkdirSync(bin, { recursive: true });
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  writeFileSync(join(bin, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${logFile}'\nexec '${realGit}' "$@"\n`);
  chmodSync(join(bin, 'git'), 0o755);
  return `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;
}

/** A never-aborted signal. */
export const noSignal = (): AbortSignal => new AbortController().signal;
