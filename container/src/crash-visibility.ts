/**
 * Crash visibility (`container.md` §8): an unhandled rejection is logged and the process goes on;
 * an uncaught exception is logged, then the process exits 1; every `memoryLogMs` a
 * `container.memory` line lets an out-of-memory kill be matched to growth. Installed first by main.ts.
 */
import type { Logger } from './redact.ts';
import type { Timings } from './timings.ts';

/** Counts the memory line and the crash lines report, read when they are written. */
export interface CrashStats {
  agents: number;
  activeAgents: number;
  servers: number;
}

/** The process surface the handlers attach to (`process` in production, a fake in tests). */
export interface ProcessLike {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  on(event: 'uncaughtException', listener: (err: Error) => void): unknown;
  off(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  off(event: 'uncaughtException', listener: (err: Error) => void): unknown;
  memoryUsage(): { rss: number; heapUsed: number; external: number };
  exit(code: number): void;
}

/** Options of `installCrashHandlers`. */
export interface CrashVisibilityOptions {
  log: Logger;
  timings: Timings;
  townId: string | null;
  stats(): CrashStats;
  proc?: ProcessLike;
  now?(): number;
}

const MB = 1024 * 1024;

/** Installs the handlers and starts the memory log; the returned function removes both. */
export function installCrashHandlers(opts: CrashVisibilityOptions): () => void {
  const proc: ProcessLike = opts.proc ?? process;
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const safeStats = (): CrashStats | { agents: null; activeAgents: null; servers: null } => {
    try {
      return opts.stats();
    } catch {
      return { agents: null, activeAgents: null, servers: null };
    }
  };

  const onRejection = (reason: unknown): void => {
    opts.log.error('process.unhandled_rejection', {
      ...describe(reason),
      uptime_ms: now() - startedAt,
      agents: safeStats().agents,
      town_id: opts.townId,
    });
  };
  const onException = (err: Error): void => {
    try {
      opts.log.error('process.uncaught_exception', {
        ...describe(err),
        uptime_ms: now() - startedAt,
        agents: safeStats().agents,
        town_id: opts.townId,
      });
    } finally {
      proc.exit(1);
    }
  };
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);

  const timer = setInterval(() => {
    const mem = proc.memoryUsage();
    const s = safeStats();
    opts.log.info('container.memory', {
      rss_mb: round(mem.rss / MB),
      heap_used_mb: round(mem.heapUsed / MB),
      external_mb: round(mem.external / MB),
      agents: s.agents,
      active_agents: s.activeAgents,
      servers: s.servers,
    });
  }, opts.timings.memoryLogMs);
  timer.unref();

  return () => {
    clearInterval(timer);
    proc.off('unhandledRejection', onRejection);
    proc.off('uncaughtException', onException);
  };
}

function describe(reason: unknown): { message: string; stack: string | null } {
  if (reason instanceof Error) return { message: reason.message, stack: reason.stack ?? null };
  return { message: typeof reason === 'string' ? reason : safeJson(reason), stack: null };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
