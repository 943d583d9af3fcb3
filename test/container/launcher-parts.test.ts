/**
 * Pure parts of the local launcher: which entry runs a control server (dist when built, else the
 * TypeScript source), the launcher timings (production values and the ÷60 test profile with
 * floors), and the process-tree walk that finds the groups below a control server before a KILL.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { controlEntry, entryFor } from '../../container/src/launcher/control-entry.ts';
import { DEFAULT_LAUNCHER_TIMINGS, launcherTimingsFor } from '../../container/src/launcher/launcher-timings.ts';
import { descendantGroups, groupsBelow, parsePs } from '../../container/src/launcher/process-tree.ts';

let pkg: string;
beforeEach(() => {
  pkg = mkdtempSync(join(tmpdir(), 'gt-entry-'));
});
afterEach(() => {
  rmSync(pkg, { recursive: true, force: true });
});

describe('controlEntry', () => {
  it('runs src/main.ts with type stripping until dist is built, then dist', () => {
    expect(controlEntry({ packageDir: pkg }, undefined, '/node')).toEqual({ command: '/node', args: ['--experimental-transform-types', '--no-warnings', join(pkg, 'src', 'main.ts')] });
    mkdirSync(join(pkg, 'dist', 'container', 'src'), { recursive: true });
    writeFileSync(join(pkg, 'dist', 'container', 'src', 'main.js'), '');
    expect(controlEntry({ packageDir: pkg }, undefined, '/node')).toEqual({ command: '/node', args: [join(pkg, 'dist', 'container', 'src', 'main.js')] });
    expect(controlEntry({ packageDir: pkg }, '/x/fake.mjs', '/node')).toEqual(entryFor('/x/fake.mjs', '/node'));
    expect(entryFor('/x/fake.mjs', '/node')).toEqual({ command: '/node', args: ['/x/fake.mjs'] });
  });
});

describe('launcherTimingsFor', () => {
  it('uses the production values, and the test profile divides by 60 with floors', () => {
    expect(launcherTimingsFor({})).toEqual(DEFAULT_LAUNCHER_TIMINGS);
    expect(DEFAULT_LAUNCHER_TIMINGS.stopGraceMs).toBe(360_000);
    const t = launcherTimingsFor({ GASTOWN_TIMING: 'test' });
    expect(t.stopGraceMs).toBe(6_000);
    expect(t.startTimeoutMs).toBe(30_000);
    expect(t.healthTimeoutMs).toBe(2_000);
    expect(t.healthRetryMs).toEqual([100, 100, 100, 100]);
  });
});

describe('process tree', () => {
  it('parses ps output and finds every group below a root but its own', () => {
    const rows = parsePs('  1 0 1\n 100 1 100\n 101 100 100\n 200 100 200\n 201 200 200\n 300 201 300\n 400 1 400\n garbage\n');
    expect(rows).toHaveLength(7);
    expect(groupsBelow(rows, 100).sort()).toEqual([200, 300]);
    expect(groupsBelow(rows, 400)).toEqual([]);
  });

  it('reads the real process table: a detached child of this process is a group below it', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      expect(await descendantGroups(process.pid, { timeoutMs: 5_000, path: process.env.PATH ?? '/usr/bin:/bin' })).toContain(child.pid);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });
});
