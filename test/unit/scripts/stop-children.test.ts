/**
 * scripts/start/stop-children.mjs, with real child processes in their own process groups: the
 * launcher is stopped (and has exited) before the worker gets its signal, so the control servers'
 * last reports still reach a running worker; a child that ignores its signal is SIGKILLed after
 * the grace and the next one is still stopped; an exited child is skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

interface Entry {
  name: string;
  child: ChildProcess;
  stopSignal: NodeJS.Signals;
}
interface StopModule {
  stopChildren(entries: Entry[], order: string[], graceMs: number): Promise<void>;
}
const MODULE = fileURLToPath(new URL('../../../scripts/start/stop-children.mjs', import.meta.url));
const { stopChildren } = (await import(pathToFileURL(MODULE).href)) as StopModule;

/** What every child reported, in arrival order: `<name> signal` / `<name> exit`. */
let journal: string[] = [];
let spawned: ChildProcess[] = [];

afterEach(() => {
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  spawned = [];
  journal = [];
});

/** A child that reports its stop signal, exits `exitAfterMs` later, or ignores it when null. */
function child(name: string, stopSignal: NodeJS.Signals, exitAfterMs: number | null): Promise<Entry> {
  const script = `
    process.on(${JSON.stringify(stopSignal)}, () => {
      console.log(${JSON.stringify(`${name} signal`)});
      ${exitAfterMs === null ? '' : `setTimeout(() => { console.log(${JSON.stringify(`${name} exit`)}); process.exit(0); }, ${exitAfterMs});`}
    });
    console.log('ready');
    setInterval(() => undefined, 1000);`;
  const proc = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  spawned.push(proc);
  return new Promise((resolve) => {
    let buffered = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') resolve({ name, child: proc, stopSignal });
        else journal.push(line);
      }
    });
    proc.on('exit', (code, signal) => journal.push(`${name} exited ${signal ?? code}`));
  });
}

describe('stopChildren', () => {
  it('stops the launcher, waits for it to exit, and only then signals the worker', async () => {
    const worker = await child('worker', 'SIGTERM', 0);
    const launcher = await child('launcher', 'SIGINT', 400);
    await stopChildren([worker, launcher], ['launcher', 'worker'], 5_000);
    expect(journal.slice(0, 2)).toEqual(['launcher signal', 'launcher exit']);
    expect(journal.indexOf('launcher exited 0')).toBeGreaterThan(-1);
    expect(journal.indexOf('launcher exited 0')).toBeLessThan(journal.indexOf('worker signal'));
    expect(worker.child.exitCode ?? worker.child.signalCode).not.toBeNull();
  });

  it('SIGKILLs a child that ignores its signal after the grace, then stops the next one', async () => {
    const stubborn = await child('launcher', 'SIGINT', null);
    const worker = await child('worker', 'SIGTERM', 0);
    await stopChildren([stubborn, worker], ['launcher', 'worker'], 300);
    await new Promise((r) => setTimeout(r, 100));
    expect(journal).toContain('launcher exited SIGKILL');
    expect(journal.indexOf('launcher signal')).toBeLessThan(journal.indexOf('worker signal'));
    expect(journal).toContain('worker exited 0');
  });

  it('skips a child that has already exited', async () => {
    const gone = await child('launcher', 'SIGINT', 0);
    if (gone.child.pid !== undefined) process.kill(-gone.child.pid, 'SIGKILL');
    await new Promise<void>((r) => gone.child.once('exit', () => r()));
    const worker = await child('worker', 'SIGTERM', 0);
    await stopChildren([gone, worker], ['launcher', 'worker'], 1_000);
    expect(journal).not.toContain('launcher signal');
    expect(journal).toContain('worker signal');
  });
});
