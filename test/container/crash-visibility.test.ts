/**
 * Tests of `installCrashHandlers` (`container.md` §8) with a fake process: an unhandled
 * rejection is logged and nothing exits; an uncaught exception is logged then exit(1); the
 * memory line carries the counts; the stop function removes everything.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installCrashHandlers } from '../../container/src/crash-visibility.ts';
import type { ProcessLike } from '../../container/src/crash-visibility.ts';
import { timingsFor } from '../../container/src/timings.ts';
import { captureLog } from './helpers.ts';

class FakeProcess extends EventEmitter implements ProcessLike {
  exits: number[] = [];
  memoryUsage() {
    return { rss: 200 * 1024 * 1024, heapUsed: 50 * 1024 * 1024, external: 5 * 1024 * 1024 };
  }
  exit(code: number): void {
    this.exits.push(code);
  }
}

const STATS = () => ({ agents: 3, activeAgents: 2, servers: 1 });

describe('installCrashHandlers', () => {
  it('logs an unhandled rejection and goes on', () => {
    const proc = new FakeProcess();
    const cap = captureLog();
    const stop = installCrashHandlers({ log: cap.log, timings: timingsFor({}), townId: 'town-1', stats: STATS, proc });
    proc.emit('unhandledRejection', new Error('boom'));
    proc.emit('unhandledRejection', 'plain reason');
    expect(proc.exits).toEqual([]);
    const lines = cap.lines.filter((l) => l.msg === 'process.unhandled_rejection');
    expect(lines[0]).toMatchObject({ level: 'error', message: 'boom', agents: 3, town_id: 'town-1' });
    expect(typeof lines[0]?.stack).toBe('string');
    expect(typeof lines[0]?.uptime_ms).toBe('number');
    expect(lines[1]).toMatchObject({ message: 'plain reason', stack: null });
    stop();
    expect(proc.listenerCount('unhandledRejection')).toBe(0);
  });

  it('logs an uncaught exception, then exits 1', () => {
    const proc = new FakeProcess();
    const cap = captureLog();
    const stop = installCrashHandlers({ log: cap.log, timings: timingsFor({}), townId: null, stats: STATS, proc });
    proc.emit('uncaughtException', new Error('fatal'));
    expect(cap.lines.find((l) => l.msg === 'process.uncaught_exception')).toMatchObject({ message: 'fatal', town_id: null });
    expect(proc.exits).toEqual([1]);
    stop();
    expect(proc.listenerCount('uncaughtException')).toBe(0);
  });

  it('logs container.memory every memoryLogMs with the counts', async () => {
    const proc = new FakeProcess();
    const cap = captureLog();
    let seen: () => void = () => undefined;
    const logged = new Promise<void>((r) => {
      seen = r;
    });
    const log = { ...cap.log, info: (msg: string, f?: Record<string, unknown>) => (cap.log.info(msg, f), msg === 'container.memory' && seen()) };
    const stop = installCrashHandlers({ log, timings: { ...timingsFor({}), memoryLogMs: 20 }, townId: 't', stats: STATS, proc });
    await logged;
    stop();
    expect(cap.lines.find((l) => l.msg === 'container.memory')).toMatchObject({ rss_mb: 200, heap_used_mb: 50, external_mb: 5, agents: 3, active_agents: 2, servers: 1 });
  });
});
