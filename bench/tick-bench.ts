/**
 * Tick benchmarks: the whole tick (`runTick`: observe, drain, reconcile, apply, effects with an
 * instant executor, invariants, housekeeping) and pure `reconcile` over towns of N beads with
 * 50 or 200 agents, on `node:sqlite`, timed from Node.
 */
import { performance } from 'node:perf_hooks';
import { migrate } from '../src/town/migrations/index.ts';
import { createTownRow } from '../src/town/records/town-record.ts';
import { thresholdsFor } from '../src/town/reconciler/constants.ts';
import { reconcile } from '../src/town/reconciler/reconcile.ts';
import { runTick } from '../src/town/reconciler/tick.ts';
import { SqlTownView } from '../src/town/reconciler/view-sql.ts';
import type { EffectExecutor } from '../src/town/reconciler/effects.ts';
import type { SqlHandle } from '../src/town/db/sql.ts';
import { nodeSql } from './node-sql.ts';
import { seededRandom as rng } from './rng.ts';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (t: number) => new Date(t).toISOString();

const instant: EffectExecutor = {
  run: async () => [],
  observe: async (ids) => new Map(ids.map((id) => [id, { status: 'running' as const }])),
};

/**
 * A busy town: `beads` issues over 4 rigs (most closed, some open with dependencies, some in
 * progress held by working polecats with fresh heartbeats), `agents` agents.
 */
export function seedBusyTown(beads: number, agents: number): { sql: SqlHandle; now: number } {
  const sql = nodeSql();
  migrate(sql, iso(T0));
  createTownRow(sql, { id: crypto.randomUUID(), name: 'bench', ownerId: 'bench', now: T0 });
  const now = T0 + 3600_000;
  const rand = rng(7);
  const rigs = Array.from({ length: 4 }, (_, i) => {
    const id = crypto.randomUUID();
    sql.run(`INSERT INTO rigs (rig_id, name, git_url, config, created_at, updated_at) VALUES (?, ?, 'https://github.com/acme/app.git', ?, ?, ?)`, id, `rig${i}`, JSON.stringify({ max_polecats_per_rig: Math.max(1, Math.ceil(agents / 4)) }), iso(T0), iso(T0));
    return id;
  });
  sql.transaction(() => {
    const ids: string[] = [];
    for (let i = 0; i < beads; i += 1) {
      const id = crypto.randomUUID();
      const r = rand();
      const status = r < 0.8 ? 'closed' : r < 0.95 ? 'open' : 'failed';
      const at = iso(T0 + i);
      sql.run(
        `INSERT INTO beads (bead_id, type, status, title, rig_id, created_by, created_at, updated_at, status_changed_at, closed_at, dispatch_attempts)
         VALUES (?, 'issue', ?, ?, ?, 'user:bench', ?, ?, ?, ?, ?)`,
        id, status, `Task ${i}`, rigs[i % rigs.length] ?? null, at, at, at, status === 'open' ? null : at, status === 'open' ? 0 : 1,
      );
      if (status === 'open' && ids.length > 0 && rand() < 0.5) {
        const target = ids[Math.floor(rand() * ids.length)];
        if (target !== undefined) sql.run(`INSERT OR IGNORE INTO bead_dependencies (bead_id, depends_on_bead_id, dependency_type, created_at) VALUES (?, ?, 'blocks', ?)`, id, target, at);
      }
      ids.push(id);
    }
    for (let i = 0; i < agents; i += 1) {
      const rig = rigs[i % rigs.length] ?? null;
      const agentId = crypto.randomUUID();
      const working = i % 2 === 0;
      sql.run(`INSERT INTO beads (bead_id, type, status, title, rig_id, created_by, created_at, updated_at, status_changed_at) VALUES (?, 'agent', 'open', ?, ?, 'system', ?, ?, ?)`, agentId, `p${i}`, rig, iso(T0), iso(T0), iso(T0));
      let hook: string | null = null;
      if (working) {
        hook = crypto.randomUUID();
        sql.run(
          `INSERT INTO beads (bead_id, type, status, title, rig_id, assignee_agent_bead_id, created_by, created_at, updated_at, status_changed_at, dispatch_attempts, last_dispatch_attempt_at)
           VALUES (?, 'issue', 'in_progress', 'work', ?, ?, 'user:bench', ?, ?, ?, 1, ?)`,
          hook, rig, agentId, iso(now - 60_000), iso(now - 60_000), iso(now - 60_000), iso(now - 60_000),
        );
      }
      sql.run(
        `INSERT INTO agent_metadata (bead_id, role, name, identity, status, current_hook_bead_id, current_dispatch_id, last_dispatch_at, working_since, last_heartbeat_at, last_event_at)
         VALUES (?, 'polecat', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        agentId, `P${i}`, `p${i}-${agentId}`, working ? 'working' : 'idle', hook, crypto.randomUUID(), iso(now - 60_000), iso(now - 60_000), iso(now - 10_000), iso(now - 5_000),
      );
    }
  });
  sql.run('ANALYZE');
  return { sql, now };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

export async function benchTick(beads: number, agents: number, runs: number): Promise<{ p50: number; p95: number }> {
  const { sql, now } = seedBusyTown(beads, agents);
  const times: number[] = [];
  let clock = now;
  for (let i = 0; i < runs + 3; i += 1) {
    clock += 5000;
    const at = clock;
    // The container heartbeats its working agents (every 30 s in production); not timed.
    sql.run(`UPDATE agent_metadata SET last_heartbeat_at = ?, last_event_at = ? WHERE status = 'working'`, iso(at - 1000), iso(at - 1000));
    const started = performance.now();
    await runTick({ sql, now: () => at, executor: instant, thresholds: thresholdsFor('production'), development: false, alert: () => undefined });
    if (i >= 3) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95) };
}

export function benchReconcile(beads: number, agents: number, runs: number): { p50: number } {
  const { sql, now } = seedBusyTown(beads, agents);
  const cfg = { thresholds: thresholdsFor('production') };
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i += 1) {
    const started = performance.now();
    // As the tick does: a frozen view per reconcile (lists read once, shared by the rule groups).
    reconcile(new SqlTownView(sql, false, true), now, cfg);
    if (i >= 3) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5) };
}
