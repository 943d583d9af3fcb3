/**
 * The in-memory agent record (`container.md` §5): the start request, the agent's current token
 * and last env, its server and session, and what events told us. `toView` is the only way a
 * record leaves the process (`AgentView`: never tokens or env).
 */
import type { AgentView, ContainerAgentStatus, StartAgentRequest } from '../../../src/protocol/control.ts';
import type { BuiltAgentEnv } from '../env/build-agent-env.ts';
import type { AgentCredentials } from '../worker-client.ts';
import type { PooledServer } from './server-pool.ts';

/** A model change waiting for the session's next idle (§5.5). */
export interface PendingModelChange {
  model: string;
  smallModel: string;
}

/** One agent known to the control server. */
export interface AgentRecord {
  readonly agentId: string;
  readonly role: StartAgentRequest['role'];
  readonly rigId: string;
  readonly dispatchId: string;
  /** The start request; `model`/`small_model` follow hot swaps. Secret-bearing: never logged. */
  request: StartAgentRequest;
  /** The agent's current token (renewed on 401 and at hydration). */
  token: string;
  readonly creds: AgentCredentials;
  status: ContainerAgentStatus;
  busy: boolean;
  sessionId: string | null;
  readonly startedAt: string;
  lastActivityAt: string | null;
  lastEventType: string | null;
  lastEventAt: string | null;
  /** Running tool calls: callID → tool name. */
  readonly activeTools: Map<string, string>;
  messageCount: number;
  exitReason: string | null;
  lastError: string | null;
  /** The error of the current turn (`session.error`, aborts excluded); cleared when a turn starts. */
  turnError: string | null;
  workdir: string | null;
  /** The env of the last (re)build: what its server runs with. */
  built: BuiltAgentEnv | null;
  server: PooledServer | null;
  /** Messages waiting for the next `session.idle` (FIFO, ≤ 50). */
  readonly queue: string[];
  idleTimer: NodeJS.Timeout | null;
  /** The delay the idle timer was armed with (activity re-arms it with the same delay). */
  idleTimerMs: number | null;
  /** Owned by the start that created the record; aborting it supersedes that start. */
  readonly startController: AbortController;
  /** True while the start sequence that created the record runs (it can still be aborted). */
  startInFlight: boolean;
  /** A model swap deferred while busy. */
  pendingModel: PendingModelChange | null;
  /** A `/sync-config` restart waiting for the next idle. */
  restartAtIdle: boolean;
}

/** Queued messages kept per agent (§2 `/message`). */
export const MESSAGE_QUEUE_MAX = 50;

/** A fresh `starting` record for `request`. */
export function newRecord(request: StartAgentRequest, now: string): AgentRecord {
  const record: AgentRecord = {
    agentId: request.agent_id,
    role: request.role,
    rigId: request.rig_id,
    dispatchId: request.dispatch_id,
    request,
    token: request.agent_token,
    creds: {
      agentId: request.agent_id,
      rigId: request.rig_id,
      getToken: () => record.token,
      setToken: (t: string) => {
        record.token = t;
      },
    },
    status: 'starting',
    busy: false,
    sessionId: null,
    startedAt: now,
    lastActivityAt: null,
    lastEventType: null,
    lastEventAt: null,
    activeTools: new Map(),
    messageCount: 0,
    exitReason: null,
    lastError: null,
    turnError: null,
    workdir: null,
    built: null,
    server: null,
    queue: [],
    idleTimer: null,
    idleTimerMs: null,
    startController: new AbortController(),
    startInFlight: true,
    pendingModel: null,
    restartAtIdle: false,
  };
  return record;
}

/** True while the record holds (or is acquiring) a session: `starting` or `running`. */
export function isLive(record: AgentRecord): boolean {
  return record.status === 'starting' || record.status === 'running';
}

/** The wire view of a record. */
export function toView(record: AgentRecord): AgentView {
  return {
    agent_id: record.agentId,
    role: record.role,
    rig_id: record.rigId,
    dispatch_id: record.dispatchId,
    status: record.status,
    busy: record.busy,
    session_id: record.sessionId,
    started_at: record.startedAt,
    last_activity_at: record.lastActivityAt,
    last_event_type: record.lastEventType,
    last_event_at: record.lastEventAt,
    active_tools: [...new Set(record.activeTools.values())],
    message_count: record.messageCount,
    exit_reason: record.exitReason,
    last_error: record.lastError,
    server_up: record.server !== null && !record.server.closing,
  };
}
