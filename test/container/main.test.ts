/**
 * The control-server entry (`container.md` §1–§4) as a real child process: exits 1 without a
 * control secret; otherwise listens on the given bind/port, answers `/health` behind the secret,
 * skips hydration without an API URL, and exits 0 on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_SECRET_HEADER } from '../../src/protocol/control.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const MAIN = join(ROOT, 'container', 'src', 'main.ts');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gt-main-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function launch(env: Record<string, string>): { lines: Record<string, unknown>[]; exit: Promise<number | null>; line: (msg: string) => Promise<Record<string, unknown>>; kill: () => void } {
  const child = spawn(NODE, ['--experimental-transform-types', '--no-warnings', MAIN], {
    env: { PATH: process.env.PATH ?? '', GASTOWN_DATA_ROOT: dir, PORT: '0', GASTOWN_BIND: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { msg: string; resolve: (l: Record<string, unknown>) => void }[] = [];
  let buf = '';
  child.stdout.on('data', (c: Buffer) => {
    buf += c.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const p of parts) {
      const l = JSON.parse(p) as Record<string, unknown>;
      lines.push(l);
      for (const w of waiters.filter((x) => x.msg === l.msg)) w.resolve(l);
    }
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    lines,
    exit,
    line: (msg) => {
      const seen = lines.find((l) => l.msg === msg);
      return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ msg, resolve }));
    },
    kill: () => child.kill('SIGTERM'),
  };
}

describe('main.ts', () => {
  it('exits 1 without a control secret', async () => {
    const p = launch({});
    expect(await p.exit).toBe(1);
    expect(p.lines.map((l) => l.msg)).toContain('boot.no_control_secret');
  });

  it('serves /health behind the secret, skips hydration without an API URL, exits 0 on SIGTERM', async () => {
    const p = launch({ GASTOWN_CONTROL_SECRET: 'main-test-secret-01' });
    const listening = await p.line('control.listening');
    await p.line('hydration.skipped');
    const url = `http://127.0.0.1:${String(listening.port)}/health`;
    expect((await fetch(url)).status).toBe(401);
    const res = await fetch(url, { headers: { [CONTROL_SECRET_HEADER]: 'main-test-secret-01' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { hydrated: boolean } }).data.hydrated).toBe(true);
    expect(JSON.stringify(p.lines)).not.toContain('main-test-secret-01');
    p.kill();
    expect(await p.exit).toBe(0);
  });
});
