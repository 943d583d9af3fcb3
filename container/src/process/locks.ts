/**
 * Keyed mutexes (`container.md` §5.1, §5.3): one per workdir (server creation) and one per agent
 * (start, stop, model swap). Different keys run in parallel; a holder's throw releases the lock;
 * a waiter can give up through an `AbortSignal` without disturbing the queue.
 */

/** A FIFO mutex per key; idle keys hold no memory. */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** True while some call holds or waits for `key`. */
  isBusy(key: string): boolean {
    return this.#tails.has(key);
  }

  /**
   * Runs `fn` once every earlier holder of `key` has finished. Rejects with the signal's reason
   * when `signal` aborts while waiting (then `fn` never runs).
   */
  async run<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    try {
      await waitOrAbort(previous, signal);
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

/** `p`, or a rejection with the signal's reason when it aborts first. */
function waitOrAbort(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return p;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** The per-agent mutex of §5.3. */
export class AgentLocks {
  readonly #lock = new KeyedLock();

  /** Serialises `fn` with every other start, stop and model swap of `agentId`. */
  withAgentLock<T>(agentId: string, fn: () => Promise<T>): Promise<T> {
    return this.#lock.run(agentId, fn);
  }
}
