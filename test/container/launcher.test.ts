/**
 * The local launcher (`container.md` §11) as a real child process spawning real control servers
 * (container/src/main.ts): two towns at once, each reachable through the proxy with its own
 * secret, a no-op second start, one stopped while the other runs, validation, the launcher's exit
 * taking every child with it, and a control server ignoring SIGTERM KILLed with the groups below it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_SECRET_HEADER } from '../../src/protocol/control.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const LAUNCHER = join(ROOT, 'container', 'src', 'launcher.ts');
const MAIN = join(ROOT, 'container', 'src', 'main.ts');
const FAKE_CONTROL = join(import.meta.dirname, 'bin', 'fake-control.mjs');
/** Control servers boot in a few seconds; a loaded machine gets room. */
const TIMEOUT_MS = 90_000;

type Line = Record<string, unknown>;

interface Launcher {
  base: string;
  lines: Line[];
  /** Resolves with the first log line (past or future) satisfying `pred`. */
  line(pred: (l: Line) => boolean): Promise<Line>;
  exit: Promise<number | null>;
  signal(sig: NodeJS.Signals): void;
}

let dir: string;
const launched: Launcher[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gt-launcher-'));
});
afterEach(async () => {
  // A clean shutdown stops the towns a test left running (a KILLed launcher would orphan them).
  for (const l of launched.splice(0)) {
    l.signal('SIGINT');
    await l.exit;
  }
  await rm(dir, { recursive: true, force: true });
}, TIMEOUT_MS);

async function launch(entry: string = MAIN): Promise<Launcher> {
  const child = spawn(NODE, ['--experimental-transform-types', '--no-warnings', LAUNCHER], {
    env: { PATH: process.env.PATH ?? '', HOME: dir, PORT: '0', GASTOWN_TOWNS_DIR: join(dir, 'towns'), GASTOWN_CONTROL_ENTRY: entry, GASTOWN_TIMING: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Line[] = [];
  const waiters: { pred: (l: Line) => boolean; resolve: (l: Line) => void }[] = [];
  let buf = '';
  child.stdout.on('data', (c: Buffer) => {
    buf += c.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const p of parts) {
      const l = JSON.parse(p) as Line;
      lines.push(l);
      for (const w of waiters.filter((x) => x.pred(l))) w.resolve(l);
    }
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = (pred: (l: Line) => boolean): Promise<Line> => {
    const seen = lines.find(pred);
    return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ pred, resolve }));
  };
  const l: Launcher = { base: '', lines, line, exit, signal: (sig) => child.kill(sig) };
  launched.push(l);
  const listening = await line((x) => x.msg === 'launcher.listening');
  l.base = `http://127.0.0.1:${String(listening.port)}`;
  return l;
}

async function call(l: Launcher, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: { data?: Record<string, unknown>; error?: { code: string } } }> {
  const res = await fetch(`${l.base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as { data?: Record<string, unknown>; error?: { code: string } } };
}

const bootEnv = (secret: string): { env: Record<string, string> } => ({ env: { GASTOWN_CONTROL_SECRET: secret } });

/** True while the process group led by `pid` has a member that is not a zombie. */
/**
 * Whether every listed group is gone within `ms`: a SIGKILLed group disappears once the kernel
 * and its reaper are done, which is not instant on a loaded machine.
 */
async function groupsGone(pids: readonly number[], ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (pids.some(groupAlive)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
  } catch {
    return false;
  }
  const stat = (() => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return '';
    }
  })();
  return stat === '' || !/^\d+ \(.*\) Z/.test(stat);
}

describe('local launcher', () => {
  it(
    'runs two towns side by side, proxies to each with its secret, and stops one while the other keeps running',
    async () => {
      const l = await launch();
      const [a, b] = await Promise.all([call(l, 'POST', '/towns/town-a/start', bootEnv('secret-town-a-0001')), call(l, 'POST', '/towns/town-b/start', bootEnv('secret-town-b-0001'))]);
      expect(a.status).toBe(200);
      expect(a.json.data).toMatchObject({ started: true, already_running: false });
      expect(b.json.data).toMatchObject({ started: true, already_running: false });
      expect(a.json.data?.port).not.toBe(b.json.data?.port);

      const again = await call(l, 'POST', '/towns/town-a/start', bootEnv('secret-town-a-0001'));
      expect(again.json.data).toMatchObject({ started: true, already_running: true, pid: a.json.data?.pid, port: a.json.data?.port });

      const healthA = await call(l, 'GET', '/towns/town-a/c/health', undefined, { [CONTROL_SECRET_HEADER]: 'secret-town-a-0001' });
      expect(healthA.status).toBe(200);
      expect(healthA.json.data).toMatchObject({ hydrated: true, agents: 0 });
      expect((await call(l, 'GET', '/towns/town-a/c/health', undefined, { [CONTROL_SECRET_HEADER]: 'secret-town-b-0001' })).status).toBe(401);
      expect((await call(l, 'GET', '/towns/town-b/c/health', undefined, { [CONTROL_SECRET_HEADER]: 'secret-town-b-0001' })).status).toBe(200);

      // A proxied POST keeps its body; the town writes under its own data root.
      const stored = await call(l, 'POST', '/towns/town-b/c/dashboard-context', { context: 'viewing beads' }, { [CONTROL_SECRET_HEADER]: 'secret-town-b-0001' });
      expect(stored.json.data).toEqual({ stored: true });
      expect(readFileSync(join(dir, 'towns', 'town-b', 'mayor', 'dashboard-context.json'), 'utf8')).toContain('viewing beads');
      expect(existsSync(join(dir, 'towns', 'town-a', 'mayor', 'dashboard-context.json'))).toBe(false);

      const stop = await call(l, 'POST', '/towns/town-a/stop', {});
      expect(stop.status).toBe(202);
      const exited = await l.line((x) => x.msg === 'town.exited' && x.town_id === 'town-a');
      expect(exited.code).toBe(0);
      expect(await groupsGone([Number(a.json.data?.pid)])).toBe(true);
      const gone = await call(l, 'GET', '/towns/town-a/c/health', undefined, { [CONTROL_SECRET_HEADER]: 'secret-town-a-0001' });
      expect(gone.status).toBe(404);
      expect(gone.json.error?.code).toBe('not_found');
      expect((await call(l, 'GET', '/towns/town-b/c/health', undefined, { [CONTROL_SECRET_HEADER]: 'secret-town-b-0001' })).status).toBe(200);
      expect((await call(l, 'GET', '/towns/town-b')).json.data).toMatchObject({ running: true, pid: b.json.data?.pid, stopping: false });

      // Forwarded control-server lines carry the town id; no secret reaches the log.
      expect(l.lines.some((x) => x.town_id === 'town-b' && x.msg === 'control.listening')).toBe(true);
      expect(JSON.stringify(l.lines)).not.toContain('secret-town-a-0001');
      expect(JSON.stringify(l.lines)).not.toContain('secret-town-b-0001');
    },
    TIMEOUT_MS,
  );

  it(
    'refuses bad town ids and bodies, and answers 404 for towns it does not run',
    async () => {
      const l = await launch();
      expect((await call(l, 'POST', '/towns/..%2Fx/start', bootEnv('secret-0001'))).json.error?.code).toBe('invalid_id');
      expect((await call(l, 'POST', '/towns/town-c/start', { env: {} })).json.error?.code).toBe('validation_failed');
      expect((await call(l, 'POST', '/towns/town-c/start', { env: { GASTOWN_CONTROL_SECRET: 's-0001', NODE_OPTIONS: '--inspect' } })).json.error?.code).toBe('validation_failed');
      expect((await call(l, 'POST', '/towns/town-c/start', { env: { GASTOWN_CONTROL_SECRET: 's-0001', GASTOWN_TOWN_ID: 'other' } })).json.error?.code).toBe('validation_failed');
      const stop = await call(l, 'POST', '/towns/town-c/stop', {});
      expect(stop.status).toBe(404);
      expect((await call(l, 'GET', '/towns/town-c/c/health')).json.error?.code).toBe('not_found');
      expect(l.lines.some((x) => x.msg === 'town.spawned')).toBe(false);
    },
    TIMEOUT_MS,
  );

  it(
    "the launcher's exit stops every control server (no orphans)",
    async () => {
      const l = await launch();
      const a = await call(l, 'POST', '/towns/town-a/start', bootEnv('secret-town-a-0002'));
      const b = await call(l, 'POST', '/towns/town-b/start', bootEnv('secret-town-b-0002'));
      const pids = [Number(a.json.data?.pid), Number(b.json.data?.pid)];
      expect(pids.every(groupAlive)).toBe(true);
      l.signal('SIGTERM');
      expect(await l.exit).toBe(0);
      expect(l.lines.filter((x) => x.msg === 'town.exited').map((x) => x.town_id).sort()).toEqual(['town-a', 'town-b']);
      expect(await groupsGone(pids)).toBe(true);
    },
    TIMEOUT_MS,
  );

  it(
    'KILLs a control server that ignores SIGTERM after the grace, with the process groups below it',
    async () => {
      const l = await launch(FAKE_CONTROL);
      const started = await call(l, 'POST', '/towns/town-s/start', bootEnv('secret-town-s-0001'));
      expect(started.status).toBe(200);
      const pid = Number(started.json.data?.pid);
      const grandchild = Number(readFileSync(join(dir, 'towns', 'town-s', 'grandchild.pid'), 'utf8'));
      expect(groupAlive(grandchild)).toBe(true);
      expect((await call(l, 'POST', '/towns/town-s/stop', {})).status).toBe(202);
      const killed = await l.line((x) => x.msg === 'town.killed' && x.town_id === 'town-s');
      expect(killed.groups_below).toBe(1);
      const exited = await l.line((x) => x.msg === 'town.exited' && x.town_id === 'town-s');
      expect(exited.signal).toBe('SIGKILL');
      expect(await groupsGone([pid, grandchild])).toBe(true);
    },
    TIMEOUT_MS,
  );
});
