/**
 * Agent workdirs (`container.md` §9.1). `Workspaces` is what the process manager and the prewarm
 * need; `createTempGitWorkspaces` is the interim implementation: local git dirs under the data
 * root (the mayor's `git init` + empty commit + `AGENTS.md`; one repo per rig agent on its branch),
 * with no clone yet. Every git call runs through `runGit` (no prompts, no host config).
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { StartAgentRequest } from '../../../src/protocol/control.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import { gitSucceeds, runGit } from '../git.ts';
import type { GitOptions } from '../git.ts';
import { mayorWorkspace, polecatWorktree, refineryWorktree } from '../layout.ts';
import type { Logger } from '../redact.ts';
import { DEFAULT_TIMINGS } from '../timings.ts';
import type { Timings } from '../timings.ts';

/** The workdirs of agents. */
export interface Workspaces {
  /** Prepares and returns the agent's workdir: mayor → <root>/mayor/workspace (git init + empty commit, AGENTS.md); rig roles → a git dir per agent branch. Idempotent. */
  prepare(request: StartAgentRequest, signal: AbortSignal): Promise<{ workdir: string }>;
  /** Creates (if needed) and returns the mayor's workspace; the prewarm calls it before anything changes into it. */
  mayorWorkspace(signal: AbortSignal): Promise<string>;
}

/** Optional collaborators of `createTempGitWorkspaces`. */
export interface TempGitWorkspacesOptions {
  timings?: Timings;
  /** The control server's env (read only): git gets `PATH`/`HOME`/`TMPDIR` from it. */
  baseEnv?: Readonly<Record<string, string | undefined>>;
}

/** The identity of the workspace's own commits (never an agent's). */
const SYSTEM_IDENTITY = ['-c', 'user.name=Gastown', '-c', 'user.email=gastown@gastown.local', '-c', 'commit.gpgsign=false'];
/** `AGENTS.md` of a mayor workspace before any system prompt arrives. */
const DEFAULT_AGENTS_MD = '# Gastown mayor\n\nYou are the mayor of this town. Your instructions arrive with your first start.\n';

/** Refs `git check-ref-format --branch` would take that still make bad path or argv material. */
function assertSafeBranch(branch: string): void {
  if (branch.startsWith('-') || branch.length > 255 || /[\s\u0000-\u001f\u007f~^:?*[\\]|\.\.|@\{/.test(branch)) {
    throw new Error(`refusing branch name ${JSON.stringify(branch)}`);
  }
}

/** `path` resolved, and refused unless it lies inside `root`. */
function inside(root: string, path: string): string {
  const r = resolve(root);
  const p = resolve(path);
  if (p !== r && !p.startsWith(r + sep)) throw new Error(`path escapes the data root: ${p}`);
  return p;
}

/** The interim `Workspaces`: plain local git dirs under `root`. */
export function createTempGitWorkspaces(root: string, log: Logger, opts: TempGitWorkspacesOptions = {}): Workspaces {
  const timings = opts.timings ?? DEFAULT_TIMINGS;
  const baseEnv = opts.baseEnv ?? process.env;
  /** Per-workdir chains, so a prewarm and a start never init one dir at the same time. */
  const locks = new Map<string, Promise<unknown>>();

  const withDirLock = <T>(dir: string, fn: () => Promise<T>): Promise<T> => {
    const prev = locks.get(dir) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    locks.set(dir, tail);
    void tail.then(() => {
      if (locks.get(dir) === tail) locks.delete(dir);
    });
    return run;
  };

  const git = (cwd: string, signal: AbortSignal): GitOptions => ({ cwd, timings, signal, baseEnv });

  /** `git init` + one empty commit on `branch`, unless `dir` already has a commit. */
  const ensureRepo = async (dir: string, branch: string, message: string, signal: AbortSignal): Promise<boolean> => {
    await mkdir(dir, { recursive: true });
    const hasGit = await stat(join(dir, '.git')).then(
      () => true,
      () => false,
    );
    if (!hasGit) await runGit(['init', '-q', '-b', branch], git(dir, signal));
    if (await gitSucceeds(['rev-parse', '--verify', '-q', 'HEAD'], git(dir, signal))) return false;
    await runGit([...SYSTEM_IDENTITY, 'commit', '-q', '--allow-empty', '-m', message], git(dir, signal));
    return true;
  };

  const mayorWs = (signal: AbortSignal): Promise<string> => {
    const dir = inside(root, mayorWorkspace(root));
    return withDirLock(dir, async () => {
      signal.throwIfAborted();
      const created = await ensureRepo(dir, 'main', 'Initialise the mayor workspace', signal);
      const agentsMd = join(dir, 'AGENTS.md');
      const existing = await readFile(agentsMd, 'utf8').catch(() => null);
      if (existing === null) await writeFileAtomic(agentsMd, DEFAULT_AGENTS_MD);
      if (created) log.info('workspace.mayor_created', { workdir: dir });
      return dir;
    });
  };

  return {
    mayorWorkspace: mayorWs,

    async prepare(request, signal) {
      if (request.role === 'mayor') {
        const dir = await mayorWs(signal);
        if (request.system_prompt !== undefined) {
          const agentsMd = join(dir, 'AGENTS.md');
          const current = await readFile(agentsMd, 'utf8').catch(() => null);
          if (current !== request.system_prompt) await writeFileAtomic(agentsMd, request.system_prompt);
        }
        return { workdir: dir };
      }
      const rig = request.rig;
      if (rig === undefined) throw new Error(`a ${request.role} start needs rig`);
      assertSafeBranch(rig.branch);
      assertSafeBranch(rig.default_branch);
      const dir = inside(
        root,
        request.role === 'polecat'
          ? polecatWorktree(root, request.rig_id, rig.branch)
          : refineryWorktree(root, request.rig_id, request.agent_id),
      );
      return withDirLock(dir, async () => {
        signal.throwIfAborted();
        await runGit(['check-ref-format', '--branch', rig.branch], git(root, signal));
        const created = await ensureRepo(dir, rig.default_branch, `Initialise ${rig.default_branch}`, signal);
        if (request.role === 'polecat') {
          const exists = await gitSucceeds(['rev-parse', '--verify', '-q', `refs/heads/${rig.branch}`], git(dir, signal));
          await runGit(exists ? ['switch', '-q', rig.branch] : ['switch', '-q', '-c', rig.branch], git(dir, signal));
        } else {
          await runGit(['switch', '-q', '--detach', rig.default_branch], git(dir, signal));
        }
        if (created) log.info('workspace.created', { agent_id: request.agent_id, role: request.role, workdir: dir });
        return { workdir: dir };
      });
    },
  };
}
