/**
 * The drain wiring of the real control-server entry (`container.md` §8), as a child process
 * against the fake worker API: SIGTERM posts `C/eviction` with the instance id, empties the
 * registry and exits 0 (a repeated SIGTERM does not kill it early); SIGINT in local mode skips
 * to the last step (no eviction); with the worker unreachable the drain still exits 0.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi } from '../fakes/worker-api/index.ts';
import { TOWN } from './fixtures.ts';
import { containerTokenFor } from './pm-harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const MAIN = join(ROOT, 'container', 'src', 'main.ts');
const SECRET = 'drain-main-secret-0001';

let dir: string;
let api: FakeWorkerApi | null = null;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gt-drain-main-'));
});
afterEach(async () => {
  await api?.stop();
  api = null;
  await rm(dir, { recursive: true, force: true });
});

interface Launched {
  lines: Record<string, unknown>[];
  exit: Promise<number | null>;
  line(msg: string): Promise<Record<string, unknown>>;
  signal(sig: NodeJS.Signals): void;
}

function launch(env: Record<string, string>): Launched {
  const child = spawn(NODE, ['--experimental-transform-types', '--no-warnings', MAIN], {
    env: { PATH: process.env.PATH ?? '', GASTOWN_DATA_ROOT: dir, PORT: '0', GASTOWN_BIND: '127.0.0.1', GASTOWN_TIMING: 'test', GASTOWN_CONTROL_SECRET: SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { msg: string; resolve: (l: Record<string, unknown>) => void }[] = [];
  let buf = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const p of parts) {
      const l = JSON.parse(p) as Record<string, unknown>;
      lines.push(l);
      for (const w of waiters.filter((x) => x.msg === l.msg)) w.resolve(l);
    }
  });
  return {
    lines,
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    line: (msg) => {
      const seen = lines.find((l) => l.msg === msg);
      return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ msg, resolve }));
    },
    signal: (sig) => child.kill(sig),
  };
}

function workerEnv(url: string): Record<string, string> {
  return { GASTOWN_API_URL: url, GASTOWN_TOWN_ID: TOWN, GASTOWN_CONTAINER_TOKEN: containerTokenFor(TOWN) };
}

describe('main.ts drain wiring', () => {
  it('SIGTERM: eviction posted first, registry emptied, exit 0; a second SIGTERM does not cut it short', async () => {
    api = await startFakeWorkerApi({ townId: TOWN });
    const p = launch(workerEnv(api.url));
    const listening = await p.line('control.listening');
    await p.line('hydration.finished');
    const mark = api.requests.length;
    p.signal('SIGTERM');
    await p.line('drain.started');
    p.signal('SIGTERM');
    expect(await p.exit).toBe(0);

    const calls = api.requests.slice(mark).map((r) => `${r.method} ${r.path}`);
    expect(calls[0]).toBe(`POST /api/towns/${TOWN}/container/eviction`);
    expect(api.requests[mark]?.body).toEqual({ container_instance_id: listening.container_instance_id });
    expect(calls.at(-1)).toBe(`PUT /api/towns/${TOWN}/container/registry`);
    expect(api.registry.get()).toMatchObject({ agents: [] });
    expect(p.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['drain.already_running', 'drain.finished']));
  });

  it('SIGINT in local mode skips to the last step: no eviction, registry emptied, exit 0', async () => {
    api = await startFakeWorkerApi({ townId: TOWN });
    const p = launch({ ...workerEnv(api.url), GASTOWN_LOCAL_MODEL: 'allow' });
    await p.line('hydration.finished');
    const mark = api.requests.length;
    p.signal('SIGINT');
    expect(await p.exit).toBe(0);
    const calls = api.requests.slice(mark).map((r) => `${r.method} ${r.path}`);
    expect(calls).toEqual([`PUT /api/towns/${TOWN}/container/registry`]);
    expect(p.lines.find((l) => l.msg === 'drain.started')).toMatchObject({ mode: 'fast' });
  });

  it('exits 0 when the worker is unreachable', async () => {
    // Port 1 on loopback: nothing listens, every call is refused.
    const p = launch(workerEnv('http://127.0.0.1:1'));
    await p.line('control.listening');
    p.signal('SIGTERM');
    expect(await p.exit).toBe(0);
    const failed = p.lines.find((l) => l.msg === 'drain.step_failed');
    expect(failed).toMatchObject({ step: 'eviction' });
    expect(p.lines.map((l) => l.msg)).toContain('drain.finished');
  });
});
