/**
 * One start under the agent's mutex (`container.md` §5.3): a repeated `dispatch_id` returns the
 * live record; any other start stops its predecessor first (no completion report), creates the
 * record and runs the sequence. After an abort or a failure it releases what it acquired, so no
 * session or server leaks; an aborted start throws `StartupAborted` (→ 409 `superseded`).
 */
import type { StartAgentRequest } from '../../../src/protocol/control.ts';
import type { AgentView } from '../../../src/protocol/control.ts';
import { isLive, newRecord, toView } from './agent-record.ts';
import type { AgentRecord } from './agent-record.ts';
import { finishRecord, heartbeatSource } from './agent-exit.ts';
import { AbortReason, StartFailed, StartupAborted } from './errors.ts';
import { clearIdleTimer, isCurrent, unbindSession } from './manager-context.ts';
import type { ManagerState } from './manager-context.ts';
import { noResources, runStartSequence } from './start-sequence.ts';
import type { StartResources } from './start-sequence.ts';
import { errorText } from './worker-reports.ts';

/** The reply of a start: the record's view, and whether it was a repeated `dispatch_id`. */
export interface StartOutcome {
  view: AgentView;
  duplicate: boolean;
}

/** Runs one start; call under the agent mutex. */
export async function startLocked(state: ManagerState, request: StartAgentRequest, onMayorReady: () => void): Promise<StartOutcome> {
  const { deps } = state;
  const id = request.agent_id;
  const existing = state.agents.get(id);
  if (existing !== undefined && isLive(existing)) {
    if (existing.dispatchId === request.dispatch_id) return { view: toView(existing), duplicate: true };
    await finishRecord(state, existing, { status: 'exited', reason: 'superseded', abortSession: true });
  }
  const record = newRecord(request, new Date().toISOString());
  state.agents.set(id, record);
  deps.redactor.addSecret(record.token);
  deps.heartbeats?.track(heartbeatSource(record));
  const res = noResources();
  const signal = record.startController.signal;
  try {
    await runStartSequence(state, record, signal, res);
  } catch (err) {
    record.startInFlight = false;
    await release(state, record, res);
    deps.heartbeats?.untrack(id);
    if (signal.aborted) throw aborted(state, record, signal.reason);
    record.status = 'failed';
    record.exitReason = 'start_failed';
    record.lastError = deps.redactor.redact(errorText(err));
    state.registryChanged();
    deps.log.warn('agent.start_failed', { agent_id: id, role: record.role, error: record.lastError, details: err instanceof StartFailed ? err.details : null });
    throw err instanceof StartFailed ? err : StartFailed.at('workspace', record.lastError);
  }
  record.startInFlight = false;
  if (record.role === 'mayor') onMayorReady();
  deps.log.info('agent.started', { agent_id: id, role: record.role, session_id: record.sessionId, server_reused: !res.created });
  return { view: toView(record), duplicate: false };
}

/** Releases what an unfinished start acquired: its session (aborted) and a server it created. */
async function release(state: ManagerState, record: AgentRecord, res: StartResources): Promise<void> {
  unbindSession(state, record);
  const server = res.server;
  if (server !== null && res.sessionId !== null && !server.closing) {
    await server.handle.client.abort(res.sessionId).catch(() => undefined);
    server.liveSessionId = null;
  }
  if (server !== null && (res.created || res.defective)) await state.deps.pool.close(server).catch(() => undefined);
  record.server = null;
  record.busy = false;
  clearIdleTimer(record);
}

/** The aborted start's record: kept as `exited` after a stop, removed (if still its own) when superseded. */
function aborted(state: ManagerState, record: AgentRecord, reason: unknown): StartupAborted {
  if (reason instanceof AbortReason && reason.kind === 'stopped') {
    record.status = 'exited';
    record.exitReason = reason.reason;
  } else if (isCurrent(state, record)) {
    state.agents.delete(record.agentId);
  }
  state.registryChanged();
  const why = reason instanceof Error ? reason.message : 'aborted';
  state.deps.log.info('agent.start_aborted', { agent_id: record.agentId, reason: why });
  return new StartupAborted(record.agentId, why);
}
