/**
 * A `SqlHandle` over Node's built-in SQLite (`node:sqlite`), so benchmarks run the real town
 * modules with an accurate clock (inside workerd `performance.now()` does not advance).
 * Statements are prepared once and cached; nested transactions become savepoints.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SqlHandle, SqlRow, SqlValue } from '../src/town/db/sql.ts';

export function nodeSql(path = ':memory:'): SqlHandle & { close(): void } {
  const db = new DatabaseSync(path);
  const cache = new Map<string, StatementSync>();
  let depth = 0;
  const prepare = (statement: string): StatementSync => {
    let s = cache.get(statement);
    if (s === undefined) {
      s = db.prepare(statement);
      cache.set(statement, s);
    }
    return s;
  };
  const bind = (params: SqlValue[]) => params.map((p) => (p instanceof ArrayBuffer ? new Uint8Array(p) : p));
  return {
    all(statement, ...params) {
      return prepare(statement).all(...bind(params)) as SqlRow[];
    },
    run(statement, ...params) {
      return Number(prepare(statement).run(...bind(params)).changes);
    },
    transaction(fn) {
      const name = `sp${depth}`;
      db.exec(depth === 0 ? 'BEGIN' : `SAVEPOINT ${name}`);
      depth += 1;
      try {
        const value = fn();
        depth -= 1;
        db.exec(depth === 0 ? 'COMMIT' : `RELEASE ${name}`);
        return value;
      } catch (e) {
        depth -= 1;
        db.exec(depth === 0 ? 'ROLLBACK' : `ROLLBACK TO ${name}; RELEASE ${name}`);
        throw e;
      }
    },
    close() {
      db.close();
    },
  };
}
