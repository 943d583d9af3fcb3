/**
 * The registry PUT (`container.md` §4 step 2): whenever the set of `starting`/`running` agents
 * changes, `PUT C/registry {registry}` after `registryPutDebounceMs` of quiet. It stays disabled
 * until boot hydration has read the stored registry, so a booting process never overwrites it.
 */
import type { Registry } from '../../../src/protocol/control.ts';
import type { RegistryPut } from '../../../src/protocol/container.ts';
import type { Logger } from '../redact.ts';
import type { Timings } from '../timings.ts';
import type { WorkerClient } from '../worker-client.ts';
import { errorText } from './worker-reports.ts';

/** Debounced registry writer; `snapshot` builds the registry at send time. */
export class RegistrySync {
  readonly #worker: WorkerClient | null;
  readonly #timings: Timings;
  readonly #log: Logger;
  readonly #snapshot: () => Registry;
  #enabled = false;
  #dirty = false;
  #timer: NodeJS.Timeout | null = null;
  #inFlight: Promise<void> | null = null;

  constructor(worker: WorkerClient | null, timings: Timings, log: Logger, snapshot: () => Registry) {
    this.#worker = worker;
    this.#timings = timings;
    this.#log = log;
    this.#snapshot = snapshot;
  }

  /** Allows PUTs from now on (after hydration read the registry); sends one if a change is pending. */
  enable(): void {
    this.#enabled = true;
    if (this.#dirty) this.schedule();
  }

  /** Notes a change; the PUT follows after the debounce. */
  schedule(): void {
    this.#dirty = true;
    if (!this.#enabled || this.#worker === null) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.flush();
    }, this.#timings.registryPutDebounceMs);
  }

  /** Sends the current registry now (or `override`, e.g. the empty registry at the end of a drain). */
  async flush(override?: Registry): Promise<void> {
    const worker = this.#worker;
    if (worker === null) return;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    // One PUT at a time, in order: wait for the previous, then send the newest state.
    while (this.#inFlight !== null) await this.#inFlight;
    this.#dirty = false;
    const registry = override ?? this.#snapshot();
    const body: RegistryPut = { registry };
    this.#inFlight = worker
      .container('PUT', '/registry', body)
      .then(() => this.#log.info('registry.put', { agents: registry.agents.length }))
      .catch((err: unknown) => this.#log.warn('registry.put_failed', { error: errorText(err) }))
      .finally(() => {
        this.#inFlight = null;
      });
    await this.#inFlight;
  }

  /** Cancels a pending PUT (shutdown). */
  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#enabled = false;
  }
}
