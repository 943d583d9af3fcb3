/**
 * The real `kilo serve` backend (`container.md` §1, §5.1): each server is spawned directly by
 * `spawnKiloServe` (its own cwd, env and process group; never `createKiloServer`, which reads
 * process-global state); the SDK client connects with the server's Basic auth, and its one
 * event subscription is `kiloEventStream`. Closing kills the whole group.
 */
import type { ChildProcess } from 'node:child_process';
import { createKiloClient } from '@kilocode/sdk';
import type { Timings } from '../timings.ts';
import type { Logger } from '../redact.ts';
import type { KiloBackend, KiloServerHandle, StartServerOptions } from './backend.ts';
import { spawnKiloServe } from './serve-process.ts';
import { sdkSessionClient } from './sdk-session-client.ts';
import { kiloEventStream } from './event-stream.ts';

/** First connections of the event stream (see event-stream.ts), 250 ms apart. */
const EVENT_CONNECT_ATTEMPTS = 4;
const EVENT_CONNECT_RETRY_MS = 250;

/** Options of the real backend; `kiloBin` is the installed `node_modules/.bin/kilo`. */
export interface RealKiloBackendOptions {
  kiloBin: string;
  timings: Timings;
  log: Logger;
}

/** `kilo serve` children spawned directly (`container.md` §5.1). */
export class RealKiloBackend implements KiloBackend {
  readonly #opts: RealKiloBackendOptions;
  /** Children not yet exited, for `killAllSync`. */
  readonly #children = new Set<ChildProcess>();
  constructor(opts: RealKiloBackendOptions) {
    this.#opts = opts;
  }

  /** KILLs every live server's process group at once (process `exit`: detached groups would outlive us). */
  killAllSync(): void {
    for (const child of this.#children) {
      if (child.pid === undefined) continue;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  async startServer({ workdir, env, signal }: StartServerOptions): Promise<KiloServerHandle> {
    const { timings, log, kiloBin } = this.#opts;
    const server = await spawnKiloServe({
      kiloBin,
      workdir,
      env,
      listenTimeoutMs: timings.serverListenTimeoutMs,
      closeGraceMs: timings.serverCloseGraceMs,
      signal,
      onSpawn: (child, exited) => {
        this.#children.add(child);
        void exited.then(() => this.#children.delete(child));
      },
    });
    const { child, url, output, exited, close } = server;
    const stop = new AbortController();
    void exited.then(() => {
      stop.abort(new Error('kilo serve exited'));
      log.info('kilo.server_exited', { workdir, pid: child.pid, code: child.exitCode, signal: child.signalCode, output_tail: output.toString().slice(-2000) });
    });
    const sdk = createKiloClient({ baseUrl: url, headers: { Authorization: server.authorization } });
    let closing: Promise<void> | null = null;
    log.info('kilo.server_started', { workdir, pid: child.pid, url });
    return {
      url,
      client: sdkSessionClient(sdk, timings.workerCallTimeoutMs),
      events: () => kiloEventStream(sdk, stop.signal, { log, workdir, connectAttempts: EVENT_CONNECT_ATTEMPTS, connectRetryMs: EVENT_CONNECT_RETRY_MS }),
      close: () => {
        closing ??= (async () => {
          stop.abort(new Error('kilo serve closed'));
          await close();
        })();
        return closing;
      },
      exited,
    };
  }
}
