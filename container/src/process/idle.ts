/**
 * `session.idle` handling (`container.md` §5.4), run under the agent's mutex: a deferred model
 * swap or config restart first; then queued messages as one prompt; else, for a rig agent, the
 * pending nudges as one prompt (each acked once accepted); else the idle timer. The mayor has no
 * idle timer: it reports `P/waiting` and takes a snapshot. The timer's expiry ends the agent.
 */
import { z } from 'zod';
import { Nudge } from '../../../src/protocol/api.ts';
import type { NudgeDelivered } from '../../../src/protocol/agent.ts';
import type { AgentRecord } from './agent-record.ts';
import { finishRecord } from './agent-exit.ts';
import { modelRefOf } from './env-builder.ts';
import { clearIdleTimer, isCurrent } from './manager-context.ts';
import type { ManagerState } from './manager-context.ts';
import { errorText } from './worker-reports.ts';

const NudgeList = z.array(Nudge);

/** Sends `text` as one prompt on `record`'s session; true once accepted (the session is then busy). */
export async function promptNow(state: ManagerState, record: AgentRecord, text: string): Promise<boolean> {
  const server = record.server;
  const sessionId = record.sessionId;
  if (server === null || sessionId === null) return false;
  const model = record.built === null ? undefined : modelRefOf(record.built.configContent);
  clearIdleTimer(record);
  try {
    await server.handle.client.promptAsync(sessionId, { parts: [{ type: 'text', text }], ...(model === undefined ? {} : { model }) });
  } catch (err) {
    state.deps.log.warn('agent.prompt_failed', { agent_id: record.agentId, error: errorText(err) });
    return false;
  }
  record.turnError = null;
  record.busy = true;
  return true;
}

/** True while idle work still applies to `record`. */
function stillIdle(state: ManagerState, record: AgentRecord): boolean {
  return isCurrent(state, record) && record.status === 'running' && !record.busy;
}

/** The idle delay of `record`'s role (drain: `drainIdleMs`). */
export function idleDelay(state: ManagerState, record: AgentRecord): number {
  const t = state.deps.timings;
  if (state.draining) return t.drainIdleMs;
  return record.role === 'refinery' ? t.refineryIdleMs : t.idleMs;
}

/** Arms (or re-arms) `record`'s idle timer with `ms`. */
export function armIdleTimer(state: ManagerState, record: AgentRecord, ms: number): void {
  clearIdleTimer(record);
  const timer = setTimeout(() => {
    void state.locks.withAgentLock(record.agentId, () => idleExit(state, record, timer));
  }, ms);
  record.idleTimer = timer;
  record.idleTimerMs = ms;
}

/** The idle timer fired: `exited` (`completed`), close, snapshot, `P/completed` (failed after a session error). */
async function idleExit(state: ManagerState, record: AgentRecord, timer: NodeJS.Timeout): Promise<void> {
  if (record.idleTimer !== timer || !stillIdle(state, record)) return;
  const failed = record.turnError;
  await finishRecord(state, record, {
    status: 'exited',
    reason: 'completed',
    abortSession: false,
    report: failed === null ? { status: 'completed' } : { status: 'failed', reason: failed.slice(0, 1024) },
  });
}

/** Fetches the agent's pending nudges (urgent first); `[]` on any failure. */
async function pendingNudges(state: ManagerState, record: AgentRecord): Promise<Nudge[]> {
  const worker = state.deps.worker;
  if (worker === null) return [];
  try {
    const data = await worker.agent<unknown>(record.creds, 'GET', '/pending-nudges', undefined, { timeoutMs: state.deps.timings.workerCallTimeoutMs });
    const parsed = NudgeList.safeParse(data);
    if (!parsed.success) return [];
    const rank = (n: Nudge): number => (n.priority === 'urgent' ? 0 : 1);
    return [...parsed.data].sort((a, b) => rank(a) - rank(b));
  } catch (err) {
    state.deps.log.warn('agent.nudges_fetch_failed', { agent_id: record.agentId, error: errorText(err) });
    return [];
  }
}

/** Acks each delivered nudge (`P/nudge-delivered`), in the background. */
function ackNudges(state: ManagerState, record: AgentRecord, nudges: Nudge[]): void {
  const worker = state.deps.worker;
  if (worker === null) return;
  for (const n of nudges) {
    const body: NudgeDelivered = { nudge_id: n.id };
    worker.agent(record.creds, 'POST', '/nudge-delivered', body).catch((err: unknown) => {
      state.deps.log.warn('agent.nudge_ack_failed', { agent_id: record.agentId, nudge_id: n.id, error: errorText(err) });
    });
  }
}

/** What idle handling may need from the manager. */
export interface IdleOps {
  /** Performs a deferred model swap / config restart of `record` (errors are logged by the caller). */
  swap(record: AgentRecord): Promise<void>;
}

/** Handles one `session.idle` of `record`; call under its agent mutex. */
export async function handleIdle(state: ManagerState, record: AgentRecord, ops: IdleOps): Promise<void> {
  if (!stillIdle(state, record)) return;
  const { deps } = state;
  if (record.pendingModel !== null || record.restartAtIdle) {
    await ops.swap(record).catch((err: unknown) => deps.log.warn('agent.deferred_swap_failed', { agent_id: record.agentId, error: errorText(err) }));
    if (!stillIdle(state, record)) return;
  }
  if (record.queue.length > 0 && !(state.draining && record.role !== 'mayor')) {
    const text = record.queue.join('\n\n');
    if (await promptNow(state, record, text)) record.queue.length = 0;
    return;
  }
  if (record.role === 'mayor') {
    void deps.reports.waiting(record.creds);
    const home = record.built?.home;
    if (home !== undefined) void deps.dbSnapshots.snapshot({ creds: record.creds, home });
    return;
  }
  if (!state.draining) {
    const nudges = await pendingNudges(state, record);
    if (!stillIdle(state, record)) return;
    if (nudges.length > 0) {
      const text = nudges.map((n) => `[NUDGE from ${n.from ?? 'system'}] ${n.message}`).join('\n');
      if (await promptNow(state, record, text)) {
        ackNudges(state, record, nudges);
        return;
      }
    }
  }
  armIdleTimer(state, record, idleDelay(state, record));
}
