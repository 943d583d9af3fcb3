/**
 * Support of the snapshot tests: a kilo.db-like SQLite file in WAL mode (a `session` and a
 * `message` table, as kilo keeps them) written through a connection that stays open with
 * auto-checkpoints off, so the newest rows live only in the WAL until someone checkpoints.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** An open writer on a WAL-mode kilo.db. */
export class KiloDbWriter {
  readonly file: string;
  readonly conn: DatabaseSync;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.file = file;
    this.conn = new DatabaseSync(file);
    this.conn.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA wal_autocheckpoint = 0;
      CREATE TABLE IF NOT EXISTS session (id TEXT PRIMARY KEY, title TEXT, time_updated INTEGER);
      CREATE TABLE IF NOT EXISTS message (id TEXT PRIMARY KEY, session_id TEXT, data TEXT);
    `);
  }

  /** Adds a session with `messages` messages of ~`size` bytes each, in one transaction. */
  addSession(id: string, messages: number, size = 512): void {
    this.conn.exec('BEGIN');
    this.conn.prepare('INSERT INTO session VALUES (?, ?, ?)').run(id, `title ${id}`, Date.now());
    const insert = this.conn.prepare('INSERT INTO message VALUES (?, ?, ?)');
    for (let i = 0; i < messages; i++) insert.run(`${id}-m${i}`, id, 'x'.repeat(size));
    this.conn.exec('COMMIT');
  }

  /** Adds one large blob row (to grow the file past a limit quickly). */
  addBlob(id: string, bytes: number): void {
    this.conn.prepare('INSERT INTO message VALUES (?, ?, ?)').run(id, 'blob', 'y'.repeat(bytes));
  }

  close(): void {
    this.conn.close();
  }
}

/** A reader holding a read transaction open (it blocks a TRUNCATE checkpoint) until `release()`. */
export function holdReader(file: string): { release: () => void } {
  const conn = new DatabaseSync(file);
  conn.exec('BEGIN');
  conn.prepare('SELECT count(*) AS n FROM message').get();
  return {
    release: () => {
      conn.exec('COMMIT');
      conn.close();
    },
  };
}

/** Opens `bytes` as a database in a temp dir and returns its session ids and message count. */
export function readSnapshot(bytes: Uint8Array): { sessions: string[]; messages: number } {
  const dir = mkdtempSync(join(tmpdir(), 'gt-snap-read-'));
  try {
    const file = join(dir, 'kilo.db');
    writeFileSync(file, bytes);
    const conn = new DatabaseSync(file);
    try {
      const sessions = conn.prepare('SELECT id FROM session ORDER BY id').all().map((r) => String(r.id));
      const row = conn.prepare('SELECT count(*) AS n FROM message').get();
      return { sessions, messages: Number(row?.n ?? -1) };
    } finally {
      conn.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
