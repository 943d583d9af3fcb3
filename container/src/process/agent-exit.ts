/**
 * How an agent's session ends (`container.md` §5.4): stop, idle exit and a lost server all go
 * through `finishRecord` — clear the idle timer, abort the session (stop only), close the server,
 * set the final status, take the snapshot in the background (unless the drain takes it) and, for
 * idle exits and lost servers, report `P/completed` (retried). A stop never reports.
 */
import type { Completed } from '../../../src/protocol/agent.ts';
import type { ContainerAgentStatus } from '../../../src/protocol/control.ts';
import type { HeartbeatSource } from '../heartbeat.ts';
import type { AgentRecord } from './agent-record.ts';
import { clearIdleTimer, unbindSession } from './manager-context.ts';
import type { ManagerState } from './manager-context.ts';
import { errorText } from './worker-reports.ts';

/** How a record ends. */
export interface FinishOptions {
  status: Extract<ContainerAgentStatus, 'exited' | 'failed'>;
  reason: string;
  /** Abort the running turn before closing (stop). */
  abortSession: boolean;
  /** Report `P/completed` with this body (idle exit, lost server); omitted for a stop. */
  report?: Completed;
  /** Take the background snapshot (default true); the drain takes its own, in order (§8 step 5). */
  snapshot?: boolean;
}

/** The background tails (snapshot, completion report) still running, per manager. */
const tails = new WeakMap<ManagerState, Set<Promise<void>>>();

/** Resolves once every background tail `state`'s exits started so far has ended (drain step 5). */
export async function exitTailsSettled(state: ManagerState): Promise<void> {
  await Promise.all([...(tails.get(state) ?? [])]);
}

/** Runs `work` in the background, tracked until it ends. */
function track(state: ManagerState, work: () => Promise<void>): void {
  let set = tails.get(state);
  if (set === undefined) {
    set = new Set();
    tails.set(state, set);
  }
  const running = set;
  const tail = work().catch((err: unknown) => state.deps.log.warn('agent.exit_tail_failed', { error: errorText(err) }));
  running.add(tail);
  void tail.then(() => running.delete(tail));
}

/** Ends `record`'s session and server; never throws. */
export async function finishRecord(state: ManagerState, record: AgentRecord, opts: FinishOptions): Promise<void> {
  const { deps } = state;
  record.status = 'stopping';
  clearIdleTimer(record);
  const server = record.server;
  const sessionId = record.sessionId;
  if (opts.abortSession && server !== null && sessionId !== null && !server.closing) {
    await server.handle.client.abort(sessionId).catch((err: unknown) => {
      deps.log.warn('agent.abort_failed', { agent_id: record.agentId, error: errorText(err) });
    });
  }
  unbindSession(state, record);
  if (server !== null) {
    server.liveSessionId = null;
    await deps.pool.close(server).catch((err: unknown) => {
      deps.log.warn('agent.server_close_failed', { agent_id: record.agentId, error: errorText(err) });
    });
  }
  record.server = null;
  record.status = opts.status;
  record.exitReason = opts.reason;
  record.busy = false;
  record.activeTools.clear();
  record.queue.length = 0;
  record.pendingModel = null;
  record.restartAtIdle = false;
  if (opts.status === 'failed' && record.lastError === null) record.lastError = opts.reason;
  deps.heartbeats?.untrack(record.agentId);
  state.registryChanged();
  deps.log.info('agent.exited', { agent_id: record.agentId, role: record.role, status: opts.status, reason: opts.reason });
  const home = opts.snapshot === false ? undefined : record.built?.home;
  const report = opts.report;
  track(state, async () => {
    if (home !== undefined) await deps.dbSnapshots.snapshot({ creds: record.creds, home });
    if (report !== undefined) await deps.reports.completed(record.creds, report);
  });
}

/** The heartbeat view of `record` (read at send time). */
export function heartbeatSource(record: AgentRecord): HeartbeatSource {
  return {
    agentId: record.agentId,
    rigId: record.rigId,
    getToken: () => record.token,
    setToken: (t: string) => {
      record.token = t;
    },
    lastEventType: () => record.lastEventType,
    lastEventAt: () => record.lastEventAt,
    activeTools: () => [...new Set(record.activeTools.values())],
  };
}
