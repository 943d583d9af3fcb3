/**
 * The data-root layout (`container.md` §9.1): every path the control server derives from
 * `GASTOWN_DATA_ROOT`, in one place so the env builder, the workspaces and the process manager
 * agree. Pure string functions; ids are schema-validated UUIDs before they get here.
 */
import { join } from 'node:path';

/** `<root>/agents/<agentId>`: the agent's data dir (home and credentials). */
export function agentDir(root: string, agentId: string): string {
  return join(root, 'agents', agentId);
}

/** `HOME` = `KILO_TEST_HOME` of an agent. */
export function agentHome(root: string, agentId: string): string {
  return join(agentDir(root, agentId), 'home');
}

/** The agent's credential dir (0700): token files for the gh/glab wrappers, git credential store. */
export function agentCredDir(root: string, agentId: string): string {
  return join(agentDir(root, agentId), 'cred');
}

/** `XDG_CACHE_HOME`, shared by every agent. */
export function cacheDir(root: string): string {
  return join(root, 'cache');
}

/** `<root>/mayor`: the mayor's workspace and dashboard context live here. */
export function mayorDir(root: string): string {
  return join(root, 'mayor');
}

/** The mayor's git workdir (`git init` + empty commit, `AGENTS.md`). */
export function mayorWorkspace(root: string): string {
  return join(mayorDir(root), 'workspace');
}

/** `GASTOWN_DASHBOARD_CONTEXT_FILE`: the ring of the last dashboard contexts. */
export function dashboardContextFile(root: string): string {
  return join(mayorDir(root), 'dashboard-context.json');
}

/** A branch as one path segment: `/` → `__`. */
export function branchDirName(branch: string): string {
  return branch.replaceAll('/', '__');
}

/** `<root>/rigs/<rigId>`. */
export function rigDir(root: string, rigId: string): string {
  return join(root, 'rigs', rigId);
}

/** A polecat's worktree on its branch. */
export function polecatWorktree(root: string, rigId: string, branch: string): string {
  return join(rigDir(root, rigId), 'worktrees', branchDirName(branch));
}

/** A refinery's detached worktree. */
export function refineryWorktree(root: string, rigId: string, agentId: string): string {
  return join(rigDir(root, rigId), 'refinery', agentId);
}

/** The rig's shared clone (`clone --no-checkout`, HEAD detached). */
export function rigRepo(root: string, rigId: string): string {
  return join(rigDir(root, rigId), 'repo');
}

/** The rig's credential dir (0700): the git credential store the control server's own git uses. */
export function rigCredDir(root: string, rigId: string): string {
  return join(rigDir(root, rigId), 'cred');
}

/** The mayor's read-only worktree of a rig, detached at `origin/<default>`. */
export function browseWorktree(root: string, rigId: string): string {
  return join(rigDir(root, rigId), 'browse');
}

/** The temporary worktree of one `/git/merge` request. */
export function mergeWorktree(root: string, rigId: string, requestId: string): string {
  return join(rigDir(root, rigId), 'merge-tmp', requestId);
}

/** Name of the git credential store file inside a credential dir (rig or agent). */
export const GIT_CREDENTIALS_FILE = 'git-credentials';

/** kilo.db of an agent below its `XDG_DATA_HOME`. */
export function kiloDbFile(home: string): string {
  return join(home, '.local', 'share', 'kilo', 'kilo.db');
}
