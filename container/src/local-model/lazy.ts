/**
 * The control server's one local model, started lazily (`container.md` §1, §10): the first start
 * whose provider resolves to it (`needsLocalModel`) calls `url()`, which starts the server once;
 * concurrent and later calls share that promise. A failed start is forgotten so the next start
 * tries again. `close()` stops it at shutdown; after that `url()` refuses.
 */
import type { Logger } from '../redact.ts';
import { startLocalModel } from './server.ts';
import type { LocalModelOptions, LocalModelServer } from './server.ts';

/** Starts a local model (injectable for tests). */
export type LocalModelStarter = (opts: LocalModelOptions) => Promise<LocalModelServer>;

/** Options of `LazyLocalModel`. */
export interface LazyLocalModelOptions extends LocalModelOptions {
  log: Logger;
  start?: LocalModelStarter;
}

/** One lazily started local model. */
export class LazyLocalModel {
  readonly #opts: LazyLocalModelOptions;
  #server: Promise<LocalModelServer> | null = null;
  #closed = false;

  constructor(opts: LazyLocalModelOptions) {
    this.#opts = opts;
  }

  /** True once a start was attempted and has not failed. */
  get started(): boolean {
    return this.#server !== null;
  }

  /** The origin the model listens on (`http://127.0.0.1:<port>`), starting it on the first call. */
  async url(): Promise<string> {
    if (this.#closed) throw new Error('the local model is shut down');
    if (this.#server === null) {
      const { start = startLocalModel, ...serverOpts } = this.#opts;
      const starting = start(serverOpts);
      this.#server = starting;
      starting.catch((err: unknown) => {
        if (this.#server === starting) this.#server = null;
        this.#opts.log.error('local_model.start_failed', { error: err });
      });
    }
    return (await this.#server).url;
  }

  /** Stops the model if it runs; idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const server = this.#server;
    this.#server = null;
    if (server === null) return;
    try {
      await (await server).close();
    } catch (err) {
      this.#opts.log.warn('local_model.close_failed', { error: err });
    }
  }
}
