/**
 * Town data-model benchmarks: issue creation throughput and the ready-work query over a town of
 * N beads with random `blocks` dependencies and a realistic status mix. Deterministic seed.
 */
import { performance } from 'node:perf_hooks';
import { migrate } from '../src/town/migrations/index.ts';
import { createTownRow } from '../src/town/records/town-record.ts';
import { createIssue } from '../src/town/beads/create-bead.ts';
import { readyWork, readyWorkForRig } from '../src/town/beads/ready-work.ts';
import type { TownCtx } from '../src/town/context.ts';
import type { SqlHandle } from '../src/town/db/sql.ts';
import { nodeSql } from './node-sql.ts';
import { seededRandom as rng } from './rng.ts';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

function newTownDb(): { sql: SqlHandle; ctx: (now: number) => TownCtx; rigId: string; close(): void } {
  const db = nodeSql();
  migrate(db, new Date(T0).toISOString());
  const townId = crypto.randomUUID();
  createTownRow(db, { id: townId, name: 'bench', ownerId: 'bench', now: T0 });
  const rigId = crypto.randomUUID();
  db.run(`INSERT INTO rigs (rig_id, name, git_url, created_at, updated_at) VALUES (?, 'app', 'https://github.com/acme/app.git', ?, ?)`, rigId, new Date(T0).toISOString(), new Date(T0).toISOString());
  return {
    sql: db,
    rigId,
    ctx: (now) => ({ sql: db, now, townId, actor: 'user:bench', development: false, effects: [] }),
    close: () => db.close(),
  };
}

export function benchBeadCreate(count: number): { count: number; perSecond: number } {
  const town = newTownDb();
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const ctx = town.ctx(T0 + i);
    town.sql.transaction(() => createIssue(ctx, { rig_id: town.rigId, title: `Task ${i}` }));
  }
  const seconds = (performance.now() - started) / 1000;
  town.close();
  return { count, perSecond: count / seconds };
}

const STATUSES = ['open', 'open', 'open', 'open', 'closed', 'closed', 'closed', 'in_progress', 'failed', 'in_review'] as const;
const PRIORITIES = ['low', 'medium', 'medium', 'high', 'critical'] as const;

/** Seeds `n` issues directly (bulk SQL), each blocking-depending on up to 3 earlier ones. */
export function seedTown(n: number): ReturnType<typeof newTownDb> {
  const town = newTownDb();
  const rand = rng(42);
  const ids: string[] = [];
  town.sql.transaction(() => {
    for (let i = 0; i < n; i += 1) {
      const id = crypto.randomUUID();
      const at = new Date(T0 + i).toISOString();
      const status = STATUSES[Math.floor(rand() * STATUSES.length)] ?? 'open';
      const priority = PRIORITIES[Math.floor(rand() * PRIORITIES.length)] ?? 'medium';
      const labels = rand() < 0.05 ? '["gt:held"]' : '[]';
      town.sql.run(
        `INSERT INTO beads (bead_id, type, status, title, rig_id, priority, labels, created_by, created_at, updated_at, status_changed_at)
         VALUES (?, 'issue', ?, ?, ?, ?, ?, 'user:bench', ?, ?, ?)`,
        id,
        status,
        `Task ${i}`,
        town.rigId,
        priority,
        labels,
        at,
        at,
        at,
      );
      const deps = i === 0 ? 0 : Math.floor(rand() * 4);
      for (let d = 0; d < deps; d += 1) {
        const target = ids[Math.floor(rand() * ids.length)];
        if (target !== undefined) {
          town.sql.run(`INSERT OR IGNORE INTO bead_dependencies (bead_id, depends_on_bead_id, dependency_type, created_at) VALUES (?, ?, 'blocks', ?)`, id, target, at);
        }
      }
      ids.push(id);
    }
  });
  return town;
}

/** Max polecats per rig (`domain.md` §8): the most a dispatch pass can take from one rig. */
const DISPATCH_PASS_LIMIT = 50;

/**
 * p50/p95 of the ready-work query. `scope: 'rig'` is the dispatch pass (one rig, up to 50
 * beads); `scope: 'all'` materialises every ready bead of the town.
 */
export function benchReadyQuery(n: number, runs: number, scope: 'rig' | 'all'): { p50: number; p95: number; runs: number; ready: number } {
  const town = seedTown(n);
  town.sql.run('ANALYZE');
  const query = () => (scope === 'all' ? readyWork(town.sql) : readyWorkForRig(town.sql, town.rigId, DISPATCH_PASS_LIMIT));
  let ready = 0;
  for (let i = 0; i < 10; i += 1) ready = readyWork(town.sql).length;
  for (let i = 0; i < 10; i += 1) query();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    query();
    times.push(performance.now() - started);
  }
  town.close();
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), runs, ready };
}
