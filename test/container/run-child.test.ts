/**
 * Tests of `runChild` (style.md §11): argument arrays, an explicit env, captured output capped,
 * and a timeout or abort that kills the whole process group (grandchildren included).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runChild } from '../../container/src/run-child.ts';

const ENV = { PATH: '/usr/local/bin:/usr/bin:/bin' };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Running (a zombie awaiting its reaper counts as dead). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** Polls until `pid` is dead; SIGKILL delivery is asynchronous. Resolves false after ~5 s. */
async function dies(pid: number): Promise<boolean> {
  for (let i = 0; i < 500; i++) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

describe('runChild', () => {
  it('runs an argument array with exactly the given env', async () => {
    const r = await runChild('sh', ['-c', 'printf "%s|%s" "$1" "${HOME:-none}"', 'sh', 'a b; $(x)'], { cwd: tmpdir(), env: ENV, timeoutMs: 10_000, killGraceMs: 100 });
    expect(r).toMatchObject({ code: 0, stdout: 'a b; $(x)|none', timedOut: false, aborted: false });
  });

  it('caps captured output', async () => {
    const r = await runChild('sh', ['-c', 'head -c 5000 /dev/zero | tr "\\0" x'], { cwd: tmpdir(), env: ENV, timeoutMs: 10_000, killGraceMs: 100, maxOutputBytes: 1000 });
    expect(r.stdout.startsWith('x'.repeat(1000))).toBe(true);
    expect(r.stdout).toContain('[… 4000 bytes dropped]');
  });

  it('a timeout kills the process group, grandchildren included (TERM ignored → KILL)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gt-run-child-'));
    dirs.push(dir);
    const pidFile = join(dir, 'grandchild.pid');
    // The grandchild ignores TERM, so only the group KILL after the grace ends it.
    const script = `sh -c 'trap "" TERM; echo $$ > ${pidFile}; exec sleep 30' & wait`;
    const r = await runChild('sh', ['-c', `trap "" TERM; ${script}`], { cwd: dir, env: ENV, timeoutMs: 300, killGraceMs: 100 });
    expect(r.timedOut).toBe(true);
    expect(r.code).toBeNull();
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(pid).toBeGreaterThan(0);
    expect(await dies(pid)).toBe(true);
  });

  it('an abort kills the child and reports aborted', async () => {
    const ac = new AbortController();
    const run = runChild('sleep', ['30'], { cwd: tmpdir(), env: ENV, timeoutMs: 60_000, killGraceMs: 100, signal: ac.signal });
    ac.abort();
    await expect(run).resolves.toMatchObject({ aborted: true, code: null });
    const pre = new AbortController();
    pre.abort();
    await expect(runChild('sleep', ['30'], { cwd: tmpdir(), env: ENV, timeoutMs: 60_000, killGraceMs: 100, signal: pre.signal })).resolves.toMatchObject({ aborted: true });
  });

  it('rejects when the command does not exist', async () => {
    await expect(runChild('definitely-not-a-command-gt', [], { cwd: tmpdir(), env: ENV, timeoutMs: 1_000, killGraceMs: 100 })).rejects.toThrow();
  });
});
