/**
 * One `kilo serve` process (`container.md` §5.1): spawned in its own process group with its own
 * cwd and env and a random per-server `KILO_SERVER_PASSWORD`, on a loopback port kilo picks;
 * resolved once it prints its `listening on <url>` line. Closing kills the whole group. The
 * container's backend and the plugin's schema test both start servers through this.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CappedOutput, childExited, killProcessGroup } from './process-group.ts';

/** Output kept per child (the tail), so a chatty server cannot grow the parent's memory. */
const OUTPUT_CAP_CHARS = 64 * 1024;
const LISTENING = /kilo server listening on (https?:\/\/\S+)/;

export interface SpawnKiloServeOptions {
  kiloBin: string;
  workdir: string;
  /** The server's whole env (the password is added). */
  env: Record<string, string | undefined>;
  listenTimeoutMs: number;
  /** SIGTERM → SIGKILL grace when closing. */
  closeGraceMs: number;
  signal: AbortSignal;
  /** Called with the child as soon as it is spawned (before it listens). */
  onSpawn?: (child: ChildProcess, exited: Promise<void>) => void;
}

/** A listening server. */
export interface KiloServeProcess {
  child: ChildProcess;
  url: string;
  /** The `Authorization` header value for this server (Basic, user `kilo`). */
  authorization: string;
  /** The tail of its stdout and stderr. */
  output: CappedOutput;
  exited: Promise<void>;
  /** Kills the process group (TERM, then KILL after the grace); resolves once it exited. */
  close(): Promise<void>;
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

/** Spawns `kilo serve` and waits until it listens; a failed start leaves no process behind. */
export async function spawnKiloServe(opts: SpawnKiloServeOptions): Promise<KiloServeProcess> {
  opts.signal.throwIfAborted();
  const password = randomBytes(24).toString('base64url');
  const child = spawn(opts.kiloBin, ['serve', '--hostname=127.0.0.1', '--port=0'], {
    cwd: opts.workdir,
    env: { ...opts.env, KILO_SERVER_PASSWORD: password },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = new CappedOutput(OUTPUT_CAP_CHARS);
  child.stdout?.on('data', (c: Buffer) => output.append(c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => output.append(c.toString('utf8')));
  const exited = childExited(child);
  opts.onSpawn?.(child, exited);
  const close = (): Promise<void> => killProcessGroup(child, exited, opts.closeGraceMs);
  try {
    const url = await waitForUrl(child, output, opts.listenTimeoutMs, opts.signal);
    return { child, url, authorization: `Basic ${Buffer.from(`kilo:${password}`).toString('base64')}`, output, exited, close };
  } catch (err) {
    await close();
    throw err;
  }
}
