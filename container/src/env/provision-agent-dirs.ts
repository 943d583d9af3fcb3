/**
 * Materialises an agent home before its server spawns (`container.md` §6 item 2): XDG dirs, the
 * plugin symlink, `kilo/package.json` + `package-lock.json` + a `node_modules` symlink (so kilo
 * never runs a network install), `.gitconfig` and the co-author hook. Idempotent; called by every
 * start and the prewarm.
 */
import { lstat, mkdir, readFile, readlink, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../fs-atomic.ts';
import { cacheDir } from '../layout.ts';
import type { AgentPaths } from './build-agent-env.ts';
import { coauthorHookText, gitconfigText } from './git-files.ts';

/** The config dir's dependencies: the plugin package kilo would otherwise install. */
const KILO_CONFIG_DEPS = { '@kilocode/plugin': '7.3.1' };
/** `kilo/package.json` of an agent config dir. */
const KILO_CONFIG_PACKAGE = `${JSON.stringify({ name: 'gastown-agent-config', private: true, dependencies: KILO_CONFIG_DEPS }, null, 2)}\n`;
/**
 * `kilo/package-lock.json`. kilo 7.7.7 (`Npm.install`, run for every config dir holding a path
 * plugin) skips the install only when `node_modules` exists AND the lock's `packages[""]` names
 * every dependency of `package.json` plus `@kilocode/plugin`; otherwise it runs an npm reify in the
 * config dir, whose `node_modules` is a symlink to the container's shared install.
 */
const KILO_CONFIG_LOCK = `${JSON.stringify({ name: 'gastown-agent-config', lockfileVersion: 3, requires: true, packages: { '': { name: 'gastown-agent-config', dependencies: KILO_CONFIG_DEPS } } }, null, 2)}\n`;

/** Where the agent's git hooks live (`core.hooksPath`). */
export function hooksDirOf(home: string): string {
  return join(home, '.gastown', 'hooks');
}

/**
 * Creates the agent's dirs and files under `home` (= `agentHome(root, id)`) and the shared cache
 * dir. Safe to run again: symlinks pointing elsewhere are replaced, files rewritten only on change.
 */
export async function provisionAgentDirs(home: string, paths: AgentPaths): Promise<void> {
  const configKilo = join(home, '.config', 'kilo');
  const hooks = hooksDirOf(home);
  await mkdir(dirname(home), { recursive: true, mode: 0o700 });
  for (const dir of [
    home,
    join(home, '.local', 'share', 'kilo'),
    join(home, '.local', 'state'),
    join(configKilo, 'plugins'),
    hooks,
    join(dirname(home), 'cred'),
  ]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }
  await mkdir(cacheDir(paths.root), { recursive: true });

  await ensureSymlink(join(configKilo, 'plugins', 'gastown.ts'), paths.pluginFile);
  await ensureSymlink(join(configKilo, 'node_modules'), paths.pluginDepsDir);
  await ensureFile(join(configKilo, 'package.json'), KILO_CONFIG_PACKAGE, 0o644);
  await ensureFile(join(configKilo, 'package-lock.json'), KILO_CONFIG_LOCK, 0o644);
  await ensureFile(join(home, '.gitconfig'), gitconfigText(hooks), 0o644);
  await ensureFile(join(hooks, 'prepare-commit-msg'), coauthorHookText(), 0o755);
}

/** `link` → `target`, replacing whatever else is there. */
async function ensureSymlink(link: string, target: string): Promise<void> {
  const current = await readlink(link).catch(() => null);
  if (current === target) return;
  const exists = await lstat(link).then(
    () => true,
    () => false,
  );
  if (exists) await rm(link, { recursive: true, force: true });
  await symlink(target, link);
}

/** Writes `text` (tmp + rename) unless the file already holds exactly that. */
async function ensureFile(path: string, text: string, mode: number): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => null);
  if (current === text) return;
  await writeFileAtomic(path, text, mode);
}
