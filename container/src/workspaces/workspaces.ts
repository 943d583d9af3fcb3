/**
 * Agent workdirs and the rig git work of the control server (`container.md` §9): the `Workspaces`
 * interface the process manager, the prewarm, the drain and the control routes use. The real
 * implementation is `GitWorkspaces` (git-workspaces.ts: clones, worktrees, credentials, merges);
 * `createTempGitWorkspaces` (temp-git-workspaces.ts) is the remote-less stand-in that tests of
 * the process manager use with rigs that are never cloned.
 */
import type { GitMerge, ReposSetup, StartAgentRequest } from '../../../src/protocol/control.ts';
import type { MergeOutcome } from './merge.ts';
import type { WipSave } from './wip.ts';

export type { MergeOutcome } from './merge.ts';
export type { WipSave } from './wip.ts';
export { createTempGitWorkspaces } from './temp-git-workspaces.ts';
export type { TempGitWorkspacesOptions } from './temp-git-workspaces.ts';

/** The workdirs of agents and the rig git operations. */
export interface Workspaces {
  /**
   * Prepares and returns the agent's workdir: mayor → `<root>/mayor/workspace` (git init + empty
   * commit, `AGENTS.md`; browse worktrees refresh in the background); polecat → its worktree on
   * its branch; refinery → a detached worktree at `origin/<branch>`. Idempotent.
   */
  prepare(request: StartAgentRequest, signal: AbortSignal): Promise<{ workdir: string }>;
  /** Creates (if needed) and returns the mayor's workspace; the prewarm calls it before anything changes into it. */
  mayorWorkspace(signal: AbortSignal): Promise<string>;
  /**
   * Drain step 5: commits a dirty worktree (`WIP: container eviction save`, as the agent) and
   * pushes unpushed commits (`push --set-upstream origin HEAD`, auth retry, bounded by
   * `timings.wipSaveTimeoutMs`). Returns what was pushed, or null when there was nothing to save.
   */
  saveWip(request: StartAgentRequest, workdir: string, signal: AbortSignal): Promise<WipSave | null>;
  /** `/repos/setup`: under the rig lock, clone or fetch the rig and refresh its browse worktree. */
  setupRepo(body: ReposSetup): Promise<void>;
  /** `/git/merge`: the deterministic merge of §9.4 under the rig lock; never throws. */
  merge(body: GitMerge): Promise<MergeOutcome>;
}
