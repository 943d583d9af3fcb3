/**
 * `/git/merge` in the background (`container.md` §2, §9.4): one job per `request_id` (a repeat
 * while it runs is a no-op; a repeat after it ended re-posts the remembered result), the merge
 * itself from `Workspaces.merge`, and the result POSTed to `C/merge-result` with up to 3 retries
 * (the `completionRetryMs` schedule) on network errors, 429 and 5xx.
 */
import type { MergeResultReport } from '../../../src/protocol/container.ts';
import type { GitMerge } from '../../../src/protocol/control.ts';
import type { Logger } from '../redact.ts';
import type { Timings } from '../timings.ts';
import { WorkerCallError } from '../worker-client.ts';
import type { WorkerClient } from '../worker-client.ts';
import { toMergeResultReport } from './merge.ts';
import type { MergeOutcome } from './merge.ts';
import type { Workspaces } from './workspaces.ts';

/** How many finished results are remembered for repeats. */
const REMEMBERED_RESULTS = 500;

/** Collaborators of `MergeJobs`. */
export interface MergeJobsOptions {
  workspaces: Pick<Workspaces, 'merge'>;
  /** Null without an API URL: results are only logged. */
  worker: Pick<WorkerClient, 'mergeResult'> | null;
  timings: Timings;
  log: Logger;
  /** Waits between retries (tests may shorten it); default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
}

/** The background merges of this process. */
export class MergeJobs {
  readonly #opts: MergeJobsOptions;
  readonly #running = new Map<string, Promise<void>>();
  readonly #finished = new Map<string, MergeResultReport>();

  constructor(opts: MergeJobsOptions) {
    this.#opts = opts;
  }

  /** Starts the merge of `body` unless it already ran or runs; returns at once. */
  submit(body: GitMerge): { duplicate: boolean } {
    const id = body.request_id;
    if (this.#running.has(id)) return { duplicate: true };
    const done = this.#finished.get(id);
    if (done !== undefined) {
      this.#track(id, this.#post(done));
      return { duplicate: true };
    }
    this.#track(id, this.#run(body));
    return { duplicate: false };
  }

  /** Resolves once every job started so far has ended (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()]);
  }

  #track(id: string, job: Promise<void>): void {
    const tracked = job.finally(() => {
      if (this.#running.get(id) === tracked) this.#running.delete(id);
    });
    this.#running.set(id, tracked);
  }

  async #run(body: GitMerge): Promise<void> {
    const { log } = this.#opts;
    const outcome: MergeOutcome = await this.#opts.workspaces.merge(body).catch((err: unknown) => ({
      request_id: body.request_id,
      status: 'failed',
      message: err instanceof Error ? err.message : String(err),
    }));
    log.info('merge.finished', { request_id: body.request_id, rig_id: body.rig_id, status: outcome.status, merge_commit: outcome.merge_commit ?? null, message: outcome.message });
    const report = toMergeResultReport(outcome);
    this.#finished.set(body.request_id, report);
    if (this.#finished.size > REMEMBERED_RESULTS) {
      const oldest = this.#finished.keys().next().value;
      if (oldest !== undefined) this.#finished.delete(oldest);
    }
    await this.#post(report);
  }

  /** POSTs `report`, retrying after each delay of `completionRetryMs` on transient failures. */
  async #post(report: MergeResultReport): Promise<void> {
    const { worker, timings, log } = this.#opts;
    if (worker === null) return;
    const sleep = this.#opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const delays = timings.completionRetryMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await worker.mergeResult(report);
        return;
      } catch (err) {
        const transient = !(err instanceof WorkerCallError) || err.status === 0 || err.status === 429 || err.status >= 500;
        const delay = delays[attempt];
        if (!transient || delay === undefined) {
          log.warn('merge.result_post_failed', { request_id: report.request_id, attempts: attempt + 1, error: err instanceof Error ? err.message : String(err) });
          return;
        }
        await sleep(delay);
      }
    }
  }
}
