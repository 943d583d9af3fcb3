/**
 * End-to-end latency of the whole town on this machine, from the e2e harness
 * (`test/e2e/support/`): the worker in local mode, the launcher, control servers, `kilo serve`
 * on the local model, real git, `GASTOWN_TIMING=test`.
 *
 * * `message_to_merge` — a user message to the mayor until the bead it slings is closed (its
 *   polecat's commit merged into `main` by the refinery);
 * * `sling_to_merge` — a sling until the bead is closed.
 *
 * Each run uses a fresh town (so every run includes the container's cold start) and a fresh bare
 * repository; runs are sequential. `npm run bench` calls `benchEndToEnd`; standalone:
 * `node --experimental-transform-types --no-warnings bench/e2e-bench.ts [runs]`.
 */
import { fileURLToPath } from 'node:url';
import { startSuite, townWithRig, waitClosed, type E2eSuite } from '../test/e2e/support/suite.ts';

/** One run's bound: a cold town on a loaded machine. */
const RUN_TIMEOUT_MS = 480_000;
const DEFAULT_RUNS = 3;

export interface EndToEndBench {
  message_to_merge_p50: number;
  sling_to_merge_p50: number;
  /** Seconds of every run, in order. */
  message_to_merge_s: number[];
  sling_to_merge_s: number[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function messageToMerge(suite: E2eSuite, run: number): Promise<number> {
  const { town, rig } = await townWithRig(suite, `bench-message-${run}`);
  const started = performance.now();
  await town.messageMayor(`Add \`bench/message-${run}.txt\` with \`run ${run}\``);
  const issue = await town.waitFor('the mayor to sling a bead', async () => (await town.beads('&type=issue')).find((b) => b.rig_id === rig.id), { timeoutMs: RUN_TIMEOUT_MS, intervalMs: 200 });
  await waitClosed(town, issue.id, RUN_TIMEOUT_MS);
  return (performance.now() - started) / 1000;
}

async function slingToMerge(suite: E2eSuite, run: number): Promise<number> {
  const { town, rig } = await townWithRig(suite, `bench-sling-${run}`);
  const started = performance.now();
  const bead = await town.sling({ rig_id: rig.id, title: `Add \`bench/sling-${run}.txt\` with \`run ${run}\`` });
  await waitClosed(town, bead.id, RUN_TIMEOUT_MS);
  return (performance.now() - started) / 1000;
}

/** `runs` message→merge and `runs` sling→merge runs on one stack; p50s in seconds. */
export async function benchEndToEnd(runs: number = DEFAULT_RUNS): Promise<EndToEndBench> {
  const suite = await startSuite();
  try {
    const message: number[] = [];
    const sling: number[] = [];
    for (let i = 0; i < runs; i++) {
      message.push(await messageToMerge(suite, i));
      sling.push(await slingToMerge(suite, i));
    }
    return { message_to_merge_p50: median(message), sling_to_merge_p50: median(sling), message_to_merge_s: message, sling_to_merge_s: sling };
  } finally {
    await suite.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = Number(process.argv[2] ?? DEFAULT_RUNS);
  const result = await benchEndToEnd(Number.isInteger(arg) && arg > 0 ? arg : DEFAULT_RUNS);
  console.log(`runs (s): message_to_merge ${result.message_to_merge_s.map((s) => s.toFixed(1)).join(', ')}; sling_to_merge ${result.sling_to_merge_s.map((s) => s.toFixed(1)).join(', ')}`);
  console.log(`bench: message_to_merge_p50 = ${result.message_to_merge_p50.toFixed(1)} s`);
  console.log(`bench: sling_to_merge_p50 = ${result.sling_to_merge_p50.toFixed(1)} s`);
}
