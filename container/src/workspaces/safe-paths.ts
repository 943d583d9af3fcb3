/**
 * The I/O half of path containment (`container.md` §9.2): a computed path must stay inside the
 * data root after `realpath`, so a symlink planted in a worktree or rig dir cannot redirect a
 * clone, worktree or `rm -rf` outside `<root>`. The lexical rule is `isInsideRoot` (pure).
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isInsideRoot, WorkspaceInputError } from './validation.ts';

/** `path` with its longest existing prefix replaced by its realpath (the rest appended as is). */
export async function realpathOfPrefix(path: string): Promise<string> {
  const abs = resolve(path);
  const tail: string[] = [];
  let current = abs;
  for (;;) {
    try {
      const real = await realpath(current);
      return tail.length === 0 ? real : join(real, ...tail.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return abs;
      tail.push(basename(current));
      current = parent;
    }
  }
}

/** Throws `WorkspaceInputError` unless `path` lies inside `root`, lexically and after realpath. */
export async function assertInsideRoot(root: string, path: string): Promise<void> {
  if (!isInsideRoot(root, path)) throw new WorkspaceInputError('A workspace path escapes the data root.');
  const [realRoot, realPath] = await Promise.all([realpathOfPrefix(root), realpathOfPrefix(path)]);
  if (!isInsideRoot(realRoot, realPath)) throw new WorkspaceInputError('A workspace path escapes the data root through a symlink.');
}

/** True when two paths name the same place after realpath of their existing prefixes. */
export async function samePath(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  const [ra, rb] = await Promise.all([realpathOfPrefix(a), realpathOfPrefix(b)]);
  return ra === rb;
}
