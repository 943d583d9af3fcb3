/**
 * Git operations behind the fake host's PR API, on the bare repositories: mergeability from
 * `git merge-tree --write-tree`, the derived GitHub `mergeable_state` / GraphQL
 * `mergeStateStatus`, and really merging a PR with `merge` (merge commit), `squash` (one commit)
 * or `rebase` (commits replayed in a temporary worktree), the base branch moved by a
 * compare-and-swap `update-ref`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakePull, MergeMethod } from './pulls.ts';
import type { HostedRepo, RepoStore } from './repos.ts';
import { git, runGit } from './run-git.ts';

/** Result of a trial merge of head into base. */
export interface Mergeability {
  clean: boolean;
  /** The merged tree (conflict markers included when not clean). */
  tree: string;
  conflicts: string[];
}

/** Trial-merges `head` into `base` without touching any ref. */
export async function trialMerge(repo: HostedRepo, base: string, head: string): Promise<Mergeability> {
  const run = await runGit(['merge-tree', '--write-tree', '--name-only', '--no-messages', base, head], { cwd: repo.dir });
  if (run.code !== 0 && run.code !== 1) throw new Error(`git merge-tree failed (${run.code}): ${run.stderr.trim()}`);
  const [tree = '', ...rest] = run.stdout.toString('utf8').split('\n');
  return { clean: run.code === 0, tree, conflicts: rest.filter((l) => l !== '') };
}

/** The PR's current head (its branch, else the last seen sha) and base commits; updates `head_sha`. */
export async function pullCommits(repos: RepoStore, pull: FakePull): Promise<{ head: string; base: string | null }> {
  const head = await repos.resolve(pull.repo, `refs/heads/${pull.head_ref}`);
  if (head !== null) pull.head_sha = head;
  return { head: pull.head_sha, base: await repos.resolve(pull.repo, `refs/heads/${pull.base_ref}`) };
}

/** Whether an open PR's head merges cleanly into its base; null when closed or the base is gone. */
export async function pullMergeability(repos: RepoStore, pull: FakePull): Promise<Mergeability | null> {
  if (pull.state !== 'open') return null;
  const { head, base } = await pullCommits(repos, pull);
  return base === null ? null : trialMerge(pull.repo, base, head);
}

/**
 * GitHub `mergeable_state` unless overridden: `unknown` (closed, no base), `dirty` (conflicts),
 * `blocked` (review required or changes requested), `draft`, else `clean`.
 */
export function derivedMergeableState(pull: FakePull, mergeability: Mergeability | null): string {
  if (pull.mergeable_state !== null) return pull.mergeable_state;
  if (mergeability === null) return 'unknown';
  if (!mergeability.clean) return 'dirty';
  if (pull.review_decision === 'REVIEW_REQUIRED' || pull.review_decision === 'CHANGES_REQUESTED') return 'blocked';
  return pull.draft ? 'draft' : 'clean';
}

/** GraphQL `mergeStateStatus` unless overridden: the REST state upper-cased. */
export function derivedMergeStateStatus(pull: FakePull, mergeability: Mergeability | null): string {
  return pull.merge_state_status ?? derivedMergeableState(pull, mergeability).toUpperCase();
}

export type MergeOutcome = { ok: true; sha: string } | { ok: false; status: 405 | 409; message: string };

async function commitTree(repo: HostedRepo, tree: string, parents: string[], message: string): Promise<string> {
  return git(['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', message], { cwd: repo.dir });
}

/** Replays `head`'s commits onto `base` in a throwaway worktree; null on a conflict. */
async function rebaseOnto(repo: HostedRepo, base: string, head: string): Promise<string | null> {
  const scratch = await mkdtemp(join(tmpdir(), 'fake-git-rebase-'));
  const tree = join(scratch, 'wt');
  try {
    await git(['worktree', 'add', '--quiet', '--detach', tree, head], { cwd: repo.dir });
    const rebased = await runGit(['rebase', '--quiet', base], { cwd: tree });
    if (rebased.code !== 0) {
      await runGit(['rebase', '--abort'], { cwd: tree });
      return null;
    }
    return await git(['rev-parse', 'HEAD'], { cwd: tree });
  } finally {
    await runGit(['worktree', 'remove', '--force', tree], { cwd: repo.dir });
    await runGit(['worktree', 'prune'], { cwd: repo.dir });
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Merges an open PR with `method` into its base branch and marks it merged. */
export async function mergePull(repos: RepoStore, pull: FakePull, method: MergeMethod): Promise<MergeOutcome> {
  const { head, base } = await pullCommits(repos, pull);
  if (base === null) return { ok: false, status: 405, message: 'Base branch was deleted' };
  const trial = await trialMerge(pull.repo, base, head);
  if (!trial.clean) return { ok: false, status: 405, message: 'Pull Request is not mergeable' };
  let merged: string | null;
  if (method === 'merge') merged = await commitTree(pull.repo, trial.tree, [base, head], `Merge pull request #${pull.number} from ${pull.head_ref}\n\n${pull.title}`);
  else if (method === 'squash') merged = await commitTree(pull.repo, trial.tree, [base], `${pull.title} (#${pull.number})`);
  else merged = await rebaseOnto(pull.repo, base, head);
  if (merged === null) return { ok: false, status: 405, message: "This branch can't be rebased" };
  const moved = await runGit(['update-ref', `refs/heads/${pull.base_ref}`, merged, base], { cwd: pull.repo.dir });
  if (moved.code !== 0) return { ok: false, status: 409, message: 'Base branch was modified. Review and try the merge again.' };
  const now = new Date().toISOString();
  Object.assign(pull, { state: 'closed', merged: true, merged_at: now, closed_at: now, merge_commit_sha: merged, updated_at: now });
  return { ok: true, sha: merged };
}
