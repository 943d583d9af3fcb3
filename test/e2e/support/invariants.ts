/**
 * The checks every end-to-end fault scenario ends with (issue #9 item 3):
 *
 * 1. **No bead in `in_progress` without a live agent** — an `in_progress` issue whose hooked agent
 *    is not `working`/`stalled` with a heartbeat under `LIVE_HEARTBEAT_MS` old is "unattended".
 *    None may be at the end of a scenario, and `LivenessWatch`, sampling `/debug` status every
 *    second while it runs, reports one unattended for longer than the reconciler promises to
 *    take to recover it (`UNATTENDED_TOLERANCE_MS`, from the test-profile thresholds).
 * 2. **No bead dispatched twice** — from what the town records (`dispatchViolations`): each
 *    successful start is a `dispatched` bead event `{dispatch_id, attempt}`, so attempts and
 *    dispatch ids are unique per bead and never more than `dispatch_attempts`; two agents never
 *    hold the same bead's hook at once. And from what the containers did (`containerStartViolations`):
 *    the sessions the control servers started for a role, minus those they resumed from their
 *    registry after a restart, never outnumber the town's dispatch attempts for that role.
 * 3. **No pushed commit lost** — every sha seen on the bare repository before a fault is still
 *    reachable from one of its branches (`lostCommits`).
 */
import type { z } from 'zod';
import type { Bead } from '../../../src/protocol/api.ts';
import type { DebugStatus } from '../../../src/protocol/debug.ts';
import type { ControlLogLine, DebugBead, TownClient } from './e2e-client.ts';
import type { BareRepo } from './git-repo.ts';
import { thresholdsFor } from '../../../src/town/reconciler/constants.ts';

/** The reconciler's thresholds under `GASTOWN_TIMING=test`, which the stack runs with. */
const T = thresholdsFor('test');
/** A heartbeat younger than this means a live session (heartbeats come every 0.5 s in the test profile). */
export const LIVE_HEARTBEAT_MS = 10_000;
/**
 * How long an `in_progress` issue may stay unattended before it counts as a violation: the
 * reconciler's own bound (`reconciler.md` §10.1) — a dispatch that never started is given the
 * cold-start grace, a bead without a live agent is released after `STALE_IN_PROGRESS_MS` — plus
 * a few ticks and samples of slack.
 */
export const UNATTENDED_TOLERANCE_MS = Math.max(T.COLD_START_GRACE_MS, T.STALE_IN_PROGRESS_MS) + T.HEARTBEAT_STALE_MS + 15_000;
/** How often `LivenessWatch` samples. */
const SAMPLE_MS = 1_000;

type Status = z.output<typeof DebugStatus>;
type BeadRow = z.output<typeof Bead>;

/** The `in_progress` issues of `status` with no live agent on their hook at `nowMs`. */
export function unattendedIssues(status: Status, nowMs: number): string[] {
  const out: string[] = [];
  for (const bead of status.beads.non_terminal) {
    if (bead.type !== 'issue' || bead.status !== 'in_progress') continue;
    const holder = status.agents.find((a) => a.hooked_bead_id === bead.id);
    const beat = holder?.last_heartbeat_at === null || holder?.last_heartbeat_at === undefined ? null : Date.parse(holder.last_heartbeat_at);
    const live = holder !== undefined && (holder.status === 'working' || holder.status === 'stalled') && beat !== null && nowMs - beat < LIVE_HEARTBEAT_MS;
    if (!live) out.push(bead.id);
  }
  return out;
}

/** Samples a town's status in the background; `stop()` returns the beads unattended for too long. */
export class LivenessWatch {
  private readonly since = new Map<string, number>();
  private readonly violations = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private sampling = false;

  constructor(private readonly town: TownClient) {
    this.timer = setInterval(() => void this.sample(), SAMPLE_MS);
  }

  private async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const status = await this.town.status();
      const now = Date.now();
      const bad = new Set(unattendedIssues(status, now));
      for (const id of [...this.since.keys()]) if (!bad.has(id)) this.since.delete(id);
      for (const id of bad) {
        const first = this.since.get(id) ?? now;
        this.since.set(id, first);
        if (now - first >= UNATTENDED_TOLERANCE_MS) this.violations.set(id, Math.max(this.violations.get(id) ?? 0, now - first));
      }
    } catch {
      // a failed sample (the worker busy) proves nothing either way
    } finally {
      this.sampling = false;
    }
  }

  /** Stops sampling; one line per bead that stayed `in_progress` without a live agent too long. */
  stop(): string[] {
    clearInterval(this.timer);
    return [...this.violations].map(([id, ms]) => `bead ${id} was in_progress without a live agent for ${Math.round(ms / 1000)} s`);
  }
}

/** Double dispatches in the town's own record of each bead (its `/debug` view). */
export function dispatchViolations(beads: readonly DebugBead[]): string[] {
  const out: string[] = [];
  for (const { bead, activity } of beads) {
    const dispatched = activity.filter((a) => a.type === 'dispatched');
    const attempts = dispatched.map((a) => a.data.attempt);
    const ids = dispatched.map((a) => a.data.dispatch_id);
    if (new Set(attempts).size !== attempts.length) out.push(`bead ${bead.id}: two starts recorded for one attempt (${JSON.stringify(attempts)})`);
    if (new Set(ids).size !== ids.length) out.push(`bead ${bead.id}: one dispatch id started twice (${JSON.stringify(ids)})`);
    if (dispatched.length > bead.dispatch_attempts) out.push(`bead ${bead.id}: ${dispatched.length} starts for ${bead.dispatch_attempts} dispatch attempts`);
    let holder: string | null = null;
    for (const a of activity) {
      if (a.type === 'hooked') {
        if (holder !== null && holder !== a.agent_id) out.push(`bead ${bead.id}: hooked by ${String(a.agent_id)} while ${holder} still held it`);
        holder = a.agent_id;
      } else if (a.type === 'unhooked') {
        holder = null;
      }
    }
  }
  return out;
}

/**
 * Sessions the town's control servers started (`agent.started`) minus those resumed from the
 * registry after a restart (`hydration.agent_resumed`), per rig role, against the town's
 * dispatch attempts of that role's beads: a container never runs more fresh sessions than the
 * worker asked for.
 */
export function containerStartViolations(lines: readonly ControlLogLine[], beads: readonly BeadRow[]): string[] {
  const out: string[] = [];
  const roles = [
    { role: 'polecat', type: 'issue' },
    { role: 'refinery', type: 'merge_request' },
  ] as const;
  for (const { role, type } of roles) {
    const started = lines.filter((l) => l.msg === 'agent.started' && l.fields.role === role).length;
    const resumed = lines.filter((l) => l.msg === 'hydration.agent_resumed' && l.fields.role === role).length;
    const attempts = beads.filter((b) => b.type === type).reduce((sum, b) => sum + b.dispatch_attempts, 0);
    if (started - resumed > attempts) out.push(`${role}: the containers started ${started - resumed} fresh sessions for ${attempts} dispatch attempts`);
  }
  return out;
}

/** The shas of `seen` no branch of `repo` reaches any more. */
export async function lostCommits(repo: BareRepo, seen: Iterable<string>): Promise<string[]> {
  const lost: string[] = [];
  for (const sha of new Set(seen)) {
    if (!(await repo.hasCommit(sha)) || (await repo.branchesContaining(sha)).length === 0) lost.push(sha);
  }
  return lost;
}

/** Every violation of a town after a scenario: dispatch records, container starts, lost commits, the watch. */
export async function townViolations(town: TownClient, opts: { repo: BareRepo; pushed: Iterable<string>; watch?: LivenessWatch }): Promise<string[]> {
  const beads = await town.beads();
  const work = beads.filter((b) => b.type === 'issue' || b.type === 'merge_request');
  const views = await Promise.all(work.map((b) => town.debugBead(b.id)));
  const unattended = unattendedIssues(await town.status(), Date.now());
  return [
    ...(opts.watch?.stop() ?? []),
    ...unattended.map((id) => `bead ${id} ended the scenario in_progress without a live agent`),
    ...dispatchViolations(views),
    ...containerStartViolations(town.client.log.lines(town.id), beads),
    ...(await lostCommits(opts.repo, opts.pushed)).map((sha) => `pushed commit ${sha} is no longer reachable from any branch`),
  ];
}
