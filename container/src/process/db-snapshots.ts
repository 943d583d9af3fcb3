/**
 * kilo.db transfer (`container.md` §5.2 step 2, §8): hydrate an agent's local kilo.db from
 * `GET P/db-snapshot` (404 → fresh), discard a stale one (local files and `DELETE P/db-snapshot`),
 * and the snapshot taken at idle exit, stop, drain and after each mayor turn: the checkpoint child
 * runs `PRAGMA wal_checkpoint(TRUNCATE)`; only a complete checkpoint (busy = 0, log =
 * checkpointed) of a file ≤ 10 MB is uploaded (`PUT P/db-snapshot`), anything else is skipped
 * (`snapshot.skipped`) so a torn file never replaces a good one. All three operations are
 * serialised per agent, so a start never hydrates under a running snapshot.
 */
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DB_SNAPSHOT_MAX_BYTES } from '../../../src/protocol/agent.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import { kiloDbFile } from '../layout.ts';
import type { Logger } from '../redact.ts';
import { DEFAULT_TIMINGS } from '../timings.ts';
import type { Timings } from '../timings.ts';
import type { AgentCredentials, WorkerClient } from '../worker-client.ts';
import { WorkerCallError } from '../worker-client.ts';
import { checkpointKiloDb } from './kilo-db-checkpoint.ts';
import type { CheckpointOptions, CheckpointResult } from './kilo-db-checkpoint.ts';
import { errorText } from './worker-reports.ts';

/** The largest snapshot uploaded: the worker's PUT limit. */
export const SNAPSHOT_MAX_BYTES = DB_SNAPSHOT_MAX_BYTES;

/** Who a snapshot is for: credentials and the agent's `HOME`. */
export interface SnapshotTarget {
  creds: AgentCredentials;
  home: string;
}

/** Why a snapshot was not uploaded. */
export type SnapshotSkipReason = 'no_worker' | 'no_db' | 'too_large' | 'checkpoint_incomplete' | 'db_locked';

/** How one snapshot ended; `snapshot()` never throws. */
export type SnapshotOutcome =
  | { status: 'uploaded'; bytes: number }
  | { status: 'skipped'; reason: SnapshotSkipReason }
  | { status: 'failed'; error: string };

/** The kilo.db operations the process manager and the drain call. */
export interface DbSnapshots {
  /** Writes the stored snapshot to the local kilo.db; `fresh` when the worker has none. */
  hydrate(target: SnapshotTarget, signal: AbortSignal): Promise<'restored' | 'fresh'>;
  /** Deletes the local kilo.db files and the stored snapshot (a stale db failed session creation). */
  discard(target: SnapshotTarget): Promise<void>;
  /** Checkpoints and uploads the local kilo.db (§8); never throws. */
  snapshot(target: SnapshotTarget): Promise<SnapshotOutcome>;
}

/** Runs the checkpoint child (replaced in tests). */
export type Checkpointer = (dbFile: string, copyFile: string, opts: CheckpointOptions) => Promise<CheckpointResult>;

/** Optional collaborators of `createDbSnapshots`. */
export interface DbSnapshotsOptions {
  timings?: Timings;
  checkpoint?: Checkpointer;
  /** Upload limit (default `SNAPSHOT_MAX_BYTES`). */
  maxBytes?: number;
}

/** The local kilo.db and its WAL files. */
function dbFiles(home: string): [db: string, wal: string, shm: string] {
  const db = kiloDbFile(home);
  return [db, `${db}-wal`, `${db}-shm`];
}

/** Size of `path` in bytes, or null when it does not exist. */
async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return null;
    throw err;
  }
}

/** `DbSnapshots` over the worker client (null: no worker, nothing is fetched or uploaded). */
export function createDbSnapshots(worker: WorkerClient | null, log: Logger, opts: DbSnapshotsOptions = {}): DbSnapshots {
  const timings = opts.timings ?? DEFAULT_TIMINGS;
  const checkpoint = opts.checkpoint ?? checkpointKiloDb;
  const maxBytes = opts.maxBytes ?? SNAPSHOT_MAX_BYTES;
  /** The last operation queued per agent; each waits for the one before (none rejects). */
  const chains = new Map<string, Promise<unknown>>();

  const serial = <T>(agentId: string, fn: () => Promise<T>): Promise<T> => {
    const previous = chains.get(agentId) ?? Promise.resolve();
    const run = previous.then(fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    chains.set(agentId, settled);
    void settled.then(() => {
      if (chains.get(agentId) === settled) chains.delete(agentId);
    });
    return run;
  };

  const skipped = (target: SnapshotTarget, reason: SnapshotSkipReason, fields: Record<string, unknown> = {}): SnapshotOutcome => {
    log.info('snapshot.skipped', { agent_id: target.creds.agentId, reason, ...fields });
    return { status: 'skipped', reason };
  };

  const takeSnapshot = async (client: WorkerClient, target: SnapshotTarget): Promise<SnapshotOutcome> => {
    const [db] = dbFiles(target.home);
    const size = await sizeOf(db);
    if (size === null) return skipped(target, 'no_db');
    if (size > maxBytes) return skipped(target, 'too_large', { bytes: size, max_bytes: maxBytes });
    const deadline = AbortSignal.timeout(timings.snapshotTimeoutMs);
    const copy = `${db}.gt-snapshot`;
    await rm(copy, { force: true });
    try {
      const verdict = await checkpoint(db, copy, {
        timeoutMs: timings.snapshotTimeoutMs,
        busyTimeoutMs: timings.snapshotBusyTimeoutMs,
        killGraceMs: timings.serverCloseGraceMs,
        signal: deadline,
      });
      const counts = { busy: verdict.busy, log: verdict.log, checkpointed: verdict.checkpointed };
      if (verdict.outcome === 'missing') return skipped(target, 'no_db');
      if (verdict.outcome === 'incomplete') return skipped(target, 'checkpoint_incomplete', counts);
      if (verdict.outcome !== 'copied') return skipped(target, 'db_locked', { ...counts, outcome: verdict.outcome });
      const bytes = new Uint8Array(await readFile(copy));
      if (bytes.byteLength > maxBytes) return skipped(target, 'too_large', { bytes: bytes.byteLength, max_bytes: maxBytes });
      await client.putDbSnapshot(target.creds, bytes, { signal: deadline, timeoutMs: timings.snapshotTimeoutMs });
      log.info('snapshot.uploaded', { agent_id: target.creds.agentId, bytes: bytes.byteLength });
      return { status: 'uploaded', bytes: bytes.byteLength };
    } finally {
      await rm(copy, { force: true });
    }
  };

  return {
    hydrate(target, signal) {
      return serial(target.creds.agentId, async () => {
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
        await mkdir(dirname(db), { recursive: true, mode: 0o700 });
        for (const f of stale) await rm(f, { force: true });
        await writeFileAtomic(db, data, 0o600);
        return 'restored';
      });
    },
    discard(target) {
      return serial(target.creds.agentId, async () => {
        for (const f of dbFiles(target.home)) await rm(f, { force: true });
        if (worker === null) return;
        await worker.agent(target.creds, 'DELETE', '/db-snapshot').catch((err: unknown) => {
          log.warn('db_snapshot.delete_failed', { agent_id: target.creds.agentId, error: errorText(err) });
        });
      });
    },
    snapshot(target) {
      return serial(target.creds.agentId, async (): Promise<SnapshotOutcome> => {
        if (worker === null) return { status: 'skipped', reason: 'no_worker' };
        try {
          return await takeSnapshot(worker, target);
        } catch (err) {
          const error = errorText(err);
          log.warn('snapshot.failed', { agent_id: target.creds.agentId, error });
          return { status: 'failed', error };
        }
      });
    },
  };
}
