/**
 * The process groups below a control server, listed just before the launcher SIGKILLs it: kilo
 * servers run in their own groups (`detached`), so killing the control server's group alone would
 * orphan them. Reads `ps -A -o pid=,ppid=,pgid=` (Linux and macOS), else `/proc/<pid>/stat`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { runChild } from '../run-child.ts';

/** One row of the process table. */
export interface ProcRow {
  pid: number;
  ppid: number;
  pgid: number;
}

/** Options of `descendantGroups`. */
export interface ProcessTreeOptions {
  timeoutMs: number;
  /** `PATH` to find `ps` on. */
  path: string;
}

/** Parses `ps -o pid=,ppid=,pgid=` output. */
export function parsePs(text: string): ProcRow[] {
  const rows: ProcRow[] = [];
  for (const line of text.split('\n')) {
    const [pid, ppid, pgid] = line.trim().split(/\s+/).map(Number);
    if (pid !== undefined && ppid !== undefined && pgid !== undefined && [pid, ppid, pgid].every(Number.isSafeInteger)) rows.push({ pid, ppid, pgid });
  }
  return rows;
}

/** `/proc/<pid>/stat` → row (fields after the parenthesised command: state, ppid, pgrp). */
function parseStat(text: string): ProcRow | null {
  const close = text.lastIndexOf(')');
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const rest = text.slice(close + 2).split(' ');
  const ppid = Number(rest[1]);
  const pgid = Number(rest[2]);
  return [pid, ppid, pgid].every(Number.isSafeInteger) ? { pid, ppid, pgid } : null;
}

async function procTable(opts: ProcessTreeOptions): Promise<ProcRow[]> {
  try {
    const out = await runChild('ps', ['-A', '-o', 'pid=,ppid=,pgid='], { cwd: '/', env: { PATH: opts.path }, timeoutMs: opts.timeoutMs, killGraceMs: opts.timeoutMs });
    if (out.code === 0) return parsePs(out.stdout);
  } catch {
    // no ps: fall through to /proc
  }
  const names = await readdir('/proc').catch(() => [] as string[]);
  const rows = await Promise.all(names.filter((n) => /^\d+$/.test(n)).map((n) => readFile(`/proc/${n}/stat`, 'utf8').then(parseStat, () => null)));
  return rows.filter((r): r is ProcRow => r !== null);
}

/** The groups of every descendant of `rootPid` in `rows`, except the root's own group. */
export function groupsBelow(rows: readonly ProcRow[], rootPid: number): number[] {
  const children = new Map<number, ProcRow[]>();
  for (const r of rows) children.set(r.ppid, [...(children.get(r.ppid) ?? []), r]);
  const rootGroup = rows.find((r) => r.pid === rootPid)?.pgid ?? rootPid;
  const groups = new Set<number>();
  const queue = [rootPid];
  const seen = new Set<number>();
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    if (seen.has(pid)) continue;
    seen.add(pid);
    for (const child of children.get(pid) ?? []) {
      if (child.pgid !== rootGroup && child.pgid > 1) groups.add(child.pgid);
      queue.push(child.pid);
    }
  }
  return [...groups];
}

/** The process groups of `rootPid`'s descendants that are not its own group (best effort: [] on failure). */
export async function descendantGroups(rootPid: number, opts: ProcessTreeOptions): Promise<number[]> {
  try {
    return groupsBelow(await procTable(opts), rootPid);
  } catch {
    return [];
  }
}
