/**
 * The hydration gate (`container.md` §3): starts resolved, so a process that never hydrates never
 * blocks. `run(fn)` makes a new promise, keeps its resolver in a LOCAL variable, assigns the gate
 * synchronously before its first await and resolves it in `finally` (success, error or skip); a
 * call during a run returns the running promise. Routes `await gate.wait()` before touching state.
 */

/** One gate per process (created in main.ts). */
export class HydrationGate {
  #gate: Promise<void> = Promise.resolve();
  #running: Promise<void> | null = null;
  #hydrated = true;

  /** False while a hydration runs (`/health.hydrated`). */
  get hydrated(): boolean {
    return this.#hydrated;
  }

  /** The gate: resolves once no hydration runs. */
  wait(): Promise<void> {
    return this.#gate;
  }

  /** Runs `fn` behind the gate; a call while one runs returns that run's promise. Never rejects. */
  run(fn: () => Promise<void>): Promise<void> {
    if (this.#running !== null) return this.#running;
    let resolve: () => void = () => undefined;
    // Assigned synchronously, before anything awaits: every later route call sees the new gate.
    this.#gate = new Promise<void>((r) => {
      resolve = r;
    });
    this.#hydrated = false;
    // `fn` starts on the next microtask, so `#running` is set before it can settle.
    const run = Promise.resolve()
      .then(fn)
      .finally(() => {
        this.#hydrated = true;
        this.#running = null;
        resolve();
      });
    this.#running = run.catch(() => undefined);
    return this.#running;
  }
}
