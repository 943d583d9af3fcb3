#!/usr/bin/env node
/**
 * `npm run smoke`: what a new user does, end to end, in a temporary directory. It clones this
 * repository at the working tree's HEAD, runs `npm install`, then `npm start -- --demo` on free
 * ports (GASTOWN_PORT, GASTOWN_LAUNCHER_PORT) so it never collides with a running dev stack, and
 * waits for the demo's exit 0 (the mayor's bead closed and merged, the file on the default
 * branch). Then it checks that nothing it started is left: the `npm start` process group is gone,
 * no process runs from the clone or carries the run's marker variable, both ports are free.
 * Prints timings and removes the directory. Not part of `npm test` (minutes, network for npm).
 *
 * Options: `--worktree` copies the uncommitted working tree over the clone (smoke what you are
 * about to commit); `--link-modules` links this checkout's node_modules instead of running
 * `npm install` (a quick developer check, not what a new user does); `--keep` keeps the
 * directory; `--timeout <s>` the demo's own timeout (default 600). Exit code 0 on success, 1 on
 * any failure.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const INSTALL_TIMEOUT_MS = 20 * 60_000;
/** Time for `npm start` to become healthy and to stop, on top of the demo's own timeout. */
const START_STOP_MARGIN_MS = 5 * 60_000;
/** How long processes may take to go away after `npm start` exited. */
const REAP_GRACE_MS = 15_000;
/** Control-server log lines that mean a last report (events, the emptied registry) was lost at stop. */
const LOST_AT_STOP = ['registry.put_failed', 'events.dropped', 'drain.events_flush_timeout'];
const STOP_GRACE_MS = 15_000;
const MARK_VAR = 'GASTOWN_SMOKE_MARK';

const { values: opts } = parseArgs({
  options: { worktree: { type: 'boolean' }, 'link-modules': { type: 'boolean' }, keep: { type: 'boolean' }, timeout: { type: 'string' } },
  strict: true,
});
const demoTimeoutS = opts.timeout !== undefined && /^\d+$/.test(opts.timeout) ? Number(opts.timeout) : 600;

const t0 = Date.now();
const timings = [];
const log = (line) => process.stdout.write(`[smoke] ${line}\n`);
async function timed(label, fn) {
  const start = Date.now();
  const result = await fn();
  timings.push([label, Date.now() - start]);
  return result;
}

/** Runs a command to completion (argument array, no shell): its stdout, or a rejection with the output tail. */
function run(cmd, args, { cwd, env, timeoutMs, quiet = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined });
    let stdout = '';
    let tail = '';
    const keep = (d) => {
      tail = (tail + d).slice(-8_000);
      if (!quiet) process.stdout.write(d);
    };
    child.stdout.on('data', (d) => {
      stdout += d;
      keep(d);
    });
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${tail}`))));
  });
}

/**
 * The environment a new user's shell would have: without npm's per-run variables and without
 * this checkout's node_modules/.bin on PATH (so the clone uses its own install).
 */
function freshEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.toLowerCase().startsWith('npm_') || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(':')
    .filter((p) => p !== '' && !p.startsWith(`${REPO_ROOT}/`) && p !== REPO_ROOT)
    .join(':');
  return { ...env, ...extra };
}

/** Two distinct free loopback ports. */
async function freePorts(n) {
  const servers = [];
  for (let i = 0; i < n; i++) {
    const server = createServer();
    await new Promise((resolve, reject) => server.listen(0, '127.0.0.1', resolve).on('error', reject));
    servers.push(server);
  }
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

async function portIsFree(port) {
  const server = createServer();
  const free = await new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (free) await new Promise((resolve) => server.close(resolve));
  return free;
}

/** The clone: HEAD of this repository, plus (`--worktree`) its uncommitted files. */
async function makeClone(dir) {
  const head = (await run('git', ['-C', REPO_ROOT, 'rev-parse', 'HEAD'], { quiet: true })).trim();
  await run('git', ['clone', '--quiet', '--no-checkout', REPO_ROOT, dir], { quiet: true });
  await run('git', ['-C', dir, 'checkout', '--quiet', '--detach', head], { quiet: true });
  if (!opts.worktree) return `${head.slice(0, 12)} (HEAD)`;
  const listed = await run('git', ['-C', REPO_ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { quiet: true });
  const deleted = new Set((await run('git', ['-C', REPO_ROOT, 'ls-files', '-z', '--deleted'], { quiet: true })).split('\0').filter(Boolean));
  for (const path of listed.split('\0').filter(Boolean)) {
    if (deleted.has(path)) {
      await rm(join(dir, path), { force: true });
      continue;
    }
    await mkdir(dirname(join(dir, path)), { recursive: true });
    // A file removed since the listing (someone is editing) is simply not copied.
    await copyFile(join(REPO_ROOT, path), join(dir, path)).catch((e) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }
  return `${head.slice(0, 12)} + the uncommitted working tree`;
}

/** Processes (Linux /proc) that carry `mark` in their environment or run from under `dir`. */
async function leftovers(mark, dir) {
  const found = [];
  let entries = [];
  try {
    entries = await readdir('/proc');
  } catch {
    return found; // not Linux: the port and process-group checks still run
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
      const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ').trim();
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
      if (stat.includes(') Z ')) continue; // a zombie is already gone, only not reaped yet
      if (environ.split('\0').includes(`${MARK_VAR}=${mark}`) || cwd === dir || cwd.startsWith(`${dir}${sep}`) || cmdline.includes(dir)) {
        found.push({ pid: Number(entry), cmdline: cmdline.slice(0, 160) });
      }
    } catch {
      // exited while we looked
    }
  }
  return found;
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function main() {
  const work = await mkdtemp(join(tmpdir(), 'gastown-smoke-'));
  const clone = join(work, 'gastown');
  let ok = false;
  try {
    const what = await timed('clone', () => makeClone(clone));
    log(`cloned ${what} into ${clone}`);

    if (opts['link-modules']) {
      await symlink(join(REPO_ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
      log(`linked ${REPO_ROOT}/node_modules (no npm install)`);
    } else {
      log('npm install …');
      await timed('npm install', () => run('npm', ['install', '--no-audit', '--no-fund'], { cwd: clone, env: freshEnv({}), timeoutMs: INSTALL_TIMEOUT_MS, quiet: true }));
    }

    const [port, launcherPort] = await freePorts(2);
    const mark = randomUUID();
    log(`npm start -- --demo on ports ${port} (worker) and ${launcherPort} (launcher)`);
    const env = freshEnv({ GASTOWN_PORT: String(port), GASTOWN_LAUNCHER_PORT: String(launcherPort), GASTOWN_DEMO_TIMEOUT: String(demoTimeoutS), [MARK_VAR]: mark });
    const startedAt = Date.now();
    const child = spawn('npm', ['start', '--', '--demo'], { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const marks = {};
    const lostAtStop = [];
    const watch = (stream, out) =>
      createInterface({ input: stream }).on('line', (line) => {
        out.write(`  ${line}\n`);
        if (marks.healthy === undefined && line.includes('Gastown is running locally')) marks.healthy = Date.now();
        if (line.includes('Demo passed in')) marks.demoDone = Date.now();
        // After the demo, the stop: a control server's last report that cannot reach the worker.
        if (marks.demoDone !== undefined && LOST_AT_STOP.some((msg) => line.includes(`"msg":"${msg}"`))) lostAtStop.push(line.slice(0, 300));
      });
    watch(child.stdout, process.stdout);
    watch(child.stderr, process.stderr);
    // `npm start` runs in its own group: stop it (SIGTERM, then SIGKILL) on a timeout or when we are stopped.
    let stoppedBy = null;
    const stopStart = (why) => {
      stoppedBy = why;
      log(`${why}: stopping npm start`);
      signalGroup(child.pid, 'SIGTERM');
      setTimeout(() => signalGroup(child.pid, 'SIGKILL'), STOP_GRACE_MS).unref();
    };
    const limit = setTimeout(() => stopStart(`no exit after ${(demoTimeoutS * 1000 + START_STOP_MARGIN_MS) / 1000} s`), demoTimeoutS * 1000 + START_STOP_MARGIN_MS);
    const onSignal = (signal) => stopStart(`got ${signal}`);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);
    const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? signal)));
    clearTimeout(limit);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(signal, onSignal);
    const exitedAt = Date.now();
    if (marks.healthy) timings.push(['npm start → healthy', marks.healthy - startedAt]);
    if (marks.healthy && marks.demoDone) timings.push(['demo (town → merged)', marks.demoDone - marks.healthy]);
    if (marks.demoDone) timings.push(['stop', exitedAt - marks.demoDone]);

    // Nothing may outlive `npm start`: its group, any process of the clone or of this run, the ports.
    let left = [];
    const reapDeadline = Date.now() + REAP_GRACE_MS;
    do {
      left = await leftovers(mark, clone);
      if (left.length === 0 && !groupAlive(child.pid)) break;
      await sleep(500);
    } while (Date.now() < reapDeadline);
    const busyPorts = [];
    for (const p of [port, launcherPort]) if (!(await portIsFree(p))) busyPorts.push(p);
    const groupLeft = groupAlive(child.pid);

    if (code !== 0) log(`npm start -- --demo exited with ${code}`);
    for (const p of left) log(`left running: pid ${p.pid} ${p.cmdline}`);
    if (groupLeft) log(`the npm start process group ${child.pid} is still alive`);
    for (const line of lostAtStop) log(`lost at stop: ${line}`);
    for (const p of busyPorts) log(`port ${p} is still in use`);
    // Clean up what this run started, by pid, so a failed smoke leaves nothing behind.
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    if (groupLeft) signalGroup(child.pid, 'SIGKILL');
    // A stop we asked for ends `npm start` with 0 too: that is not a pass.
    ok = stoppedBy === null && code === 0 && left.length === 0 && !groupLeft && busyPorts.length === 0 && lostAtStop.length === 0;
  } catch (e) {
    log(`failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    if (opts.keep) log(`kept ${work}`);
    else await timed('cleanup', () => rm(work, { recursive: true, force: true }));
  }
  timings.push(['total', Date.now() - t0]);
  log(ok ? 'PASS' : 'FAIL');
  for (const [label, ms] of timings) log(`  ${label.padEnd(22)} ${(ms / 1000).toFixed(1).padStart(7)} s`);
  return ok ? 0 : 1;
}

process.exitCode = await main();
