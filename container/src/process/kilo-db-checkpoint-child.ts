/**
 * The checkpoint child (`container.md` §8), a standalone script run by kilo-db-checkpoint.ts as
 * `node kilo-db-checkpoint-child.(ts|js) <db> <copy> <busyTimeoutMs>` so no SQLite handle ever
 * lives in the control server. It runs `PRAGMA wal_checkpoint(TRUNCATE)` with `node:sqlite`; only
 * when that completed (busy = 0, log = checkpointed) does it copy the db file to `<copy>`, and
 * only while holding the write lock over an empty WAL, so no frame can reach the file mid-copy.
 * It prints one JSON line: `{busy, log, checkpointed, outcome}`. It imports nothing of the package.
 */
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';

/** What the child did: `copied` is the only outcome whose copy may be uploaded. */
type Outcome = 'copied' | 'missing' | 'incomplete' | 'locked' | 'wal_grew';

/** The WAL's size in bytes (0 when it does not exist). */
function walBytes(db: string): number {
  try {
    return statSync(`${db}-wal`).size;
  } catch {
    return 0;
  }
}

/** A pragma column as a number (-1 when absent). */
function column(row: Record<string, unknown> | undefined, name: string): number {
  const v = row?.[name];
  return typeof v === 'number' || typeof v === 'bigint' ? Number(v) : -1;
}

function print(busy: number, log: number, checkpointed: number, outcome: Outcome): void {
  process.stdout.write(`${JSON.stringify({ busy, log, checkpointed, outcome })}\n`);
}

function main(argv: readonly string[]): void {
  const [db, copy, busyArg] = argv;
  if (db === undefined || copy === undefined) throw new Error('usage: kilo-db-checkpoint-child <db> <copy> [busyTimeoutMs]');
  // node:sqlite creates a missing file: never turn "no db yet" into an empty snapshot.
  if (!existsSync(db)) return print(-1, -1, -1, 'missing');
  const busyTimeout = Number(busyArg ?? '0');
  const conn = new DatabaseSync(db, { timeout: Number.isSafeInteger(busyTimeout) && busyTimeout > 0 ? busyTimeout : 0 });
  try {
    const row = conn.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
    const busy = column(row, 'busy');
    const log = column(row, 'log');
    const checkpointed = column(row, 'checkpointed');
    if (busy !== 0 || log !== checkpointed) return print(busy, log, checkpointed, 'incomplete');
    try {
      conn.exec('BEGIN IMMEDIATE');
    } catch {
      return print(busy, log, checkpointed, 'locked');
    }
    try {
      // A writer that got in between the checkpoint and the lock left frames the file lacks.
      if (walBytes(db) > 0) return print(busy, log, checkpointed, 'wal_grew');
      copyFileSync(db, copy);
      print(busy, log, checkpointed, 'copied');
    } finally {
      conn.exec('ROLLBACK');
    }
  } finally {
    conn.close();
  }
}

main(process.argv.slice(2));
