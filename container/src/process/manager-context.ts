/**
 * What the process manager's parts share: its injected dependencies (`ManagerDeps`, built once in
 * main.ts) and its state (`ManagerState`: records, session routing, rings, locks, draining), so
 * the start sequence, event handling, idle handling and the model swap live in their own files.
 */
import type { ContainerConfig } from '../../../src/protocol/control.ts';
import type { EventForwarder } from '../event-forwarder.ts';
import type { HeartbeatSource } from '../heartbeat.ts';
import type { Logger, Redactor } from '../redact.ts';
import type { Timings } from '../timings.ts';
import type { WorkerClient } from '../worker-client.ts';
import type { Workspaces } from '../workspaces/workspaces.ts';
import type { AgentRecord } from './agent-record.ts';
import type { DashboardContextStore } from './dashboard-context.ts';
import type { DbSnapshots } from './db-snapshots.ts';
import type { AgentEnvBuilder } from './env-builder.ts';
import type { EventRings } from './event-ring.ts';
import type { LiveConfig } from './live-config.ts';
import type { AgentLocks } from './locks.ts';
import type { ServerPool } from './server-pool.ts';
import type { WorkerReports } from './worker-reports.ts';

/** The heartbeat loop as the manager uses it (helper A's `Heartbeats`). */
export interface HeartbeatTracker {
  track(agent: HeartbeatSource): void;
  untrack(agentId: string): void;
}

/** Dependencies of the process manager. */
export interface ManagerDeps {
  timings: Timings;
  log: Logger;
  redactor: Redactor;
  /** Null when the process runs without an API URL (no reports, no snapshots). */
  worker: WorkerClient | null;
  pool: ServerPool;
  workspaces: Workspaces;
  envBuilder: AgentEnvBuilder;
  liveConfig: LiveConfig;
  dbSnapshots: DbSnapshots;
  reports: WorkerReports;
  dashboard: DashboardContextStore;
  heartbeats?: HeartbeatTracker | null;
  forwarder?: Pick<EventForwarder, 'push'> | null;
  /** Rewrites rig credential files after a git-auth change (§9.3; the workspaces' concern). */
  onGitAuthChanged?: (config: ContainerConfig) => Promise<void>;
}

/** The manager's state as its parts see it. */
export interface ManagerState {
  readonly deps: ManagerDeps;
  readonly agents: Map<string, AgentRecord>;
  /** sessionID → agent id, for event routing. */
  readonly sessions: Map<string, string>;
  readonly rings: EventRings;
  readonly locks: AgentLocks;
  readonly draining: boolean;
  /** The set of live agents may have changed: schedule the registry PUT. */
  registryChanged(): void;
}

/** True when `record` is still the one the manager holds for its agent. */
export function isCurrent(state: ManagerState, record: AgentRecord): boolean {
  return state.agents.get(record.agentId) === record;
}

/** Routes `sessionId`'s events to `record`. */
export function bindSession(state: ManagerState, record: AgentRecord, sessionId: string): void {
  if (record.sessionId !== null && record.sessionId !== sessionId) state.sessions.delete(record.sessionId);
  record.sessionId = sessionId;
  state.sessions.set(sessionId, record.agentId);
}

/** Stops routing `record`'s session (the session itself is left to the caller). */
export function unbindSession(state: ManagerState, record: AgentRecord): void {
  if (record.sessionId !== null && state.sessions.get(record.sessionId) === record.agentId) state.sessions.delete(record.sessionId);
}

/** Clears `record`'s idle timer. */
export function clearIdleTimer(record: AgentRecord): void {
  if (record.idleTimer !== null) clearTimeout(record.idleTimer);
  record.idleTimer = null;
  record.idleTimerMs = null;
}
