/**
 * The remote-less `Workspaces` (`createTempGitWorkspaces`) for process-manager tests whose rigs
 * point at hosts that are never contacted: the real mayor workspace, and one local git dir per
 * rig agent on its branch (no clone, no credentials). `saveWip` commits a dirty dir but has no
 * origin to push to (null); `setupRepo` does nothing; `merge` fails.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StartAgentRequest } from '../../../src/protocol/control.ts';
import { polecatWorktree, refineryWorktree } from '../layout.ts';
import type { Logger } from '../redact.ts';
import { DEFAULT_TIMINGS } from '../timings.ts';
import type { Timings } from '../timings.ts';
import { commitIdentityArgs, gitRunner, SYSTEM_IDENTITY } from './context.ts';
import { ensureMayorWorkspace, writeMayorAgentsMd } from './mayor-workspace.ts';
import { assertInsideRoot } from './safe-paths.ts';
import { checkBranch, mustPass } from './validation.ts';
import type { Workspaces } from './workspaces.ts';

/** Optional collaborators of `createTempGitWorkspaces`. */
export interface TempGitWorkspacesOptions {
  timings?: Timings;
  /** The control server's env (read only): git gets `PATH`/`HOME`/`TMPDIR` from it. */
  baseEnv?: Readonly<Record<string, string | undefined>>;
}

/** The remote-less `Workspaces`: plain local git dirs under `root`. */
export function createTempGitWorkspaces(root: string, log: Logger, opts: TempGitWorkspacesOptions = {}): Workspaces {
  const timings = opts.timings ?? DEFAULT_TIMINGS;
  const { git, probe } = gitRunner(timings, opts.baseEnv ?? process.env);
  const ctx = { root, git, probe };
  /** Per-dir chains, so a prewarm and a start never init one dir at the same time. */
  const chains = new Map<string, Promise<unknown>>();
  const withDirLock = <T>(dir: string, fn: () => Promise<T>): Promise<T> => {
    const run = (chains.get(dir) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    chains.set(dir, tail);
    void tail.then(() => {
      if (chains.get(dir) === tail) chains.delete(dir);
    });
    return run;
  };
  const mayorWs = (signal: AbortSignal): Promise<string> => withDirLock('mayor', () => ensureMayorWorkspace(ctx, log, signal));

  const rigDir = async (request: StartAgentRequest, signal: AbortSignal): Promise<string> => {
    const rig = request.rig;
    if (rig === undefined) throw new Error(`a ${request.role} start needs rig`);
    mustPass(checkBranch('rig.branch', rig.branch));
    mustPass(checkBranch('rig.default_branch', rig.default_branch));
    const dir = request.role === 'polecat' ? polecatWorktree(root, request.rig_id, rig.branch) : refineryWorktree(root, request.rig_id, request.agent_id);
    await assertInsideRoot(root, dir);
    return withDirLock(dir, async () => {
      signal.throwIfAborted();
      await git(root, ['check-ref-format', '--branch', rig.branch], signal);
      await mkdir(dir, { recursive: true });
      const hasGit = await stat(join(dir, '.git')).then(
        () => true,
        () => false,
      );
      if (!hasGit) await git(dir, ['init', '--quiet', `--initial-branch=${rig.default_branch}`], signal);
      let created = false;
      if (!(await probe(dir, ['rev-parse', '--verify', '--quiet', 'HEAD'], signal))) {
        await git(dir, [...commitIdentityArgs(SYSTEM_IDENTITY), 'commit', '--quiet', '--allow-empty', '-m', `Initialise ${rig.default_branch}`], signal);
        created = true;
      }
      if (request.role === 'polecat') {
        const exists = await probe(dir, ['rev-parse', '--verify', '--quiet', `refs/heads/${rig.branch}`], signal);
        await git(dir, exists ? ['switch', '--quiet', rig.branch] : ['switch', '--quiet', '-c', rig.branch], signal);
      } else {
        await git(dir, ['switch', '--quiet', '--detach', rig.default_branch], signal);
      }
      if (created) log.info('workspace.created', { agent_id: request.agent_id, role: request.role, workdir: dir });
      return dir;
    });
  };

  return {
    mayorWorkspace: mayorWs,

    async prepare(request, signal) {
      if (request.role !== 'mayor') return { workdir: await rigDir(request, signal) };
      const dir = await mayorWs(signal);
      if (request.system_prompt !== undefined) await writeMayorAgentsMd(dir, request.system_prompt);
      return { workdir: dir };
    },

    async saveWip(_request, workdir, signal) {
      await assertInsideRoot(root, workdir);
      if ((await git(workdir, ['status', '--porcelain'], signal)).trim() === '') return null;
      await git(workdir, ['add', '-A'], signal);
      await git(workdir, [...commitIdentityArgs(SYSTEM_IDENTITY), 'commit', '--quiet', '--no-verify', '-m', 'WIP: container eviction save'], signal);
      return null;
    },

    setupRepo: () => Promise.resolve(),

    merge: (body) => Promise.resolve({ request_id: body.request_id, status: 'failed', message: 'these workspaces have no git remote' }),
  };
}
