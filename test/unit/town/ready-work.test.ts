/**
 * Ready work and the trigger-kept `open_blockers` counter, over real SQLite (`node:sqlite`)
 * running the same modules as the TownDO: random create/close/fail/delete/re-link sequences
 * must always leave the counter equal to a recount and the query equal to a naive evaluation.
 */
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/town/migrations/index.ts';
import { createTownRow } from '../../../src/town/records/town-record.ts';
import { createIssue } from '../../../src/town/beads/create-bead.ts';
import { cancelBead } from '../../../src/town/beads/cancel.ts';
import { deleteBead } from '../../../src/town/beads/delete-bead.ts';
import { replaceBlockers } from '../../../src/town/beads/dependencies.ts';
import { patchBead } from '../../../src/town/beads/patch-bead.ts';
import { readyWork, readyWorkForRig, hasReadyWork } from '../../../src/town/beads/ready-work.ts';
import type { TownCtx } from '../../../src/town/context.ts';
import type { SqlHandle } from '../../../src/town/db/sql.ts';
import { num, str } from '../../../src/town/db/sql.ts';
import { nodeSql } from '../../../bench/node-sql.ts';
import { seededRandom as rng } from '../../../bench/rng.ts';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');

function town(): { sql: SqlHandle; ctx: (now: number) => TownCtx; rigId: string } {
  const sql = nodeSql();
  migrate(sql, new Date(T0).toISOString());
  const townId = crypto.randomUUID();
  createTownRow(sql, { id: townId, name: 't', ownerId: 'u', now: T0 });
  const rigId = crypto.randomUUID();
  const at = new Date(T0).toISOString();
  sql.run(`INSERT INTO rigs (rig_id, name, git_url, created_at, updated_at) VALUES (?, 'app', 'https://github.com/a/b.git', ?, ?)`, rigId, at, at);
  return { sql, rigId, ctx: (now) => ({ sql, now, townId, actor: 'user:u', development: true, effects: [] }) };
}

/** Readiness computed the slow, obvious way from the rows. */
function naiveReady(sql: SqlHandle): string[] {
  const beads = sql.all(`SELECT * FROM beads WHERE type = 'issue' ORDER BY created_at, bead_id`);
  const status = new Map(sql.all(`SELECT bead_id, status FROM beads`).map((r) => [str(r, 'bead_id'), str(r, 'status')]));
  const deps = sql.all(`SELECT bead_id, depends_on_bead_id FROM bead_dependencies WHERE dependency_type = 'blocks'`);
  const rank: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
  return beads
    .filter((b) => str(b, 'status') === 'open' && b.assignee_agent_bead_id === null && !str(b, 'labels').includes('"gt:held"'))
    .filter((b) => deps.filter((d) => d.bead_id === b.bead_id).every((d) => (status.get(str(d, 'depends_on_bead_id')) ?? 'closed') === 'closed'))
    .sort((a, b) => (rank[str(a, 'priority')] ?? 9) - (rank[str(b, 'priority')] ?? 9) || str(a, 'created_at').localeCompare(str(b, 'created_at')) || str(a, 'bead_id').localeCompare(str(b, 'bead_id')))
    .map((b) => str(b, 'bead_id'));
}

function assertCountersExact(sql: SqlHandle): void {
  const rows = sql.all(
    `SELECT b.bead_id, b.open_blockers,
       (SELECT COUNT(*) FROM bead_dependencies d JOIN beads o ON o.bead_id = d.depends_on_bead_id
        WHERE d.bead_id = b.bead_id AND d.dependency_type = 'blocks' AND o.status <> 'closed') AS recount
     FROM beads b`,
  );
  for (const r of rows) expect({ id: r.bead_id, n: num(r, 'open_blockers') }).toEqual({ id: r.bead_id, n: num(r, 'recount') });
}

describe('ready work', () => {
  it('follows a chain: only the head is ready until its blocker closes', () => {
    const t = town();
    const a = createIssue(t.ctx(T0), { rig_id: t.rigId, title: 'a' });
    const b = createIssue(t.ctx(T0 + 1), { rig_id: t.rigId, title: 'b', depends_on: [a] });
    const c = createIssue(t.ctx(T0 + 2), { rig_id: t.rigId, title: 'c', depends_on: [b] });
    expect(readyWork(t.sql).map((r) => r.id)).toEqual([a]);
    cancelBead(t.ctx(T0 + 3), a, 'closed');
    expect(readyWork(t.sql).map((r) => r.id)).toEqual([b]);
    cancelBead(t.ctx(T0 + 4), b, 'failed');
    // A failed blocker keeps its dependents waiting (domain.md §6.3).
    expect(readyWork(t.sql).map((r) => r.id)).toEqual([]);
    expect(readyWork(t.sql).map((r) => r.id)).not.toContain(c);
    expect(hasReadyWork(t.sql)).toBe(false);
  });

  it('orders by priority, then age, and limits per rig', () => {
    const t = town();
    const low = createIssue(t.ctx(T0), { rig_id: t.rigId, title: 'low', priority: 'low' });
    const crit = createIssue(t.ctx(T0 + 1), { rig_id: t.rigId, title: 'crit', priority: 'critical' });
    const med1 = createIssue(t.ctx(T0 + 2), { rig_id: t.rigId, title: 'm1' });
    const med2 = createIssue(t.ctx(T0 + 3), { rig_id: t.rigId, title: 'm2' });
    createIssue(t.ctx(T0 + 4), { rig_id: t.rigId, title: 'held', held: true });
    expect(readyWork(t.sql).map((r) => r.id)).toEqual([crit, med1, med2, low]);
    expect(readyWorkForRig(t.sql, t.rigId, 2).map((r) => r.id)).toEqual([crit, med1]);
    patchBead(t.ctx(T0 + 5), crit, { held: true });
    expect(readyWorkForRig(t.sql, t.rigId, 2).map((r) => r.id)).toEqual([med1, med2]);
  });

  it('keeps open_blockers exact and the query equal to a naive evaluation under random operations', () => {
    for (let seed = 1; seed <= 5; seed += 1) {
      const t = town();
      const rand = rng(seed);
      const ids: string[] = [];
      let now = T0;
      for (let step = 0; step < 250; step += 1) {
        now += 1;
        const live = ids.filter((id) => t.sql.all(`SELECT 1 FROM beads WHERE bead_id = ?`, id).length > 0);
        const pick = () => live[Math.floor(rand() * live.length)];
        const op = rand();
        if (op < 0.4 || live.length < 3) {
          const deps = [pick(), pick()].filter((d): d is string => d !== undefined);
          const prio = (['low', 'medium', 'high', 'critical'] as const)[Math.floor(rand() * 4)];
          ids.push(createIssue(t.ctx(now), { rig_id: t.rigId, title: `b${step}`, depends_on: [...new Set(deps)], ...(prio === undefined ? {} : { priority: prio }) }));
        } else if (op < 0.6) {
          const id = pick();
          const status = id === undefined ? null : str(t.sql.all(`SELECT status FROM beads WHERE bead_id = ?`, id)[0] ?? { status: 'closed' }, 'status');
          if (id !== undefined && status === 'open') cancelBead(t.ctx(now), id, rand() < 0.7 ? 'closed' : 'failed');
        } else if (op < 0.75) {
          const id = pick();
          if (id !== undefined) deleteBead(t.ctx(now), id);
        } else if (op < 0.9) {
          const id = pick();
          const target = pick();
          if (id !== undefined && target !== undefined && id !== target) {
            try {
              t.sql.transaction(() => replaceBlockers(t.ctx(now), id, [target], null));
            } catch (e) {
              // A cycle is refused (422) and rolled back; anything else is a failure.
              if (!(e instanceof Error && e.name === 'Unprocessable')) throw e;
            }
          }
        } else {
          const id = pick();
          const status = id === undefined ? null : str(t.sql.all(`SELECT status FROM beads WHERE bead_id = ?`, id)[0] ?? { status: 'closed' }, 'status');
          if (id !== undefined && status === 'open') patchBead(t.ctx(now), id, { held: rand() < 0.5 });
        }
        assertCountersExact(t.sql);
        expect(readyWork(t.sql).map((r) => r.id)).toEqual(naiveReady(t.sql));
      }
    }
  }, 60_000); // 5 seeds × hundreds of operations: seconds on a loaded machine
});
