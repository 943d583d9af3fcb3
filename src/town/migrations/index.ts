/**
 * Versioned migrations of the TownDO schema (`domain.md` §1). `migrate()` runs at DO start
 * inside `blockConcurrencyWhile`: each migration above the recorded version runs once, in one
 * transaction with its `schema_version` row; a failure throws and the object serves nothing.
 */
import type { SqlHandle } from '../db/sql.ts';
import * as m001 from './001_initial.ts';

interface Migration {
  version: number;
  name: string;
  up(sql: SqlHandle): void;
}

/** Every migration, in order. Append only. */
export const MIGRATIONS: readonly Migration[] = [{ version: 1, name: m001.name, up: m001.up }];

/** Applies pending migrations; returns the versions applied by this call. */
export function migrate(sql: SqlHandle, nowIso: string): number[] {
  sql.run(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const row = sql.all(`SELECT COALESCE(MAX(version), 0) AS v FROM schema_version`)[0];
  const current = typeof row?.v === 'number' ? row.v : 0;
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    sql.transaction(() => {
      m.up(sql);
      sql.run(`INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, nowIso);
    });
    applied.push(m.version);
  }
  return applied;
}

/** The latest schema version this code knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
