/**
 * Runs the checkpoint child (`container.md` §8) for one kilo.db: `process.execPath` (the Node 22
 * running the control server, which has `node:sqlite`) on kilo-db-checkpoint-child, through
 * `runChild` (argument array, own process group, timeout, abort). The child sits beside this
 * module with the same extension: `.ts` when the control server runs from source (type
 * stripping), `.js` in the built image. Returns the child's verdict; throws when it failed.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { runChild } from '../run-child.ts';

/** The child's one output line. */
const CheckpointLine = z.object({
  busy: z.number().int(),
  log: z.number().int(),
  checkpointed: z.number().int(),
  outcome: z.enum(['copied', 'missing', 'incomplete', 'locked', 'wal_grew']),
});

/** What the checkpoint found: `(busy, log, checkpointed)` and whether a consistent copy was made. */
export type CheckpointResult = z.infer<typeof CheckpointLine>;

/** Bounds of one checkpoint run. */
export interface CheckpointOptions {
  timeoutMs: number;
  /** SQLite busy timeout of the child's connection. */
  busyTimeoutMs: number;
  /** TERM → KILL grace when the child is stopped. */
  killGraceMs: number;
  signal?: AbortSignal;
}

/** The child script beside this module (`.ts` from source, `.js` once built). */
export function checkpointChildPath(moduleUrl: string = import.meta.url): string {
  const extension = moduleUrl.endsWith('.ts') ? '.ts' : '.js';
  return fileURLToPath(new URL(`./kilo-db-checkpoint-child${extension}`, moduleUrl));
}

/** Node flags for the child: strip types when it is TypeScript; no experimental-feature warning. */
function nodeArgs(child: string): string[] {
  return child.endsWith('.ts') ? ['--experimental-strip-types', '--no-warnings'] : ['--no-warnings'];
}

/**
 * Checkpoints `dbFile` (`PRAGMA wal_checkpoint(TRUNCATE)`) and, when complete, copies it to
 * `copyFile` under the write lock. Throws when the child cannot run, times out, fails or prints
 * something else than its verdict.
 */
export async function checkpointKiloDb(dbFile: string, copyFile: string, opts: CheckpointOptions): Promise<CheckpointResult> {
  const child = checkpointChildPath();
  const result = await runChild(process.execPath, [...nodeArgs(child), child, dbFile, copyFile, String(opts.busyTimeoutMs)], {
    cwd: dirname(dbFile),
    env: {},
    timeoutMs: opts.timeoutMs,
    killGraceMs: opts.killGraceMs,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  if (result.aborted) throw new Error('kilo.db checkpoint aborted');
  if (result.timedOut) throw new Error(`kilo.db checkpoint timed out after ${opts.timeoutMs} ms`);
  if (result.code !== 0) throw new Error(`kilo.db checkpoint exited ${result.code ?? result.signal ?? '?'}: ${lastLines(result.stderr)}`);
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new Error(`kilo.db checkpoint printed no verdict: ${lastLines(result.stdout)}`);
  }
  const parsed = CheckpointLine.safeParse(json);
  if (!parsed.success) throw new Error(`kilo.db checkpoint printed an unexpected verdict: ${line.slice(0, 200)}`);
  return parsed.data;
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
}
