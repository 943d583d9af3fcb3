#!/usr/bin/env node
/**
 * The local demo (`npm start -- --demo`): against a healthy local stack it mints a dev token,
 * creates a town and a rig backed by a fresh local bare repository (.gastown/demo/<town>/origin.git,
 * one commit with a README), asks the mayor for a one-file change, prints progress as the mayor,
 * beads, agents and merge request move (from the live socket, else the API every second), and
 * once the slung bead is closed and its merge request merged, checks the file on the
 * repository's default branch.
 * Exit code 0 on success; 1 on a timeout (default 10 min; it prints what is stuck from
 * /debug/towns/:id/status), an API error or a failed bead. start.mjs calls `runDemo()` and then
 * stops the stack; `node scripts/demo.mjs --base http://127.0.0.1:8787` runs it against a stack
 * that is already up and leaves it running. Options: `--timeout <s>` / `--demo-timeout=<s>` /
 * GASTOWN_DEMO_TIMEOUT (seconds), GASTOWN_DEMO_DIR (where repositories go), GASTOWN_DEMO_POLL_MS.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { apiClient, withRetries } from './demo/api.mjs';
import { createOriginRepo, fileOnBranch, recentCommits } from './demo/git.mjs';
import { activityLine, changedFacts, demoOutcome, progressFacts, short, stuckReport, waitingLine } from './demo/progress.mjs';
import { TownWatch } from './demo/town-watch.mjs';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_TIMEOUT_S = 600;
const DEFAULT_POLL_MS = 1000;
/** With the live socket open, the API is still read this often, in case a frame was missed. */
const SOCKET_REFRESH_MS = 15_000;
/** Print a "still waiting" line when nothing changed for this long. */
const QUIET_REPORT_MS = 30_000;
/** Mayor ensure/message may wait for a cold container start (launcher spawn, hydration, kilo). */
const START_TIMEOUT_MS = 120_000;
const RETRY_PAUSE_MS = 2_000;
const FRAME_SETTLE_MS = 100;

/** What the demo asks for, and what it then expects on the default branch. */
export const DEMO_FILE = 'hello.txt';
export const DEMO_TEXT = 'Hello from Gastown';
export const DEMO_REQUEST = `Add a greeting file \`${DEMO_FILE}\` with \`${DEMO_TEXT}\``;

// ------------------------------------------------------------------------------------ options

/** Seconds from `--timeout`/`--demo-timeout` or GASTOWN_DEMO_TIMEOUT, in ms; the default when absent or invalid. */
export function demoTimeoutMs(argv, env) {
  const { values } = parseArgs({ args: argv, options: { timeout: { type: 'string' }, 'demo-timeout': { type: 'string' } }, strict: false });
  const raw = values['demo-timeout'] ?? values.timeout ?? env.GASTOWN_DEMO_TIMEOUT;
  const seconds = typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_TIMEOUT_S) * 1000;
}

/** A town name that sorts by time: `demo-20260102-030405`. */
export function demoTownName(now) {
  const iso = new Date(now).toISOString();
  return `demo-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

// ----------------------------------------------------------------------------------- run

/**
 * Runs the demo against `base` (a healthy stack). Resolves the exit code: 0 when the change is
 * merged and on the default branch, 1 otherwise. Never throws.
 */
export async function runDemo(opts = {}) {
  const base = (opts.base ?? `http://127.0.0.1:${process.env.GASTOWN_PORT ?? 8787}`).replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? demoTimeoutMs(process.argv.slice(2), process.env);
  const pollMs = opts.pollMs ?? (Number(process.env.GASTOWN_DEMO_POLL_MS) || DEFAULT_POLL_MS);
  const demoRoot = opts.demoDir ?? process.env.GASTOWN_DEMO_DIR ?? join(REPO_ROOT, '.gastown', 'demo');
  const out = opts.write ?? ((line) => process.stdout.write(`${line}\n`));
  const started = Date.now();
  const say = (line) => out(`[demo] +${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s ${line}`);
  const token = { value: null };
  const api = apiClient(base, token);
  let townId = null;
  let townDir = null;

  try {
    token.value = (await api('POST', '/api/dev/token', {})).token;
    const townName = demoTownName(started);
    const town = await api('POST', '/api/towns', { name: townName });
    townId = town.id;
    townDir = join(demoRoot, townName);
    say(`town ${townName} (${townId})`);
    const branch = 'main';
    const gitDir = await createOriginRepo(townDir, branch, townName);
    const gitUrl = pathToFileURL(gitDir).href;
    const rig = await api('POST', `/api/towns/${townId}/rigs`, { name: 'demo', git_url: gitUrl, default_branch: branch });
    say(`rig ${rig.name} → ${gitUrl}`);
    const T = `/api/towns/${townId}`;
    const deadline = started + timeoutMs;
    const retry = { deadline, say, pauseMs: RETRY_PAUSE_MS };
    const long = { timeoutMs: START_TIMEOUT_MS };
    const mayor = await withRetries(() => api('POST', `${T}/mayor/ensure`, undefined, long), retry);
    say(`mayor ensured: ${mayor.status}, session ${mayor.session}`);
    const sent = await withRetries(() => api('POST', `${T}/mayor/message`, { message: DEMO_REQUEST }, long), retry);
    say(`asked the mayor (${sent.delivery}): ${DEMO_REQUEST}`);

    const quiet = { since: Date.now() };
    let facts = new Map();
    let activity = [];
    /** Prints what changed: the facts first, then the activity lines that came with them. */
    const render = () => {
      const next = progressFacts(watch.snapshot());
      const lines = [...changedFacts(facts, next), ...activity];
      facts = next;
      activity = [];
      for (const line of lines) say(line);
      if (lines.length > 0) quiet.since = Date.now();
    };
    // Frames of one broadcast arrive one by one (a bead before its new assignee): print once they settled.
    let renderTimer = null;
    const renderSoon = () => {
      renderTimer ??= setTimeout(() => {
        renderTimer = null;
        render();
      }, FRAME_SETTLE_MS);
    };
    const onActivity = (event) => {
      const line = activityLine(event);
      if (line !== null) activity.push(line);
    };
    const watch = new TownWatch({ api, townId, say, onChange: renderSoon, onActivity, refreshMs: pollMs, socketRefreshMs: SOCKET_REFRESH_MS });
    let outcome;
    try {
      outcome = await follow({ watch, render, deadline, pollMs, say, quiet });
    } finally {
      watch.close();
      clearTimeout(renderTimer ?? undefined);
    }
    if (outcome === null) {
      say(`timed out after ${timeoutMs / 1000} s`);
      await printStuck(api, townId, townDir, say);
      return 1;
    }
    if (outcome.state === 'failed') {
      say(`the slung bead ${short(outcome.slung.id)} failed`);
      await printStuck(api, townId, townDir, say);
      return 1;
    }
    const text = await fileOnBranch(gitDir, branch, DEMO_FILE);
    if (text === null || text.trim() !== DEMO_TEXT) {
      say(`merged, but ${branch}:${DEMO_FILE} is ${text === null ? 'missing' : JSON.stringify(text)} (expected ${JSON.stringify(DEMO_TEXT)})`);
      return 1;
    }
    const log = await recentCommits(gitDir, branch, 3);
    printSuccess(out, { base, townId, townName, gitDir, branch, seconds: (Date.now() - started) / 1000, outcome, log });
    return 0;
  } catch (e) {
    say(`failed: ${e instanceof Error ? e.message : String(e)}`);
    if (townId !== null) await printStuck(api, townId, townDir, say);
    return 1;
  }
}

/**
 * Follows the town until the slung bead is done or failed (that outcome) or the deadline passes
 * (null). Prints a "still waiting" line after `QUIET_REPORT_MS` without news.
 */
async function follow({ watch, render, deadline, pollMs, say, quiet }) {
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      await watch.step();
      render();
      lastError = '';
      const outcome = demoOutcome([...watch.beads.values()]);
      if (outcome.state !== 'waiting') return outcome;
      if (Date.now() - quiet.since >= QUIET_REPORT_MS) {
        say(waitingLine(outcome, [...watch.agents.values()], Date.now()));
        quiet.since = Date.now();
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (message !== lastError) say(`reading the town failed: ${message}`);
      lastError = message;
    }
    await sleep(pollMs);
  }
  return null;
}

/** Prints what is stuck (D/status, the inbox) and saves the raw JSON beside the repository. */
async function printStuck(api, townId, townDir, say) {
  try {
    const status = await api('GET', `/debug/towns/${townId}/status`, undefined, { auth: false });
    const inbox = (await api('GET', `/debug/towns/${townId}/events?limit=500`, undefined, { auth: false })) ?? [];
    say('what is stuck (GET /debug/towns/:id/status):');
    for (const line of stuckReport(status, inbox)) say(`  ${line}`);
    if (townDir !== null) {
      const file = join(townDir, 'stuck.json');
      await writeFile(file, `${JSON.stringify({ status, inbox }, null, 2)}\n`);
      say(`raw status saved to ${file}; see docs/debugging.md`);
    }
  } catch (e) {
    say(`could not read the debug status: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function printSuccess(out, r) {
  out(`
──────────────────────────────────────────────────────────────────────
 Demo passed in ${r.seconds.toFixed(1)} s: the mayor slung ${short(r.outcome.slung.id)}, a polecat
 pushed ${r.outcome.mr?.review?.branch ?? 'its branch'}, the refinery merged it into ${r.branch}.
   Town:        ${r.townName} (${r.townId})
   Repository:  ${r.gitDir}
                ${r.branch}:${DEMO_FILE} = ${JSON.stringify(DEMO_TEXT)}
${r.log.split('\n').map((l) => `                ${l}`).join('\n')}
 Look around (the town is kept in .wrangler/state, also across \`npm start\` restarts):
   Dashboard:   ${r.base}/towns/${r.townId}
   API:         curl -s ${r.base}/api/towns/${r.townId}/activity -H "Authorization: Bearer $GT_TOKEN"
   Debug:       curl -s ${r.base}/debug/towns/${r.townId}/status
   The code:    git clone ${r.gitDir} && cat origin/${DEMO_FILE}
──────────────────────────────────────────────────────────────────────`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { base: { type: 'string' } }, strict: false });
  process.exitCode = await runDemo({ base: typeof values.base === 'string' ? values.base : undefined });
}
