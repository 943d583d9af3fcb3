/**
 * Worktrees of a rig's clone (`container.md` §9.1–9.2): a polecat's worktree on its branch (reuse
 * the local branch, else track `origin/<branch>`, else branch from `origin/<base ?? default>`),
 * a missing convoy feature branch created at the default branch and pushed, a refinery's detached
 * worktree at `origin/<branch>`, the mayor's browse worktree detached at `origin/<default>`, and
 * removal. A branch can be checked out in one worktree only: a dead agent's is removed first, a
 * live agent's fails the start. Callers hold the rig lock.
 */
import { rm, stat } from 'node:fs/promises';
import { browseWorktree, polecatWorktree, refineryWorktree } from '../layout.ts';
import type { RigTarget, WorkspaceContext } from './context.ts';
import { fetchOrigin, commitOf, hasRemoteBranch, pushRef } from './rig-repo.ts';
import { wasRejected, WorkspaceGitError } from './git-errors.ts';
import { assertInsideRoot, realpathOfPrefix, samePath } from './safe-paths.ts';

/** One entry of `git worktree list --porcelain`. */
export interface WorktreeEntry {
  path: string;
  head: string | null;
  /** The short branch name, or null when detached. */
  branch: string | null;
}

/** Parses `git worktree list --porcelain` (pure). */
export function parseWorktreeList(text: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('worktree ')) {
      current = { path: line.slice('worktree '.length), head: null, branch: null };
      entries.push(current);
    } else if (current !== null && line.startsWith('HEAD ')) {
      current.head = line.slice('HEAD '.length);
    } else if (current !== null && line.startsWith('branch ')) {
      const ref = line.slice('branch '.length);
      current.branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
    }
  }
  return entries;
}

/** A start refused because a live agent holds the branch's worktree. */
export class WorktreeBusyError extends Error {
  override readonly name = 'WorktreeBusyError';
}

/** Who owns which workdir (keyed by realpath), and whether an agent is live (the process manager knows). */
export interface WorktreeOwners {
  ownerOf(path: string): string | undefined;
  setOwner(path: string, agentId: string): void;
  forget(path: string): void;
  isAgentLive(agentId: string): boolean;
}

/** The worktrees of `repo` other than the clone itself. */
export async function listWorktrees(ctx: WorkspaceContext, repo: string, signal: AbortSignal): Promise<WorktreeEntry[]> {
  await ctx.git(repo, ['worktree', 'prune'], signal);
  const all = parseWorktreeList(await ctx.git(repo, ['worktree', 'list', '--porcelain'], signal));
  const others: WorktreeEntry[] = [];
  for (const entry of all) if (!(await samePath(entry.path, repo))) others.push(entry);
  return others;
}

/** Removes the worktree at `path` (forced, also when locked), prunes, and deletes what is left of the dir. */
export async function removeWorktree(ctx: WorkspaceContext, repo: string, path: string, signal: AbortSignal): Promise<void> {
  await assertInsideRoot(ctx.root, path);
  await ctx.git(repo, ['worktree', 'remove', '--force', '--force', path], signal).catch(() => undefined);
  await rm(path, { recursive: true, force: true });
  await ctx.git(repo, ['worktree', 'prune'], signal);
}

/**
 * Makes sure `origin/<base>` exists: a missing feature branch is created at `origin/<default>`
 * and pushed; a push rejected because someone else created it counts once a fetch shows it.
 */
export async function ensureBaseBranch(ctx: WorkspaceContext, target: RigTarget, repo: string, base: string, signal: AbortSignal): Promise<void> {
  if (base === target.defaultBranch || (await hasRemoteBranch(ctx, repo, base, signal))) return;
  const at = await commitOf(ctx, repo, `refs/remotes/origin/${target.defaultBranch}`, signal);
  try {
    await pushRef(ctx, target, repo, `${at}:refs/heads/${base}`, signal);
    ctx.log.info('workspace.feature_branch_created', { rig_id: target.rigId, branch: base });
  } catch (err) {
    if (!wasRejected(err)) throw err;
  }
  await fetchOrigin(ctx, target, repo, signal);
  if (!(await hasRemoteBranch(ctx, repo, base, signal))) throw new WorkspaceGitError(`origin/${base} is missing after creating it`, '');
}

/** Removes every worktree on `branch` or at `path` unless it is `agentId`'s own at `path`; a live agent's fails. */
async function clearWay(ctx: WorkspaceContext, repo: string, path: string, branch: string | null, agentId: string, owners: WorktreeOwners, signal: AbortSignal): Promise<boolean> {
  let reuse = false;
  for (const entry of await listWorktrees(ctx, repo, signal)) {
    const atPath = await samePath(entry.path, path);
    if (!atPath && (branch === null || entry.branch !== branch)) continue;
    const key = await realpathOfPrefix(entry.path);
    const owner = owners.ownerOf(key);
    if (atPath && branch !== null && entry.branch === branch && owner === agentId) {
      reuse = true;
      continue;
    }
    if (owner !== undefined && owner !== agentId && owners.isAgentLive(owner)) {
      throw new WorktreeBusyError(`branch ${entry.branch ?? '(detached)'} is checked out by live agent ${owner}`);
    }
    await removeWorktree(ctx, repo, entry.path, signal);
    owners.forget(key);
    ctx.log.info('workspace.worktree_removed', { path: entry.path, previous_owner: owner ?? null });
  }
  if (!reuse && (await exists(path))) await rm(path, { recursive: true, force: true });
  return reuse;
}

/** The polecat's worktree on `branch`: reuse, track `origin/<branch>`, or branch from `origin/<base>`. */
export async function polecatWorktreeFor(
  ctx: WorkspaceContext,
  target: RigTarget,
  repo: string,
  req: { agentId: string; branch: string; base: string },
  owners: WorktreeOwners,
  signal: AbortSignal,
): Promise<string> {
  const path = polecatWorktree(ctx.root, target.rigId, req.branch);
  await assertInsideRoot(ctx.root, path);
  if (await clearWay(ctx, repo, path, req.branch, req.agentId, owners, signal)) return path;
  const localRef = `refs/heads/${req.branch}`;
  const hasLocal = await ctx.probe(repo, ['rev-parse', '--verify', '--quiet', localRef], signal);
  const hasRemote = await hasRemoteBranch(ctx, repo, req.branch, signal);
  if (hasLocal) {
    if (hasRemote) await fastForwardLocal(ctx, repo, req.branch, signal);
    await ctx.git(repo, ['worktree', 'add', '--quiet', path, req.branch], signal);
  } else if (hasRemote) {
    await ctx.git(repo, ['worktree', 'add', '--quiet', '--track', '-b', req.branch, path, `refs/remotes/origin/${req.branch}`], signal);
  } else {
    await ensureBaseBranch(ctx, target, repo, req.base, signal);
    await ctx.git(repo, ['worktree', 'add', '--quiet', '--no-track', '-b', req.branch, path, `refs/remotes/origin/${req.base}`], signal);
  }
  owners.setOwner(await realpathOfPrefix(path), req.agentId);
  ctx.log.info('workspace.worktree_added', { rig_id: target.rigId, agent_id: req.agentId, branch: req.branch, from: hasLocal ? 'local' : hasRemote ? 'origin' : 'base' });
  return path;
}

/** The refinery's worktree, freshly detached at `origin/<branch>`. */
export async function refineryWorktreeFor(ctx: WorkspaceContext, target: RigTarget, repo: string, req: { agentId: string; branch: string }, owners: WorktreeOwners, signal: AbortSignal): Promise<string> {
  const path = refineryWorktree(ctx.root, target.rigId, req.agentId);
  await assertInsideRoot(ctx.root, path);
  if (!(await hasRemoteBranch(ctx, repo, req.branch, signal))) throw new WorkspaceGitError(`origin/${req.branch} does not exist (nothing to review)`, '');
  await clearWay(ctx, repo, path, null, req.agentId, owners, signal);
  await ctx.git(repo, ['worktree', 'add', '--quiet', '--detach', path, `refs/remotes/origin/${req.branch}`], signal);
  owners.setOwner(await realpathOfPrefix(path), req.agentId);
  return path;
}

/** The mayor's read-only browse worktree of a rig, detached at `origin/<default>` (created or moved there). */
export async function refreshBrowseWorktree(ctx: WorkspaceContext, target: RigTarget, repo: string, signal: AbortSignal): Promise<string> {
  const path = browseWorktree(ctx.root, target.rigId);
  await assertInsideRoot(ctx.root, path);
  const ref = `refs/remotes/origin/${target.defaultBranch}`;
  let registered = false;
  for (const entry of await listWorktrees(ctx, repo, signal)) if (await samePath(entry.path, path)) registered = true;
  if (registered) {
    await ctx.git(path, ['checkout', '--quiet', '--force', '--detach', ref], signal);
    await ctx.git(path, ['clean', '--quiet', '-ffd'], signal);
  } else {
    await rm(path, { recursive: true, force: true });
    await ctx.git(repo, ['worktree', 'add', '--quiet', '--detach', path, ref], signal);
  }
  return path;
}

/** Moves a local branch forward to `origin/<branch>` when it is a strict ancestor (never rewinds or drops commits). */
async function fastForwardLocal(ctx: WorkspaceContext, repo: string, branch: string, signal: AbortSignal): Promise<void> {
  const local = await commitOf(ctx, repo, `refs/heads/${branch}`, signal);
  const remote = await commitOf(ctx, repo, `refs/remotes/origin/${branch}`, signal);
  if (local === remote) return;
  if (await ctx.probe(repo, ['merge-base', '--is-ancestor', local, remote], signal)) {
    await ctx.git(repo, ['update-ref', `refs/heads/${branch}`, remote, local], signal);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
