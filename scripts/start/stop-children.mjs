/**
 * Stopping `npm start`'s children one after another: each named child in `order` gets its stop
 * signal (to its whole process group) and up to `graceMs` to exit before a SIGKILL, and only then
 * is the next one signalled. `start.mjs` stops the launcher before the worker, so the control
 * servers' last reports (events, the emptied registry) still reach a running worker.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const running = (child) => child.exitCode === null && child.signalCode === null;

/** Signals `child`'s process group; true when it was still running. */
function signalGroup(child, signal) {
  if (!running(child) || child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

/**
 * @param {{ name: string, child: import('node:child_process').ChildProcess, stopSignal: NodeJS.Signals }[]} entries
 * @param {string[]} order names, first stopped first (names not listed go last)
 * @param {number} graceMs
 */
export async function stopChildren(entries, order, graceMs) {
  const rank = (entry) => {
    const i = order.indexOf(entry.name);
    return i === -1 ? order.length : i;
  };
  for (const entry of [...entries].sort((a, b) => rank(a) - rank(b))) {
    if (!signalGroup(entry.child, entry.stopSignal)) continue;
    const deadline = Date.now() + graceMs;
    while (running(entry.child) && Date.now() < deadline) await sleep(50);
    signalGroup(entry.child, 'SIGKILL');
  }
}
