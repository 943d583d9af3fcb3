/**
 * The mayor's dashboard context hook (`tools.md` §2): before each LLM call it removes the previous
 * dashboard block from the system entries and appends the current one, read from
 * `GASTOWN_DASHBOARD_CONTEXT_FILE` (no file or no snapshot → no block).
 */
import { readFile } from 'node:fs/promises';
import type { PluginLog } from '../log.ts';
import { dashboardBlock, parseSnapshots, withoutDashboardBlocks } from './dashboard-block.ts';
import type { SystemTransformHook } from './types.ts';

/** What the hook needs. */
export interface DashboardHookOptions {
  /** The snapshot file the control server writes. */
  file: string;
  /** Older snapshots shown as breadcrumbs. */
  breadcrumbs: number;
  now: () => number;
  log: PluginLog;
}

/** The `experimental.chat.system.transform` hook of the mayor. */
export function dashboardContextHook(opts: DashboardHookOptions): SystemTransformHook {
  return async (_input, output) => {
    const kept = withoutDashboardBlocks(output.system);
    output.system.splice(0, output.system.length, ...kept);
    const block = dashboardBlock(parseSnapshots(await readSnapshotFile(opts)), opts.now(), opts.breadcrumbs);
    if (block !== null) output.system.push(block);
  };
}

/** The file's text; `''` when it does not exist (yet) or cannot be read. */
async function readSnapshotFile(opts: DashboardHookOptions): Promise<string> {
  try {
    return await readFile(opts.file, 'utf8');
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? err.code : undefined;
    if (code !== 'ENOENT') opts.log('warn', 'dashboard.unreadable', { file: opts.file, error: String(err).slice(0, 300) });
    return '';
  }
}
