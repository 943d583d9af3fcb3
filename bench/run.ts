/**
 * `npm run bench`: Gastown's benchmarks, timed from Node. Prints a table and, per figure, one
 * machine line `bench: <name> = <number> <unit>`. The town modules run unchanged over
 * `node:sqlite` (see node-sql.ts); nothing here asserts a threshold.
 */
import { benchBeadCreate, benchReadyQuery } from './town-bench.ts';

interface Figure {
  name: string;
  value: number;
  unit: string;
  note: string;
}

const figures: Figure[] = [];
const create = benchBeadCreate(2000);
figures.push({ name: 'bead_create_per_s', value: create.perSecond, unit: 'beads/s', note: `${create.count} issues via createIssue, one transaction each` });
for (const n of [1000, 10_000]) {
  const label = `${n / 1000}k`;
  const rig = benchReadyQuery(n, 200, 'rig');
  figures.push({ name: `ready_query_p50_${label}_beads`, value: rig.p50, unit: 'ms', note: `dispatch pass (1 rig, ≤ 50); ${rig.ready} ready of ${n}; p95 ${rig.p95.toFixed(3)} ms` });
  const all = benchReadyQuery(n, 100, 'all');
  figures.push({ name: `ready_scan_all_p50_${label}_beads`, value: all.p50, unit: 'ms', note: `every ready bead (${all.ready}) materialised; p95 ${all.p95.toFixed(3)} ms` });
}

const pad = (s: string, n: number) => s.padEnd(n);
console.log(`${pad('benchmark', 30)} ${pad('value', 14)} notes`);
console.log(`${'-'.repeat(30)} ${'-'.repeat(14)} ${'-'.repeat(40)}`);
for (const f of figures) console.log(`${pad(f.name, 30)} ${pad(`${round(f.value)} ${f.unit}`, 14)} ${f.note}`);
console.log('');
for (const f of figures) console.log(`bench: ${f.name} = ${round(f.value)} ${f.unit === 'beads/s' ? 'per_s' : f.unit}`);

function round(v: number): string {
  return v >= 100 ? v.toFixed(0) : v.toFixed(3);
}
