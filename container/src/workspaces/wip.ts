/**
 * Saving an agent's work before the container goes away (`container.md` §8 drain step 5): a dirty
 * worktree gets `git add -A` + a `WIP: container eviction save` commit as the agent's identity;
 * commits no origin ref has are pushed with `push --set-upstream origin HEAD` (auth retry, the
 * rig's push flags). A detached worktree (refinery) or a clean, pushed one saves nothing.
 * Callers hold the rig lock.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { commitIdentityArgs } from './context.ts';
import type { RigTarget, WorkspaceContext } from './context.ts';
import { commitOf, pushRef } from './rig-repo.ts';
import { assertInsideRoot } from './safe-paths.ts';
import { checkBranch } from './validation.ts';

/** The message of the eviction commit. */
export const WIP_COMMIT_MESSAGE = 'WIP: container eviction save';

/** What a WIP save pushed. */
export interface WipSave {
  branch: string;
  commit_sha: string;
}

/** Commits and pushes `workdir`'s unsaved work; null when there is nothing to save. */
export async function saveWorktreeWip(
  ctx: WorkspaceContext,
  target: RigTarget,
  workdir: string,
  author: { name: string; email: string },
  signal: AbortSignal,
  pushTimeoutMs: number,
): Promise<WipSave | null> {
  await assertInsideRoot(ctx.root, workdir);
  const isWorktree = await stat(join(workdir, '.git')).then(
    () => true,
    () => false,
  );
  if (!isWorktree) return null;
  const branch = (await ctx.git(workdir, ['symbolic-ref', '--quiet', '--short', 'HEAD'], signal).catch(() => '')).trim();
  if (branch === '' || !checkBranch('branch', branch).ok) return null;
  const dirty = (await ctx.git(workdir, ['status', '--porcelain', '--untracked-files=all'], signal)).trim() !== '';
  if (dirty) {
    await ctx.git(workdir, ['add', '-A'], signal);
    await ctx.git(workdir, [...commitIdentityArgs(author), 'commit', '--quiet', '--no-verify', '-m', WIP_COMMIT_MESSAGE], signal);
  }
  const unpushed = Number((await ctx.git(workdir, ['rev-list', '--count', 'HEAD', '--not', '--remotes=origin'], signal)).trim());
  if (unpushed === 0) return null;
  await pushRef(ctx, target, workdir, 'HEAD', signal, { setUpstream: true, timeoutMs: pushTimeoutMs });
  const sha = await commitOf(ctx, workdir, 'HEAD', signal);
  ctx.log.info('workspace.wip_saved', { rig_id: target.rigId, branch, commit_sha: sha, committed: dirty, pushed: unpushed });
  return { branch, commit_sha: sha };
}
