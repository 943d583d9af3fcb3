/**
 * The deterministic merge of `/git/merge` (`container.md` §9.4), run under the rig lock:
 * (1) clone/fetch; (2) both branches must exist on origin; (3) a branch already in the target is
 * `merged` at the target's sha; (4) a detached worktree at `origin/<target>`; (5) `merge --no-ff`
 * as the town author — a conflict lists its files and aborts; (6) push to the target, no force,
 * auth retry — a non-fast-forward restarts at (1) once, then fails "target moved"; (7) the
 * worktree is always removed and pruned. `toMergeResultReport` maps the outcome to the wire.
 */
import type { MergeResultReport } from '../../../src/protocol/container.ts';
import { mergeWorktree } from '../layout.ts';
import { commitIdentityArgs } from './context.ts';
import type { RigTarget, WorkspaceContext } from './context.ts';
import { commitOf, ensureRigRepo, hasRemoteBranch, pushRef } from './rig-repo.ts';
import { redactGitError, wasRejected } from './git-errors.ts';
import { removeWorktree } from './worktrees.ts';
import { assertInsideRoot } from './safe-paths.ts';

/** How a merge ended (`container.md` §9.4). */
export interface MergeOutcome {
  request_id: string;
  status: 'merged' | 'conflict' | 'failed';
  merge_commit?: string;
  files?: string[];
  message: string;
}

/** What one merge needs. */
export interface MergeJob {
  requestId: string;
  target: RigTarget;
  branch: string;
  targetBranch: string;
  author: { name: string; email: string };
}

/** Longest `error` the worker accepts in `C/merge-result`. */
const MAX_ERROR = 1024;
/** Most conflicted files reported. */
const MAX_FILES = 1000;

/** The outcome as the worker's `MergeResultReport`. */
export function toMergeResultReport(outcome: MergeOutcome): MergeResultReport {
  if (outcome.status === 'merged') {
    return { request_id: outcome.request_id, ok: true, ...(outcome.merge_commit === undefined ? {} : { merge_commit: outcome.merge_commit }) };
  }
  const error = outcome.message.length > MAX_ERROR ? `${outcome.message.slice(0, MAX_ERROR - 1)}…` : outcome.message;
  if (outcome.status === 'conflict') return { request_id: outcome.request_id, ok: false, conflict: { files: (outcome.files ?? []).slice(0, MAX_FILES) }, error };
  return { request_id: outcome.request_id, ok: false, error };
}

/** Runs the merge; never throws (a failure is a `failed` outcome with a redacted message). Caller holds the rig lock. */
export async function runMerge(ctx: WorkspaceContext, job: MergeJob, signal: AbortSignal): Promise<MergeOutcome> {
  const { requestId } = job;
  try {
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await attemptMerge(ctx, job, signal);
      if (outcome !== 'rejected') return outcome;
      if (attempt >= 2) return { request_id: requestId, status: 'failed', message: `push to ${job.targetBranch} rejected twice: target moved` };
      ctx.log.info('merge.restart', { request_id: requestId, reason: 'non-fast-forward push' });
    }
  } catch (err) {
    return { request_id: requestId, status: 'failed', message: redactGitError(err, ctx.redactor, 'merge').message };
  }
}

/** One pass of steps (1)–(7); `rejected` when the push was not a fast-forward. */
async function attemptMerge(ctx: WorkspaceContext, job: MergeJob, signal: AbortSignal): Promise<MergeOutcome | 'rejected'> {
  const { requestId, target, branch, targetBranch } = job;
  const repo = await ensureRigRepo(ctx, target, signal);
  for (const name of [branch, targetBranch]) {
    if (!(await hasRemoteBranch(ctx, repo, name, signal))) return { request_id: requestId, status: 'failed', message: `origin/${name} does not exist` };
  }
  const source = `refs/remotes/origin/${branch}`;
  const dest = `refs/remotes/origin/${targetBranch}`;
  if (await ctx.probe(repo, ['merge-base', '--is-ancestor', source, dest], signal)) {
    const sha = await commitOf(ctx, repo, dest, signal);
    return { request_id: requestId, status: 'merged', merge_commit: sha, message: `${branch} is already in ${targetBranch}` };
  }
  const path = mergeWorktree(ctx.root, target.rigId, requestId);
  await assertInsideRoot(ctx.root, path);
  await removeWorktree(ctx, repo, path, signal);
  try {
    await ctx.git(repo, ['worktree', 'add', '--quiet', '--detach', path, dest], signal);
    const message = `Merge ${branch} into ${targetBranch}`;
    try {
      await ctx.git(path, [...commitIdentityArgs(job.author), 'merge', '--no-ff', '--no-edit', '-m', message, source], signal);
    } catch (err) {
      const files = (await ctx.git(path, ['diff', '--name-only', '--diff-filter=U'], signal).catch(() => ''))
        .split('\n')
        .map((f) => f.trim())
        .filter((f) => f !== '');
      await ctx.git(path, ['merge', '--abort'], signal).catch(() => undefined);
      if (files.length > 0) return { request_id: requestId, status: 'conflict', files, message: `merging ${branch} into ${targetBranch} conflicts in ${files.length} file(s)` };
      throw err;
    }
    try {
      await pushRef(ctx, target, path, `HEAD:refs/heads/${targetBranch}`, signal);
    } catch (err) {
      if (wasRejected(err)) return 'rejected';
      throw err;
    }
    const sha = await commitOf(ctx, path, 'HEAD', signal);
    ctx.log.info('merge.merged', { request_id: requestId, rig_id: target.rigId, branch, target: targetBranch, merge_commit: sha });
    return { request_id: requestId, status: 'merged', merge_commit: sha, message };
  } finally {
    await removeWorktree(ctx, repo, path, new AbortController().signal).catch((err: unknown) =>
      ctx.log.warn('merge.cleanup_failed', { request_id: requestId, error: redactGitError(err, ctx.redactor, 'worktree remove').message }),
    );
  }
}
