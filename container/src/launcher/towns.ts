/**
 * The launcher's towns (`container.md` §11): at most one control server per town, started on
 * demand with §1's boot env (a second start of a running town is a no-op; concurrent starts share
 * one), stopped by signal, and all stopped together when the launcher exits. State lives here.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger, Redactor } from '../redact.ts';
import type { LauncherTimings } from './launcher-timings.ts';
import { TownProcess } from './town-process.ts';
import type { ControlEntry, StopSignal } from './town-process.ts';
import { INHERITED_ENV_KEYS } from '../env/build-agent-env.ts';

/** Keys of the launcher's own env a control server inherits (everything else comes from the boot env). */
const PASS_THROUGH_KEYS: readonly string[] = ['PATH', 'HOME', ...INHERITED_ENV_KEYS];

/** Options of `Towns`. */
export interface TownsOptions {
  entry: ControlEntry;
  /** `<repo>/.gastown/towns`: each town's `GASTOWN_DATA_ROOT` is `<townsDir>/<townId>`. */
  townsDir: string;
  /** The launcher's env, read only (pass-through keys). */
  baseEnv: Readonly<Record<string, string | undefined>>;
  timings: LauncherTimings;
  log: Logger;
  redactor: Redactor;
  /** Where forwarded control-server log lines go. */
  writeLine(line: string): void;
}

/** The result of a start. */
export interface TownStarted {
  port: number;
  pid: number;
  alreadyRunning: boolean;
}

/** A start refused because the town's previous control server has not exited yet. */
export class TownBusyError extends Error {
  constructor(townId: string) {
    super(`the previous control server of town ${townId} is still stopping`);
    this.name = 'TownBusyError';
  }
}

/** One control server per town. */
export class Towns {
  readonly #opts: TownsOptions;
  readonly #towns = new Map<string, TownProcess>();
  readonly #starting = new Map<string, Promise<TownStarted>>();

  constructor(opts: TownsOptions) {
    this.#opts = opts;
  }

  /** The town's data root. */
  dataRoot(townId: string): string {
    return join(this.#opts.townsDir, townId);
  }

  /** The complete env of the town's control server: pass-through keys, the boot env, then the launcher's own keys. */
  childEnv(townId: string, bootEnv: Readonly<Record<string, string>>): Record<string, string> {
    const env: Record<string, string> = {};
    for (const key of PASS_THROUGH_KEYS) {
      const value = this.#opts.baseEnv[key];
      if (value !== undefined && value !== '') env[key] = value;
    }
    Object.assign(env, bootEnv, {
      GASTOWN_TOWN_ID: townId,
      GASTOWN_DATA_ROOT: this.dataRoot(townId),
      GASTOWN_LOCAL_MODEL: 'allow',
      // Port 0: the control server binds a free loopback port and logs it (`control.listening`).
      PORT: '0',
      GASTOWN_BIND: '127.0.0.1',
    });
    return env;
  }

  /** Starts the town's control server unless it runs; resolves once `/health` answers. */
  start(townId: string, bootEnv: Readonly<Record<string, string>>): Promise<TownStarted> {
    const inFlight = this.#starting.get(townId);
    if (inFlight !== undefined) return inFlight;
    const current = this.#towns.get(townId);
    if (current !== undefined && current.alive && !current.stopping && current.port !== null) {
      return Promise.resolve({ port: current.port, pid: current.pid, alreadyRunning: true });
    }
    const run = this.#spawn(townId, bootEnv, current).finally(() => this.#starting.delete(townId));
    this.#starting.set(townId, run);
    return run;
  }

  async #spawn(townId: string, bootEnv: Readonly<Record<string, string>>, previous: TownProcess | undefined): Promise<TownStarted> {
    const { redactor, timings } = this.#opts;
    if (previous !== undefined && previous.alive) {
      // A stopping server still owns the data root: wait for it (bounded), never run two.
      await Promise.race([previous.exited, new Promise<void>((resolve) => setTimeout(resolve, timings.startTimeoutMs).unref())]);
      if (previous.alive) throw new TownBusyError(townId);
    }
    const secret = bootEnv.GASTOWN_CONTROL_SECRET ?? '';
    redactor.addSecret(secret);
    redactor.addSecret(bootEnv.GASTOWN_CONTAINER_TOKEN);
    await mkdir(this.dataRoot(townId), { recursive: true });
    const town = TownProcess.spawn({ ...this.#opts, townId, env: this.childEnv(townId, bootEnv), cwd: this.dataRoot(townId), secret });
    this.#towns.set(townId, town);
    void town.exited.then(() => {
      if (this.#towns.get(townId) === town) this.#towns.delete(townId);
    });
    try {
      const port = await town.ready();
      this.#opts.log.info('town.started', { town_id: townId, pid: town.pid, port });
      return { port, pid: town.pid, alreadyRunning: false };
    } catch (err) {
      await town.stop('SIGKILL');
      throw err;
    }
  }

  /** The port of a running, ready town (stopping counts as running until it exits), else null. */
  portOf(townId: string): number | null {
    const town = this.#towns.get(townId);
    return town !== undefined && town.alive ? town.port : null;
  }

  /** What `GET /towns/:townId` reports, or null when the town has no live control server. */
  describe(townId: string): { pid: number; port: number | null; stopping: boolean } | null {
    const town = this.#towns.get(townId);
    return town === undefined || !town.alive ? null : { pid: town.pid, port: town.port, stopping: town.stopping };
  }

  /** Signals the town's control server (KILL after the grace); null when none runs. Does not wait for the exit. */
  stop(townId: string, signal: StopSignal): { pid: number } | null {
    const town = this.#towns.get(townId);
    if (town === undefined || !town.alive) return null;
    void town.stop(signal);
    return { pid: town.pid };
  }

  /** Stops every town with `signal` and resolves once all have exited (each KILLed after the grace). */
  async stopAll(signal: StopSignal): Promise<void> {
    await Promise.all([...this.#towns.values()].map((town) => town.stop(signal)));
  }

  /** SIGKILLs every town's group at once (the launcher's `exit` handler). */
  killAllSync(): void {
    for (const town of this.#towns.values()) town.killNowSync();
  }
}
