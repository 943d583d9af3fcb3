/**
 * The one way the control server runs a short child process (git, the checkpoint helper): an
 * argument array (never a shell string), its own process group, a timeout and an `AbortSignal`
 * that kill the whole group (TERM, then KILL after a grace), and captured output capped.
 */
import { spawn } from 'node:child_process';

/** How one child run ended. `code` is null when it was killed by a signal. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
}

/** Options of `runChild`; `env` is the child's complete env (the parent's is never inherited). */
export interface RunChildOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** TERM → KILL grace. */
  killGraceMs: number;
  signal?: AbortSignal;
  /** Per stream; beyond it output is dropped and a marker appended (default 1 MiB). */
  maxOutputBytes?: number;
  input?: string;
}

const DEFAULT_MAX_OUTPUT = 1024 * 1024;

/** Runs `cmd args…` to completion (or kill). Rejects only when the process cannot be spawned. */
export function runChild(cmd: string, args: readonly string[], opts: RunChildOptions): Promise<ChildResult> {
  const max = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted === true) {
      resolve({ code: null, signal: null, stdout: '', stderr: '', timedOut: false, aborted: true });
      return;
    }
    const child = spawn(cmd, [...args], {
      cwd: opts.cwd,
      env: opts.env,
      detached: true, // own process group, so a kill reaches grandchildren (git-remote-https, hooks)
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = capture(max);
    const err = capture(max);
    child.stdout.on('data', out.add);
    child.stderr.on('data', err.add);
    let timedOut = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | null = null;

    const killGroup = (): void => {
      signalGroup(child.pid, 'SIGTERM');
      killTimer ??= setTimeout(() => signalGroup(child.pid, 'SIGKILL'), opts.killGraceMs);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, opts.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const cleanup = (): void => {
      clearTimeout(timer);
      if (killTimer !== null) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e) => {
      cleanup();
      reject(e);
    });
    child.on('close', (code, signal) => {
      cleanup();
      // The leader is gone; anything left in its group after a kill started is a straggler.
      if (timedOut || aborted) signalGroup(child.pid, 'SIGKILL');
      resolve({ code, signal, stdout: out.text(), stderr: err.text(), timedOut, aborted });
    });
    child.stdin.on('error', () => undefined); // a child that exits early closes its stdin
    child.stdin.end(opts.input ?? '');
  });
}

function signalGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

function capture(max: number): { add: (chunk: Buffer) => void; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  let dropped = 0;
  return {
    add: (chunk) => {
      const room = max - size;
      if (room <= 0) {
        dropped += chunk.length;
        return;
      }
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(part);
      size += part.length;
      dropped += chunk.length - part.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8') + (dropped > 0 ? `\n[… ${dropped} bytes dropped]` : ''),
  };
}
