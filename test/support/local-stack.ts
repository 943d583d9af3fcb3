/**
 * A whole local Gastown for node-side end-to-end tests (browser tests, and later e2e suites):
 * the worker in local mode (`wrangler.jsonc` env `local`, workerd through wrangler's
 * `unstable_startWorker`, with its own port and state dir and file watching off) and, when asked,
 * the local launcher (`container/src/launcher.ts`, one control server per town) on its own port,
 * both with `GASTOWN_TIMING=test` unless told otherwise. Everything lives in one temp dir, removed
 * by `stop()`.
 *
 *   const stack = await startLocalStack({ launcher: true });
 *   const token = await stack.devToken();
 *   …
 *   await stack.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unstable_startWorker } from 'wrangler';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOST = '127.0.0.1';
/** How long the worker or the launcher may take to answer /health (first builds are slow). */
const READY_TIMEOUT_MS = 120_000;
/** SIGINT → SIGKILL of the launcher's process group. */
const LAUNCHER_STOP_GRACE_MS = 10_000;
/** Lines of child output kept for `logs()`. */
const MAX_LOG_LINES = 2_000;

export interface LocalStackOptions {
  /** Also start the local launcher, so towns get real control servers and agent sessions. */
  launcher: boolean;
  /**
   * The worker's reconciler timing profile (the launcher always runs `GASTOWN_TIMING=test`).
   * Default `test`: deadlines ÷ 60 (`src/town/reconciler/constants.ts`); `production` keeps the
   * real ones, for a test that needs a town to sit still.
   */
  workerTiming?: 'test' | 'production';
}

export interface LocalStack {
  /** The worker's base URL, e.g. `http://127.0.0.1:40123` (dashboard at `/`, API under `/api`). */
  baseUrl: string;
  /** The launcher's base URL, or null when it was not started. */
  launcherUrl: string | null;
  /** The temp dir holding the worker state (`wrangler/`) and the launcher's towns (`towns/`). */
  stateDir: string;
  /** A fresh user token from `POST /api/dev/token` (user `dev` unless named). */
  devToken(userId?: string): Promise<string>;
  /** The launcher's recent output (for a failing test's message). */
  logs(): string;
  /** Calls `listener` with every later launcher output line (prefixed `[launcher]`); returns the unsubscribe. */
  onLine(listener: (line: string) => void): () => void;
  /** Stops the launcher (its control servers too) and the worker, then removes the state dir. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port === 0 ? reject(new Error('no free port')) : resolve(port)));
    });
  });
}

async function waitHealthy(base: string, isDead: () => string | null): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const dead = isDead();
    if (dead !== null) throw new Error(dead);
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `status ${res.status}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${base}/health did not answer within ${READY_TIMEOUT_MS / 1000} s (${last})`);
}

/** Runs a node script to completion; rejects with its output on failure. */
function runNode(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`node ${args.join(' ')} failed (${code}): ${output.slice(-4_000)}`))));
  });
}

class LineLog {
  readonly lines: string[] = [];
  readonly listeners = new Set<(line: string) => void>();
  push(chunk: Buffer, prefix: string): void {
    for (const line of chunk.toString().split('\n')) {
      if (line === '') continue;
      const prefixed = `${prefix} ${line}`;
      this.lines.push(prefixed);
      if (this.lines.length > MAX_LOG_LINES) this.lines.shift();
      for (const listener of this.listeners) listener(prefixed);
    }
  }
}

function startLauncher(port: number, townsDir: string, log: LineLog): ChildProcess {
  const entry = join(ROOT, 'container', 'src', 'launcher.ts');
  const child = spawn(process.execPath, ['--experimental-transform-types', '--no-warnings', entry], {
    cwd: ROOT,
    // Its own process group, so stop() reaches the control servers and sessions it spawned.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port), GASTOWN_TIMING: 'test', GASTOWN_TOWNS_DIR: townsDir },
  });
  child.stdout?.on('data', (d: Buffer) => log.push(d, '[launcher]'));
  child.stderr?.on('data', (d: Buffer) => log.push(d, '[launcher]'));
  return child;
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (sig: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, sig);
    } catch {
      // the group is already gone
    }
  };
  // SIGINT is the launcher's fast local exit: its control servers skip the drain.
  signal('SIGINT');
  const timer = setTimeout(() => signal('SIGKILL'), LAUNCHER_STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Starts the worker (and optionally the launcher) on free loopback ports. */
export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const stateDir = await mkdtemp(join(tmpdir(), 'gastown-stack-'));
  const log = new LineLog();
  let launcher: ChildProcess | null = null;
  let worker: Awaited<ReturnType<typeof unstable_startWorker>> | null = null;
  const stop = async (): Promise<void> => {
    if (launcher !== null) await stopGroup(launcher);
    launcher = null;
    if (worker !== null) await worker.dispose();
    worker = null;
    await rm(stateDir, { recursive: true, force: true });
  };
  try {
    await runNode([join(ROOT, 'scripts', 'build-dashboard.mjs')]);
    const workerPort = await freePort();
    const baseUrl = `http://${HOST}:${workerPort}`;
    let launcherUrl: string | null = null;
    if (opts.launcher) {
      const port = await freePort();
      launcherUrl = `http://${HOST}:${port}`;
      const child = startLauncher(port, join(stateDir, 'towns'), log);
      launcher = child;
      await waitHealthy(launcherUrl, () => (child.exitCode !== null || child.signalCode !== null ? `the launcher exited early:\n${log.lines.slice(-40).join('\n')}` : null));
    }
    const vars: Record<string, string> = { GASTOWN_API_URL: baseUrl };
    if (opts.workerTiming !== 'production') vars.GASTOWN_TIMING = 'test';
    // Without a launcher, a port nobody listens on: never the default 8790 a running `npm start` uses.
    vars.LOCAL_LAUNCHER_URL = launcherUrl ?? `http://${HOST}:${await freePort()}`;
    worker = await unstable_startWorker({
      config: join(ROOT, 'wrangler.jsonc'),
      env: 'local',
      bindings: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: 'plain_text', value }])),
      // No watching: another edit in the tree must not reload the worker under a running test.
      dev: { server: { hostname: HOST, port: workerPort }, inspector: false, watch: false, persist: join(stateDir, 'wrangler'), logLevel: 'warn' },
    });
    await worker.ready;
    await waitHealthy(baseUrl, () => null);
    return {
      baseUrl,
      launcherUrl,
      stateDir,
      logs: () => log.lines.join('\n'),
      onLine: (listener) => {
        log.listeners.add(listener);
        return () => log.listeners.delete(listener);
      },
      devToken: async (userId?: string) => {
        const res = await fetch(`${baseUrl}/api/dev/token`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(userId === undefined ? {} : { user_id: userId }),
        });
        const body: unknown = await res.json();
        const token = typeof body === 'object' && body !== null && 'data' in body && typeof body.data === 'object' && body.data !== null && 'token' in body.data ? body.data.token : null;
        if (res.status !== 201 || typeof token !== 'string') throw new Error(`POST /api/dev/token answered ${res.status}`);
        return token;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
