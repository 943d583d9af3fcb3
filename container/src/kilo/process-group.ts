/**
 * Child-process helpers for `kilo serve` (`container.md` §1, §5.1): a capped output buffer and
 * the group kill (TERM to the whole process group, KILL after a grace). The child must have been
 * spawned with `detached: true` so that it leads its own group (the CLI wrapper forks the binary).
 */
import type { ChildProcess } from 'node:child_process';

/** Keeps the last `cap` characters written to it (a child's stdout/stderr). */
export class CappedOutput {
  #text = '';
  #dropped = 0;
  readonly #cap: number;
  constructor(cap: number) {
    this.#cap = cap;
  }

  append(chunk: string): void {
    this.#text += chunk;
    if (this.#text.length > this.#cap) {
      this.#dropped += this.#text.length - this.#cap;
      this.#text = this.#text.slice(-this.#cap);
    }
  }

  /** The kept tail, prefixed with a marker when older output was dropped. */
  toString(): string {
    return this.#dropped > 0 ? `[${this.#dropped} chars dropped]\n${this.#text}` : this.#text;
  }
}

/** A promise resolved when `child` has exited (at once if it already has). */
export function childExited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

/** Sends `signal` to the group led by `pid`; false when no such group exists any more. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * TERM to the child's process group, KILL to the group after `graceMs` if the leader or any
 * member is still there. Resolves once the leader has exited and the group is gone or killed.
 */
export async function killProcessGroup(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  if (!signalGroup(pid, 'SIGTERM')) return exited;
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      signalGroup(pid, 'SIGKILL');
      resolve();
    }, graceMs);
  });
  try {
    await Promise.race([exited, killed]);
    // The leader is gone; members that outlived it get the KILL at the end of the grace.
    if (signalGroup(pid, 0)) await killed;
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
