/**
 * Atomic file writes (tmp + rename) for every file another process may read while the control
 * server rewrites it: token files, git config, `AGENTS.md`, the dashboard context.
 */
import { randomUUID } from 'node:crypto';
import { chmod, rename, rm, writeFile } from 'node:fs/promises';

/** Writes `data` to `path` via a sibling temp file and `rename`, with `mode` (default 0644). */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, data, { mode });
    await chmod(tmp, mode); // the umask may have narrowed `mode`
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
