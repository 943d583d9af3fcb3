#!/usr/bin/env node
/**
 * `npm start`: runs a town locally and offline. Starts the local launcher (one control server per
 * town, on demand; workspaces under the git-ignored .gastown/) and `wrangler dev --env local`
 * (state under .wrangler/state) with prefixed logs, waits until both answer /health, then prints
 * the dashboard URL, the API base, a ready-to-use dev token and a sample curl. Ctrl-C stops
 * everything it started.
 * Ports: GASTOWN_PORT (worker, 8787) and GASTOWN_LAUNCHER_PORT (launcher, 8790). `--demo` then
 * runs scripts/demo.mjs and stops everything with its exit code.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopChildren } from './start/stop-children.mjs';

const PORT = Number(process.env.GASTOWN_PORT ?? 8787);
const LAUNCHER_PORT = Number(process.env.GASTOWN_LAUNCHER_PORT ?? 8790);
const HOST = '127.0.0.1';
const BASE = `http://${HOST}:${PORT}`;
const READY_TIMEOUT_MS = 120_000;

const children = [];

function prefixed(stream, prefix, out) {
  createInterface({ input: stream }).on('line', (line) => out.write(`${prefix} ${line}\n`));
}

function start(name, command, args, extraEnv = {}, stopSignal = 'SIGTERM') {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...extraEnv } });
  prefixed(child.stdout, `[${name}]`, process.stdout);
  prefixed(child.stderr, `[${name}]`, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[start] ${name} exited (${signal ?? code}); stopping.`);
      void stopAll(1);
    }
  });
  children.push({ name, child, stopSignal });
  return child;
}

let stopping = false;
/** The launcher first, while the worker still answers its control servers' last reports. */
const STOP_ORDER = ['launcher', 'worker'];
const STOP_GRACE_MS = 10_000;

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  await stopChildren(children, STOP_ORDER, STOP_GRACE_MS);
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
process.on('SIGHUP', () => void stopAll(0));
// A crash here must not leave the detached worker and launcher groups running.
process.on('uncaughtException', (err) => {
  console.error(`[start] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  void stopAll(1);
});
// If whatever started us goes away without a signal reaching us, stop too (no orphans).
const parentAtStart = process.ppid;
setInterval(() => {
  if (process.ppid !== parentAtStart) void stopAll(0);
}, 1000).unref();

async function waitHealthy(base = BASE) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return await res.json();
    } catch {
      // not up yet
    }
    await sleep(300);
  }
  throw new Error(`${base}/health did not answer within ${READY_TIMEOUT_MS / 1000} s`);
}

/** Builds the dashboard's client bundle once up front, so a build error stops here with its output. */
async function buildDashboard() {
  const script = new URL('./build-dashboard.mjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [script], { stdio: 'inherit' });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the dashboard build failed (exit ${code})`);
}

async function main() {
  await buildDashboard();
  const launcher = new URL('../container/src/launcher.ts', import.meta.url).pathname;
  // SIGINT is the launcher's fast local exit: its control servers skip the drain (container.md §8).
  start('launcher', process.execPath, ['--experimental-transform-types', '--no-warnings', launcher], { PORT: String(LAUNCHER_PORT) }, 'SIGINT');
  const wranglerBin = new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url).pathname;
  // The worker must reach this launcher, and agents this worker, on the ports chosen here.
  const portVars = ['--var', `LOCAL_LAUNCHER_URL:http://${HOST}:${LAUNCHER_PORT}`, '--var', `GASTOWN_API_URL:${BASE}`];
  start('worker', process.execPath, [wranglerBin, 'dev', '--env', 'local', '--ip', HOST, '--port', String(PORT), ...portVars, '--show-interactive-dev-session=false']);
  await waitHealthy(`http://${HOST}:${LAUNCHER_PORT}`);
  const health = await waitHealthy();
  const tokenRes = await fetch(`${BASE}/api/dev/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  const token = (await tokenRes.json()).data.token;
  console.log(`
──────────────────────────────────────────────────────────────────────
 Gastown is running locally (${health.data.environment}, ${health.data.version})
   Dashboard: ${BASE}/  (sign in with "Sign in as dev")
   API base:  ${BASE}/api
   Health:    ${BASE}/health
   Launcher:  http://${HOST}:${LAUNCHER_PORT} (one control server per town, on demand)
   Dev token (user "dev", 7 days):
     ${token}

 Try:
   export GT_TOKEN=${token}
   curl -s -X POST ${BASE}/api/towns -H "Authorization: Bearer $GT_TOKEN" \\
        -H 'Content-Type: application/json' -d '{"name":"My town"}'
 Ctrl-C stops everything.
──────────────────────────────────────────────────────────────────────`);
  // `npm start -- --demo`: run the demo town end to end (scripts/demo.mjs), then stop with its result.
  if (process.argv.includes('--demo')) {
    const { runDemo } = await import('./demo.mjs');
    await stopAll(await runDemo({ base: BASE }));
  }
}

main().catch((e) => {
  console.error(`[start] ${e instanceof Error ? e.message : String(e)}`);
  void stopAll(1);
});
