/**
 * kilo.db transfer for the start sequence (`container.md` §5.2 step 2, §8): hydrate an agent's
 * local kilo.db from `GET P/db-snapshot` (404 → fresh), discard a stale one (local files and
 * `DELETE P/db-snapshot`), and the snapshot hook taken at idle exit, stop and each mayor turn.
 * The checkpoint-and-upload itself is §8's (a later issue): `snapshot` is injectable.
 */
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../fs-atomic.ts';
import { kiloDbFile } from '../layout.ts';
import type { Logger } from '../redact.ts';
import type { AgentCredentials, WorkerClient } from '../worker-client.ts';
import { WorkerCallError } from '../worker-client.ts';
import { errorText } from './worker-reports.ts';

/** Who a snapshot is for: credentials and the agent's `HOME`. */
export interface SnapshotTarget {
  creds: AgentCredentials;
  home: string;
}

/** The kilo.db operations the process manager calls. */
export interface DbSnapshots {
  /** Writes the stored snapshot to the local kilo.db; `fresh` when the worker has none. */
  hydrate(target: SnapshotTarget, signal: AbortSignal): Promise<'restored' | 'fresh'>;
  /** Deletes the local kilo.db files and the stored snapshot (a stale db failed session creation). */
  discard(target: SnapshotTarget): Promise<void>;
  /** Checkpoints and uploads the local kilo.db (§8); never throws. */
  snapshot(target: SnapshotTarget): Promise<void>;
}

/** The local kilo.db and its WAL files. */
function dbFiles(home: string): string[] {
  const db = kiloDbFile(home);
  return [db, `${db}-wal`, `${db}-shm`];
}

/** `DbSnapshots` over the worker client; `snapshot` defaults to a logged no-op until §8 lands. */
export function createDbSnapshots(
  worker: WorkerClient | null,
  log: Logger,
  snapshot: (target: SnapshotTarget) => Promise<void> = async () => undefined,
): DbSnapshots {
  return {
    async hydrate(target, signal) {
      if (worker === null) return 'fresh';
      let data: unknown;
      try {
        data = await worker.agent<unknown>(target.creds, 'GET', '/db-snapshot', undefined, { signal });
      } catch (err) {
        if (err instanceof WorkerCallError && err.status === 404) return 'fresh';
        throw err;
      }
      if (!(data instanceof Uint8Array) || data.byteLength === 0) return 'fresh';
      const [db, ...stale] = dbFiles(target.home);
      if (db === undefined) return 'fresh';
      await mkdir(dirname(db), { recursive: true, mode: 0o700 });
      for (const f of stale) await rm(f, { force: true });
      await writeFileAtomic(db, data, 0o600);
      return 'restored';
    },
    async discard(target) {
      for (const f of dbFiles(target.home)) await rm(f, { force: true });
      if (worker === null) return;
      await worker.agent(target.creds, 'DELETE', '/db-snapshot').catch((err: unknown) => {
        log.warn('db_snapshot.delete_failed', { agent_id: target.creds.agentId, error: errorText(err) });
      });
    },
    async snapshot(target) {
      try {
        await snapshot(target);
      } catch (err) {
        log.warn('db_snapshot.failed', { agent_id: target.creds.agentId, error: errorText(err) });
      }
    },
  };
}
