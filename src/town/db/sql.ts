/**
 * The one SQL entry point of the TownDO modules. Every domain function takes a `SqlHandle`
 * (the Durable Object's SQLite in production, `node:sqlite` in benchmarks) so the same code
 * runs in both; a failing statement throws `SqlError` carrying the statement (never values).
 */

export type SqlValue = string | number | null | ArrayBuffer;
export type SqlRow = Record<string, SqlValue>;

/** What every module needs from a database. */
export interface SqlHandle {
  /** Runs one statement and returns its rows. */
  all(statement: string, ...params: SqlValue[]): SqlRow[];
  /** Runs one statement and returns how many rows it wrote. */
  run(statement: string, ...params: SqlValue[]): number;
  /** Runs `fn` in a transaction (a savepoint when nested); a throw rolls it back. */
  transaction<T>(fn: () => T): T;
}

/** A statement that failed; the message names the statement, never its bound values. */
export class SqlError extends Error {
  override readonly name = 'SqlError';
  constructor(
    readonly statement: string,
    cause: unknown,
  ) {
    super(`SQL failed: ${cause instanceof Error ? cause.message : String(cause)} — in: ${statement.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
}

/** Adapts a Durable Object's storage to `SqlHandle`. */
export function durableObjectSql(storage: DurableObjectStorage): SqlHandle {
  return {
    all(statement, ...params) {
      try {
        return storage.sql.exec<SqlRow>(statement, ...params).toArray();
      } catch (e) {
        throw new SqlError(statement, e);
      }
    },
    run(statement, ...params) {
      try {
        const cursor = storage.sql.exec(statement, ...params);
        // Drain the cursor so rowsWritten is final.
        cursor.toArray();
        return cursor.rowsWritten;
      } catch (e) {
        throw new SqlError(statement, e);
      }
    },
    transaction(fn) {
      return storage.transactionSync(fn);
    },
  };
}

/** The first row, or null. */
export function first(sql: SqlHandle, statement: string, ...params: SqlValue[]): SqlRow | null {
  return sql.all(statement, ...params)[0] ?? null;
}

/** Builds `?, ?, ?` for an IN list. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/** Splits a list so each multi-row statement binds at most `size` parameters (style §5). */
export function chunk<T>(items: readonly T[], size = 100): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Reads a text column; throws if the column holds something else. */
export function str(row: SqlRow, col: string): string {
  const v = row[col];
  if (typeof v !== 'string') throw new Error(`column ${col}: expected text, got ${v === null ? 'null' : typeof v}`);
  return v;
}

/** Reads a nullable text column. */
export function strOrNull(row: SqlRow, col: string): string | null {
  const v = row[col];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw new Error(`column ${col}: expected text, got ${typeof v}`);
  return v;
}

/** Reads an integer column. */
export function num(row: SqlRow, col: string): number {
  const v = row[col];
  if (typeof v !== 'number') throw new Error(`column ${col}: expected a number, got ${v === null ? 'null' : typeof v}`);
  return v;
}

export function numOrNull(row: SqlRow, col: string): number | null {
  const v = row[col];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number') throw new Error(`column ${col}: expected a number, got ${typeof v}`);
  return v;
}
