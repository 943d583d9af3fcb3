/**
 * The mayor's workdir `<root>/mayor/workspace` (`container.md` §4 step 4, §9.1): `git init` + one
 * empty commit + a default `AGENTS.md`, created once (idempotent, serialised per dir) before the
 * prewarm or a start changes into it. It has no remote: nothing there is ever pushed.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs-atomic.ts';
import { mayorWorkspace } from '../layout.ts';
import type { Logger } from '../redact.ts';
import { commitIdentityArgs, SYSTEM_IDENTITY } from './context.ts';
import type { WorkspaceContext } from './context.ts';
import { assertInsideRoot } from './safe-paths.ts';

/** `AGENTS.md` of a mayor workspace before any system prompt arrives. */
export const DEFAULT_AGENTS_MD = '# Gastown mayor\n\nYou are the mayor of this town. Your instructions arrive with your first start.\n';

/**
 * The first commit's dates, fixed: kilo keys a project (and so the sessions it lists) by the
 * workdir's root commit, so every container must make the same one or a mayor restored from its
 * kilo.db snapshot would not find its session (seed 002, `container.md` §5.2 step 5).
 */
const ROOT_COMMIT_DATE = '2026-01-01T00:00:00Z';

/** Creates (if needed) and returns the mayor workspace. Callers serialise per dir. */
export async function ensureMayorWorkspace(ctx: Pick<WorkspaceContext, 'root' | 'git' | 'probe'>, log: Logger, signal: AbortSignal): Promise<string> {
  const dir = mayorWorkspace(ctx.root);
  await assertInsideRoot(ctx.root, dir);
  signal.throwIfAborted();
  await mkdir(dir, { recursive: true });
  const hasGit = await stat(join(dir, '.git')).then(
    () => true,
    () => false,
  );
  if (!hasGit) await ctx.git(dir, ['init', '--quiet', '--initial-branch=main'], signal);
  let created = false;
  if (!(await ctx.probe(dir, ['rev-parse', '--verify', '--quiet', 'HEAD'], signal))) {
    await ctx.git(dir, [...commitIdentityArgs(SYSTEM_IDENTITY), 'commit', '--quiet', '--allow-empty', '-m', 'Initialise the mayor workspace'], signal, {
      extraEnv: { GIT_AUTHOR_DATE: ROOT_COMMIT_DATE, GIT_COMMITTER_DATE: ROOT_COMMIT_DATE },
    });
    created = true;
  }
  const agentsMd = join(dir, 'AGENTS.md');
  if ((await readFile(agentsMd, 'utf8').catch(() => null)) === null) await writeFileAtomic(agentsMd, DEFAULT_AGENTS_MD);
  if (created) log.info('workspace.mayor_created', { workdir: dir });
  return dir;
}

/** Writes the mayor's system prompt to `AGENTS.md` when it differs. */
export async function writeMayorAgentsMd(dir: string, systemPrompt: string): Promise<void> {
  const agentsMd = join(dir, 'AGENTS.md');
  const current = await readFile(agentsMd, 'utf8').catch(() => null);
  if (current !== systemPrompt) await writeFileAtomic(agentsMd, systemPrompt);
}
