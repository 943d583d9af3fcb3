/**
 * A rig's shared clone `<root>/rigs/<rigId>/repo` (`container.md` §9.1): `clone --no-checkout`
 * without `--branch`, or `fetch --prune origin` when it exists; an empty origin gets an initial
 * commit pushed to the default branch; HEAD is detached (`update-ref --no-deref HEAD`) so no
 * branch counts as checked out there. Callers hold the rig lock.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { rigRepo } from '../layout.ts';
import { commitIdentityArgs, SYSTEM_IDENTITY } from './context.ts';
import type { RigTarget, WorkspaceContext } from './context.ts';
import { wasRejected, WorkspaceGitError } from './git-errors.ts';
import { assertInsideRoot } from './safe-paths.ts';

/** Message of the commit that makes an empty origin usable. */
export const INITIAL_COMMIT_MESSAGE = 'Initial commit';

/** Clones or fetches the rig; returns the clone's path with `origin/<default>` present. */
export async function ensureRigRepo(ctx: WorkspaceContext, target: RigTarget, signal: AbortSignal): Promise<string> {
  const repo = rigRepo(ctx.root, target.rigId);
  await assertInsideRoot(ctx.root, repo);
  const fresh = !(await isClone(ctx, repo, signal));
  if (fresh) {
    await rm(repo, { recursive: true, force: true });
    await mkdir(dirname(repo), { recursive: true });
    await ctx.creds.withAuthRetry(target, 'clone', () =>
      ctx.git(dirname(repo), [...ctx.creds.helperArgs(target.rigId), 'clone', '--quiet', '--no-checkout', '--origin', 'origin', '--', target.gitUrl, repo], signal),
    );
    ctx.log.info('workspace.rig_cloned', { rig_id: target.rigId });
  } else {
    const current = (await ctx.git(repo, ['remote', 'get-url', 'origin'], signal).catch(() => '')).trim();
    if (current !== target.gitUrl) await ctx.git(repo, ['remote', 'set-url', 'origin', '--', target.gitUrl], signal);
    await fetchOrigin(ctx, target, repo, signal);
  }
  if (!(await hasRemoteBranch(ctx, repo, target.defaultBranch, signal))) {
    const anyRef = (await ctx.git(repo, ['for-each-ref', '--count=1', '--format=%(refname)', 'refs/remotes/origin/'], signal)).trim();
    if (anyRef !== '') throw new WorkspaceGitError(`origin has no branch ${target.defaultBranch} (the rig's default branch)`, '');
    await seedEmptyOrigin(ctx, target, repo, signal);
  }
  await detachHead(ctx, repo, target.defaultBranch, fresh, signal);
  return repo;
}

/** `fetch --prune origin` with the auth retry. */
export async function fetchOrigin(ctx: WorkspaceContext, target: RigTarget, repo: string, signal: AbortSignal): Promise<void> {
  await ctx.creds.withAuthRetry(target, 'fetch', () => ctx.git(repo, [...ctx.creds.helperArgs(target.rigId), 'fetch', '--quiet', '--prune', 'origin'], signal));
}

/** True when `origin/<branch>` exists in the clone. */
export function hasRemoteBranch(ctx: WorkspaceContext, repo: string, branch: string, signal: AbortSignal): Promise<boolean> {
  return ctx.probe(repo, ['rev-parse', '--verify', '--quiet', `refs/remotes/origin/${branch}^{commit}`], signal);
}

/** The commit of a ref (full sha). */
export async function commitOf(ctx: WorkspaceContext, cwd: string, ref: string, signal: AbortSignal): Promise<string> {
  return (await ctx.git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], signal)).trim();
}

/** `git push [flags] origin <refspec>` with the auth retry. */
export async function pushRef(ctx: WorkspaceContext, target: RigTarget, cwd: string, refspec: string, signal: AbortSignal, extra: { setUpstream?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const args = [...ctx.creds.helperArgs(target.rigId), 'push', '--quiet', ...(extra.setUpstream === true ? ['--set-upstream'] : []), ...target.pushFlags, 'origin', refspec];
  await ctx.creds.withAuthRetry(target, 'push', () => ctx.git(cwd, args, signal, extra.timeoutMs === undefined ? {} : { timeoutMs: extra.timeoutMs }));
}

/** An empty origin: one empty commit pushed as the default branch (a concurrent creator wins, then fetch). */
async function seedEmptyOrigin(ctx: WorkspaceContext, target: RigTarget, repo: string, signal: AbortSignal): Promise<void> {
  const tree = (await ctx.git(repo, ['hash-object', '-t', 'tree', '-w', '/dev/null'], signal)).trim();
  const commit = (await ctx.git(repo, [...commitIdentityArgs(SYSTEM_IDENTITY), 'commit-tree', tree, '-m', INITIAL_COMMIT_MESSAGE], signal)).trim();
  try {
    await pushRef(ctx, target, repo, `${commit}:refs/heads/${target.defaultBranch}`, signal);
    ctx.log.info('workspace.rig_seeded', { rig_id: target.rigId, branch: target.defaultBranch });
  } catch (err) {
    if (!wasRejected(err)) throw err;
  }
  await fetchOrigin(ctx, target, repo, signal);
  if (!(await hasRemoteBranch(ctx, repo, target.defaultBranch, signal))) {
    throw new WorkspaceGitError(`origin/${target.defaultBranch} is still missing after seeding the empty repository`, '');
  }
}

/**
 * Detaches HEAD at `origin/<default>` when it names a branch. After a fresh clone the local branch
 * clone created is deleted, so every local branch belongs to a worktree.
 */
async function detachHead(ctx: WorkspaceContext, repo: string, defaultBranch: string, fresh: boolean, signal: AbortSignal): Promise<void> {
  const symbolic = (await ctx.git(repo, ['symbolic-ref', '--quiet', 'HEAD'], signal).catch(() => '')).trim();
  if (symbolic === '') return;
  const sha = await commitOf(ctx, repo, `refs/remotes/origin/${defaultBranch}`, signal);
  await ctx.git(repo, ['update-ref', '--no-deref', 'HEAD', sha], signal);
  if (fresh && symbolic.startsWith('refs/heads/') && (await ctx.probe(repo, ['rev-parse', '--verify', '--quiet', symbolic], signal))) {
    await ctx.git(repo, ['update-ref', '-d', symbolic], signal);
  }
}

/** True when `repo` is a usable clone (a `.git` dir git accepts). */
async function isClone(ctx: WorkspaceContext, repo: string, signal: AbortSignal): Promise<boolean> {
  const hasDotGit = await stat(join(repo, '.git')).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return hasDotGit && (await ctx.probe(repo, ['rev-parse', '--git-dir'], signal));
}
