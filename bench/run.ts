/**
 * `npm run bench`: Gastown's benchmarks, timed from Node. Prints a table and, per figure, one
 * machine line `bench: <name> = <number> <unit>`. The town modules run unchanged over
 * `node:sqlite` (see node-sql.ts); nothing here asserts a threshold.
 */
import { benchBeadCreate, benchReadyQuery } from './town-bench.ts';
import { benchReconcile, benchTick } from './tick-bench.ts';
import { benchHydration } from './hydration-bench.ts';
import { benchSlingToDispatch } from './dispatch-bench.ts';
import { benchEndToEnd } from './e2e-bench.ts';

interface Figure {
  name: string;
  value: number;
  unit: string;
  note: string;
}

/** Runs `fn` with the tick's structured log lines muted (they would drown the table). */
async function quiet<T>(fn: () => Promise<T> | T): Promise<T> {
  const log = console.log;
  const warn = console.warn;
  console.log = () => undefined;
  console.warn = () => undefined;
  try {
    return await fn();
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

const figures: Figure[] = [];
const create = benchBeadCreate(2000);
figures.push({ name: 'bead_create_per_s', value: create.perSecond, unit: 'per_s', note: `${create.count} issues via createIssue, one transaction each` });
for (const n of [1000, 10_000]) {
  const label = `${n / 1000}k`;
  const rig = benchReadyQuery(n, 200, 'rig');
  figures.push({ name: `ready_query_p50_${label}_beads`, value: rig.p50, unit: 'ms', note: `dispatch pass (1 rig, ≤ 50); ${rig.ready} ready of ${n}; p95 ${rig.p95.toFixed(3)} ms` });
  const all = benchReadyQuery(n, 100, 'all');
  figures.push({ name: `ready_scan_all_p50_${label}_beads`, value: all.p50, unit: 'ms', note: `every ready bead (${all.ready}) materialised; p95 ${all.p95.toFixed(3)} ms` });
}
for (const [beads, agents] of [
  [1000, 50],
  [10_000, 50],
  [1000, 200],
  [10_000, 200],
] as const) {
  const label = `${beads / 1000}k_beads${agents === 200 ? '_200_agents' : ''}`;
  const tick = await quiet(() => benchTick(beads, agents, 40));
  figures.push({ name: `tick_p50_${label}`, value: tick.p50, unit: 'ms', note: `whole tick, ${agents} agents, instant executor` });
  if (beads === 10_000) figures.push({ name: `tick_p95_${label}`, value: tick.p95, unit: 'ms', note: `whole tick, ${agents} agents` });
  const pure = await quiet(() => benchReconcile(beads, agents, 40));
  figures.push({ name: `reconcile_p50_${label}`, value: pure.p50, unit: 'ms', note: 'pure reconcile() over the SQL view' });
}

const dispatch = await quiet(() => benchSlingToDispatch());
figures.push({ name: 'sling_to_dispatch_p50', value: dispatch.p50, unit: 'ms', note: 'sling → tick → /agents/start received by the fake transport' });
const hydration = await quiet(() => benchHydration(20, 300));
figures.push({ name: 'hydration_start_ms', value: hydration.hydration_start_ms, unit: 'ms', note: 'fresh /agents/start while 20 registry agents resume (fake kilo, 300 ms server start)' });
figures.push({ name: 'hydration_start_sequential_ms', value: hydration.hydration_start_sequential_ms, unit: 'ms', note: 'same, strictly sequential resume under one global lock' });
figures.push({ name: 'hydration_start_ratio', value: hydration.hydration_start_ratio, unit: 'ratio', note: 'this design / sequential (lower is better)' });

// The whole town on this machine (minutes: every run boots a container and kilo sessions);
// GASTOWN_BENCH_E2E=0 skips it.
if (process.env.GASTOWN_BENCH_E2E !== '0') {
  const e2e = await quiet(() => benchEndToEnd());
  const runs = (xs: number[]) => xs.map((s) => s.toFixed(1)).join(', ');
  figures.push({ name: 'message_to_merge_p50', value: e2e.message_to_merge_p50, unit: 's', note: `mayor message → bead closed, fresh town per run (${runs(e2e.message_to_merge_s)} s)` });
  figures.push({ name: 'sling_to_merge_p50', value: e2e.sling_to_merge_p50, unit: 's', note: `sling → bead closed, fresh town per run (${runs(e2e.sling_to_merge_s)} s)` });
}

const pad = (s: string, n: number) => s.padEnd(n);
console.log(`${pad('benchmark', 36)} ${pad('value', 14)} notes`);
console.log(`${'-'.repeat(36)} ${'-'.repeat(14)} ${'-'.repeat(40)}`);
for (const f of figures) console.log(`${pad(f.name, 36)} ${pad(`${round(f.value)} ${f.unit}`, 14)} ${f.note}`);
console.log('');
for (const f of figures) console.log(`bench: ${f.name} = ${round(f.value)} ${f.unit}`);

function round(v: number): string {
  return v >= 100 ? v.toFixed(0) : v.toFixed(3);
}
