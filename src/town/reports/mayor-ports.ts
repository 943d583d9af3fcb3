/**
 * What the mayor commands need from the TownDO, as plain functions: a write (one transaction,
 * effect intents run after commit, named errors thrown), a read, the clock, the container's
 * control client and the drain cap. The DO builds one per call; tests can build their own.
 */
import type { ControlClient } from '../../container/control-client.ts';
import type { Env } from '../../env.ts';
import type { TownCtx } from '../context.ts';
import type { SqlHandle } from '../db/sql.ts';

export interface MayorPorts {
  env: Env;
  write<T>(fn: (ctx: TownCtx) => T): Promise<T>;
  read<T>(fn: (sql: SqlHandle) => T): T;
  now(): number;
  control(): ControlClient;
  drainMaxMs: number;
}

/** Calls to the control server give up after 10 s (`http-api.md` §1.2, 503 `container_unavailable`). */
export const MAYOR_CONTROL_TIMEOUT_MS = 10_000;
