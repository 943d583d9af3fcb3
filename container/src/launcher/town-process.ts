/**
 * One town's control server as a child of the local launcher (`container.md` §11): spawned
 * directly (argument array, its own env and process group), its JSON log lines forwarded with
 * `town_id`, ready once it logged `control.listening` and `/health` answers behind the control
 * secret; stopped with SIGTERM/SIGINT, then SIGKILL to its group and every group below it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { CONTROL_SECRET_HEADER } from '../../../src/protocol/control.ts';
import { CappedOutput, childExited } from '../kilo/process-group.ts';
import type { Logger, Redactor } from '../redact.ts';
import type { LauncherTimings } from './launcher-timings.ts';
import { descendantGroups } from './process-tree.ts';

/** How the control server is run: `command args…` (node and its entry). */
export interface ControlEntry {
  command: string;
  args: readonly string[];
}

/** Options of `TownProcess.spawn`. */
export interface TownProcessOptions {
  townId: string;
  entry: ControlEntry;
  /** The child's complete env (nothing is inherited). */
  env: Record<string, string>;
  cwd: string;
  /** The control secret, for the `/health` check. */
  secret: string;
  timings: LauncherTimings;
  log: Logger;
  redactor: Redactor;
  /** Receives each forwarded JSON log line of the child (already redacted). */
  writeLine(line: string): void;
}

/** A start that failed before the server was healthy. */
export class TownStartError extends Error {
  readonly phase: 'spawn' | 'listen' | 'health';
  readonly exitCode: number | null;
  constructor(phase: TownStartError['phase'], message: string, exitCode: number | null = null) {
    super(message);
    this.name = 'TownStartError';
    this.phase = phase;
    this.exitCode = exitCode;
  }
}

export type StopSignal = 'SIGTERM' | 'SIGINT' | 'SIGKILL';

/** Output tail kept for error reports. */
const TAIL_CHARS = 16 * 1024;
/** A non-JSON output line is logged up to this length. */
const LINE_CAP = 4 * 1024;

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

/** A running (or exited) control server. */
export class TownProcess {
  readonly townId: string;
  readonly pid: number;
  /** Resolves when the child has exited, for whatever reason. */
  readonly exited: Promise<void>;
  readonly #child: ChildProcess;
  readonly #opts: TownProcessOptions;
  readonly #tail = new CappedOutput(TAIL_CHARS);
  readonly #listening: Promise<number>;
  #port: number | null = null;
  #graceTimer: NodeJS.Timeout | null = null;
  #stopSent = false;
  #killing: Promise<void> | null = null;

  private constructor(child: ChildProcess, pid: number, opts: TownProcessOptions) {
    this.#child = child;
    this.pid = pid;
    this.#opts = opts;
    this.townId = opts.townId;
    this.exited = childExited(child).then(() => {
      if (this.#graceTimer !== null) clearTimeout(this.#graceTimer);
      opts.log.info('town.exited', { town_id: opts.townId, pid, code: child.exitCode, signal: child.signalCode });
    });
    this.#listening = this.#watchOutput();
    // Awaited by ready(); a child that dies unobserved must not become an unhandled rejection.
    this.#listening.catch(() => undefined);
  }

  /** Spawns the control server in its own process group. Throws `TownStartError` when it cannot be spawned. */
  static spawn(opts: TownProcessOptions): TownProcess {
    const child = spawn(opts.entry.command, [...opts.entry.args], { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) {
      child.on('error', () => undefined);
      throw new TownStartError('spawn', `cannot spawn ${opts.entry.command}`);
    }
    opts.log.info('town.spawned', { town_id: opts.townId, pid: child.pid });
    return new TownProcess(child, child.pid, opts);
  }

  /** The port it listens on, once known. */
  get port(): number | null {
    return this.#port;
  }

  /** True once a stop has been sent and the child has not exited yet. */
  get stopping(): boolean {
    return this.alive && this.#stopSent;
  }

  /** True until the child has exited. */
  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Waits for `control.listening` and a healthy `/health` within `startTimeoutMs`; resolves with the port. */
  async ready(): Promise<number> {
    const { timings } = this.#opts;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TownStartError('listen', `no healthy control server within ${timings.startTimeoutMs} ms\n${this.tail()}`)), timings.startTimeoutMs);
    });
    try {
      return await Promise.race([this.#listening.then((port) => this.#checkHealth(port)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The redacted tail of the child's output. */
  tail(): string {
    return this.#opts.redactor.redact(this.#tail.toString());
  }

  /**
   * Sends `signal` to the group; SIGKILL (to the group and every group below it) after
   * `stopGraceMs`, or at once for SIGKILL or a second stop. Resolves when the child has exited.
   */
  stop(signal: StopSignal): Promise<void> {
    if (!this.alive) return this.exited;
    if (signal === 'SIGKILL' || this.#stopSent) {
      this.#stopSent = true;
      void this.#killTree();
      return this.exited;
    }
    this.#stopSent = true;
    this.#opts.log.info('town.stopping', { town_id: this.townId, pid: this.pid, signal });
    signalGroup(this.pid, signal);
    this.#graceTimer = setTimeout(() => void this.#killTree(), this.#opts.timings.stopGraceMs);
    return this.exited;
  }

  /** SIGKILL to the group, synchronously (the launcher's `exit` handler: no time for a process listing). */
  killNowSync(): void {
    if (this.alive) signalGroup(this.pid, 'SIGKILL');
  }

  /** Lists the groups below the child first (they lose their parent link once it dies), then KILLs all. */
  #killTree(): Promise<void> {
    this.#killing ??= (async () => {
      const groups = await descendantGroups(this.pid, { timeoutMs: this.#opts.timings.psTimeoutMs, path: this.#opts.env.PATH ?? '/usr/bin:/bin' });
      this.#opts.log.warn('town.killed', { town_id: this.townId, pid: this.pid, groups_below: groups.length });
      signalGroup(this.pid, 'SIGKILL');
      for (const group of groups) signalGroup(group, 'SIGKILL');
    })();
    return this.#killing;
  }

  /** Forwards output lines; resolves with the port of the `control.listening` line, rejects on an earlier exit. */
  #watchOutput(): Promise<number> {
    const { log, redactor, townId, writeLine } = this.#opts;
    return new Promise<number>((resolve, reject) => {
      const onLine = (stream: 'stdout' | 'stderr', line: string): void => {
        if (line.trim() === '') return;
        this.#tail.append(`${line}\n`);
        const parsed = parseJsonObject(line);
        if (parsed === null) {
          log.info('town.output', { town_id: townId, stream, line: line.slice(0, LINE_CAP) });
          return;
        }
        writeLine(redactor.redact(JSON.stringify({ town_id: townId, ...parsed })));
        if (parsed.msg === 'control.listening' && typeof parsed.port === 'number') {
          this.#port = parsed.port;
          resolve(parsed.port);
        }
      };
      for (const stream of ['stdout', 'stderr'] as const) {
        let pending = '';
        this.#child[stream]?.on('data', (chunk: Buffer) => {
          pending += chunk.toString('utf8');
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) onLine(stream, line);
        });
      }
      void this.exited.then(() => reject(new TownStartError('listen', `the control server exited (code ${this.#child.exitCode ?? 'null'}) before listening\n${this.tail()}`, this.#child.exitCode)));
    });
  }

  /** `GET /health` with the secret; retried on the `healthRetryMs` schedule. */
  async #checkHealth(port: number): Promise<number> {
    const { secret, timings } = this.#opts;
    let last = '';
    for (let attempt = 0; attempt <= timings.healthRetryMs.length; attempt++) {
      if (attempt > 0) await delay(timings.healthRetryMs[attempt - 1] ?? 0);
      if (!this.alive) break;
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`, { headers: { [CONTROL_SECRET_HEADER]: secret }, signal: AbortSignal.timeout(timings.healthTimeoutMs) });
        await res.body?.cancel();
        if (res.ok) return port;
        last = `HTTP ${res.status}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
    }
    throw new TownStartError('health', `the control server's /health failed: ${last}`, this.#child.exitCode);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The line as a JSON object, else null. */
function parseJsonObject(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
