/**
 * Dispatch latency from Node: a sling, then one tick with the real `ContainerExecutor`, until the
 * fake container's control server receives the bead's `/agents/start` (request built, token
 * minted, config serialized, validated, sent through the shared container behaviour). Timed per
 * bead on `node:sqlite`; the agent and bead are reset between runs (not timed).
 */
import { performance } from 'node:perf_hooks';
import { migrate } from '../src/town/migrations/index.ts';
import { createTownRow } from '../src/town/records/town-record.ts';
import { sling } from '../src/town/commands.ts';
import { thresholdsFor } from '../src/town/reconciler/constants.ts';
import { runTick } from '../src/town/reconciler/tick.ts';
import { ContainerExecutor } from '../src/town/dispatch/container-executor.ts';
import type { TransportRequest } from '../src/container/transport.ts';
import { FakeContainer } from '../test/fakes/fake-container.ts';
import { nodeSql } from './node-sql.ts';

const SECRET = 'bench-secret';
const iso = (t: number) => new Date(t).toISOString();

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** p50 (and p95) of sling → `/agents/start` received, in ms, over `runs` beads. */
export async function benchSlingToDispatch(runs = 40): Promise<{ p50: number; p95: number }> {
  const sql = nodeSql();
  let now = Date.parse('2026-01-01T00:00:00.000Z');
  migrate(sql, iso(now));
  const townId = crypto.randomUUID();
  createTownRow(sql, { id: townId, name: 'bench', ownerId: 'bench', now });
  const rigId = crypto.randomUUID();
  sql.run(`INSERT INTO rigs (rig_id, name, git_url, created_at, updated_at) VALUES (?, 'app', 'https://github.com/acme/app.git', ?, ?)`, rigId, iso(now), iso(now));
  const container = new FakeContainer({ townId, jwtSecret: SECRET, now: () => now });
  const env = { GASTOWN_JWT_SECRET: SECRET, GASTOWN_API_URL: 'http://127.0.0.1:8787', ENVIRONMENT: 'production' };
  const thresholds = thresholdsFor('production');
  const executor = new ContainerExecutor({ env, sql: () => sql, container: () => container, thresholds: () => thresholds, development: false });
  // When the control server receives each start.
  let receivedAt: number | null = null;
  const send = container.transport.send.bind(container.transport);
  container.transport.send = async (town: string, req: TransportRequest) => {
    if (req.path === '/agents/start' && receivedAt === null) receivedAt = performance.now();
    return send(town, req);
  };
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i += 1) {
    now += 60_000;
    receivedAt = null;
    const started = performance.now();
    const bead = sql.transaction(() => sling({ sql, now, townId, actor: 'user:bench', development: false, effects: [] }, { rig_id: rigId, title: `Task ${i}`, body: 'Do it.' }));
    await runTick({ sql, now: () => now, executor, thresholds, development: false, alert: () => undefined });
    if (receivedAt === null) throw new Error(`bead ${bead.id} was not dispatched`);
    if (i >= 3) times.push(receivedAt - started);
    // Reset (not timed): the bead is done and its polecat free again.
    sql.run(`UPDATE beads SET status = 'closed', closed_at = ? WHERE bead_id = ?`, iso(now), bead.id);
    sql.run(`UPDATE agent_metadata SET status = 'idle', current_hook_bead_id = NULL WHERE current_hook_bead_id = ?`, bead.id);
    sql.run(`UPDATE beads SET assignee_agent_bead_id = NULL WHERE bead_id = ?`, bead.id);
    sql.run(`UPDATE town_events SET processed_at = ? WHERE processed_at IS NULL`, iso(now));
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95) };
}
