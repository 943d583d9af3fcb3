/**
 * The real `kilo serve` backend (`container.md` §1, §5.1): spawns the CLI directly with its own
 * cwd and env in a new process group (never `createKiloServer`, which reads process-global
 * state), waits for its `listening on <url>` line, then connects the SDK client with Basic auth
 * from a random per-server `KILO_SERVER_PASSWORD`. Closing kills the whole group.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createKiloClient } from '@kilocode/sdk';
import type { Timings } from '../timings.ts';
import type { Logger } from '../redact.ts';
import type { KiloBackend, KiloServerHandle, StartServerOptions } from './backend.ts';
import { CappedOutput, childExited, killProcessGroup } from './process-group.ts';
import { sdkSessionClient } from './sdk-session-client.ts';
import { kiloEventStream } from './event-stream.ts';

/** Output kept per child (the tail), so a chatty server cannot grow the parent's memory. */
const OUTPUT_CAP_CHARS = 64 * 1024;
const LISTENING = /kilo server listening on (https?:\/\/\S+)/;
/** First connections of the event stream (see event-stream.ts), 250 ms apart. */
const EVENT_CONNECT_ATTEMPTS = 4;
const EVENT_CONNECT_RETRY_MS = 250;

/** Options of the real backend; `kiloBin` is the installed `node_modules/.bin/kilo`. */
export interface RealKiloBackendOptions {
  kiloBin: string;
  timings: Timings;
  log: Logger;
}

/** Waits for the listening line; rejects on timeout, abort, exit or spawn error. */
function waitForUrl(child: ChildProcess, output: CappedOutput, timeoutMs: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const cleanups: (() => void)[] = [];
    const finish = (err: Error | null, url?: string): void => {
      for (const fn of cleanups) fn();
      if (err !== null) reject(err);
      else if (url !== undefined) resolve(url);
    };
    const timer = setTimeout(() => finish(new Error(`kilo serve did not report listening within ${timeoutMs} ms`)), timeoutMs);
    cleanups.push(() => clearTimeout(timer));
    const onData = (chunk: Buffer): void => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const match = LISTENING.exec(line);
        if (match?.[1] !== undefined) return finish(null, match[1]);
      }
    };
    child.stdout?.on('data', onData);
    cleanups.push(() => child.stdout?.off('data', onData));
    const onExit = (code: number | null, sig: string | null): void =>
      finish(new Error(`kilo serve exited before listening (code ${code ?? 'null'}, signal ${sig ?? 'none'})\n${output.toString()}`));
    child.once('exit', onExit);
    cleanups.push(() => child.off('exit', onExit));
    const onError = (err: Error): void => finish(err);
    child.once('error', onError);
    cleanups.push(() => child.off('error', onError));
    const onAbort = (): void => finish(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => signal.removeEventListener('abort', onAbort));
  });
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
    signal.throwIfAborted();
    const password = randomBytes(24).toString('base64url');
    const child = spawn(kiloBin, ['serve', '--hostname=127.0.0.1', '--port=0'], {
      cwd: workdir,
      env: { ...env, KILO_SERVER_PASSWORD: password },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = new CappedOutput(OUTPUT_CAP_CHARS);
    child.stdout?.on('data', (c: Buffer) => output.append(c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => output.append(c.toString('utf8')));
    const exited = childExited(child);
    this.#children.add(child);
    void exited.then(() => this.#children.delete(child));
    const close = (): Promise<void> => killProcessGroup(child, exited, timings.serverCloseGraceMs);
    let url: string;
    try {
      url = await waitForUrl(child, output, timings.serverListenTimeoutMs, signal);
    } catch (err) {
      await close();
      throw err;
    }
    const stop = new AbortController();
    void exited.then(() => {
      stop.abort(new Error('kilo serve exited'));
      log.info('kilo.server_exited', { workdir, pid: child.pid, code: child.exitCode, signal: child.signalCode, output_tail: output.toString().slice(-2000) });
    });
    const auth = `Basic ${Buffer.from(`kilo:${password}`).toString('base64')}`;
    const sdk = createKiloClient({ baseUrl: url, headers: { Authorization: auth } });
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
