/**
 * A fake town container for tests and benchmarks: `FakeContainerTransport` simulates a control
 * server (records every request, checks the control secret, keeps agent records) and can be told
 * to fail, hang, answer not_found or "already running"; `FakeContainer` runs the real shared
 * behaviour (`ContainerControl`) over it, in process, as a `ContainerHandle`.
 */
import { controlSecretFor } from '../../src/auth/control-secret.ts';
import { buildBootEnv } from '../../src/container/boot-env.ts';
import { ContainerControl } from '../../src/container/container-control.ts';
import type { ContainerHandle } from '../../src/container/control-client.ts';
import { handleOver } from '../../src/container/control-client.ts';
import { memoryStore } from '../../src/container/control-store.ts';
import type { ContainerStateView, ControlMethod, ControlOptions, ControlResponse, RestartMode } from '../../src/container/container-rpc.ts';
import { ContainerNotRunning, type ContainerTransport, type TransportRequest, type TransportResponse } from '../../src/container/transport.ts';
import { CONTROL_SECRET_HEADER, StartAgentRequest } from '../../src/protocol/control.ts';

export type FakeRoute = 'health' | 'start' | 'status' | 'stop' | 'message' | 'model' | 'system_prompt' | 'refresh_token' | 'sync_config' | 'dashboard_context' | 'setup' | 'merge' | 'unknown';
/** `fail`: a network error; `hang`: no answer until the call's deadline; `bad_gateway`: a runtime 502. */
export type FakeReply = 'ok' | 'fail' | 'hang' | 'bad_gateway' | 'not_found' | 'already_running' | 'start_failed' | 'hydrating';

export interface RecordedRequest {
  method: string;
  path: string;
  route: FakeRoute;
  headers: Record<string, string>;
  body: unknown;
}

interface FakeAgent {
  agent_id: string;
  role: 'mayor' | 'polecat' | 'refinery';
  rig_id: string;
  dispatch_id: string;
  status: 'running' | 'exited' | 'failed';
  exit_reason: string | null;
  started_at: string;
}

function routeOf(method: string, path: string): { route: FakeRoute; agentId: string | null } {
  const p = path.split('?')[0] ?? path;
  const m = /^\/agents\/([^/]+)\/(status|stop|message|model|system-prompt)$/.exec(p);
  if (m !== null) {
    const kind = m[2] === 'system-prompt' ? 'system_prompt' : (m[2] as 'status' | 'stop' | 'message' | 'model');
    return { route: kind, agentId: m[1] ?? null };
  }
  const fixed: Record<string, FakeRoute> = {
    'GET /health': 'health',
    'POST /agents/start': 'start',
    'POST /refresh-token': 'refresh_token',
    'POST /sync-config': 'sync_config',
    'POST /dashboard-context': 'dashboard_context',
    'POST /repos/setup': 'setup',
    'POST /git/merge': 'merge',
  };
  return { route: fixed[`${method} ${p}`] ?? 'unknown', agentId: null };
}

function reply(status: number, body: unknown): TransportResponse {
  return { status, text: JSON.stringify(body) };
}
const data = (status: number, value: unknown) => reply(status, { data: value });
const error = (status: number, code: string, message: string, details?: unknown) => reply(status, { error: { code, message, ...(details === undefined ? {} : { details }) } });

export class FakeContainerTransport implements ContainerTransport {
  running = false;
  readonly requests: RecordedRequest[] = [];
  /** The boot env of every start. */
  readonly boots: Record<string, string>[] = [];
  readonly signals: ('SIGTERM' | 'SIGKILL')[] = [];
  /** Per-route answers (default `ok`); `all` overrides them (e.g. `fail`: the server is dead). */
  readonly replies = new Map<FakeRoute, FakeReply>();
  all: FakeReply | null = null;
  startFails = false;
  readonly agents = new Map<string, FakeAgent>();

  constructor(private readonly expectedSecret: () => Promise<string>) {}

  async isRunning(): Promise<boolean> {
    return this.running;
  }

  async start(_townId: string, env: Record<string, string>): Promise<void> {
    this.boots.push({ ...env });
    if (this.startFails) throw new Error('the fake container failed to start');
    this.running = true;
  }

  async stop(): Promise<void> {
    this.signals.push('SIGTERM');
    this.running = false;
    this.agents.clear();
  }

  async destroy(): Promise<void> {
    this.signals.push('SIGKILL');
    this.running = false;
    this.agents.clear();
  }

  /** Simulates the control server exiting on its own: the next request finds nothing there. */
  serverGone(): void {
    this.gone = true;
    this.agents.clear();
  }
  private gone = false;

  /** Simulates the session of `agentId` ending. */
  exitAgent(agentId: string, reason = 'completed'): void {
    const a = this.agents.get(agentId);
    if (a !== undefined) this.agents.set(agentId, { ...a, status: 'exited', exit_reason: reason });
  }

  /** The recorded requests of one route. */
  of(route: FakeRoute): RecordedRequest[] {
    return this.requests.filter((r) => r.route === route);
  }

  async send(_townId: string, req: TransportRequest): Promise<TransportResponse> {
    if (this.gone) {
      this.gone = false;
      this.running = false;
      throw new ContainerNotRunning('no control server (fake)');
    }
    const { route, agentId } = routeOf(req.method, req.path);
    const body: unknown = req.body === undefined ? undefined : JSON.parse(req.body);
    this.requests.push({ method: req.method, path: req.path, route, headers: { ...req.headers }, body });
    const mode = this.all ?? this.replies.get(route) ?? 'ok';
    if (mode === 'fail') throw new Error('connect ECONNREFUSED (fake container)');
    if (mode === 'bad_gateway') return { status: 502, text: 'Bad Gateway' };
    if (mode === 'hang') {
      return new Promise<TransportResponse>((_, reject) => {
        if (req.signal.aborted) reject(req.signal.reason);
        req.signal.addEventListener('abort', () => reject(req.signal.reason));
      });
    }
    if (req.headers[CONTROL_SECRET_HEADER] !== (await this.expectedSecret())) return error(401, 'unauthorized', 'Missing or wrong control secret.');
    return this.answer(route, agentId, mode, body);
  }

  private view(a: FakeAgent, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      agent_id: a.agent_id, role: a.role, rig_id: a.rig_id, dispatch_id: a.dispatch_id, status: a.status, busy: false, session_id: 'ses-fake',
      started_at: a.started_at, last_activity_at: null, last_event_type: null, last_event_at: null, active_tools: [], message_count: 0,
      exit_reason: a.exit_reason, last_error: null, server_up: a.status === 'running', ...extra,
    };
  }

  private answer(route: FakeRoute, agentId: string | null, mode: FakeReply, body: unknown): TransportResponse {
    const known = agentId === null ? undefined : this.agents.get(agentId);
    switch (route) {
      case 'health':
        return data(200, { started_at: new Date(0).toISOString(), uptime_ms: 1, hydrated: true, draining: false, agents: this.agents.size, servers: this.agents.size, mayor_ready_at: null, container_instance_id: 'fake-instance' });
      case 'start': {
        if (mode === 'start_failed') return error(500, 'start_failed', 'The agent did not start.', { phase: 'sdk_ready' });
        const parsed = StartAgentRequest.safeParse(body);
        if (!parsed.success) return error(400, 'validation_failed', 'The request body is invalid.');
        const r = parsed.data;
        const existing = this.agents.get(r.agent_id);
        if (mode === 'already_running' || (existing !== undefined && existing.dispatch_id === r.dispatch_id)) {
          const a = existing ?? { agent_id: r.agent_id, role: r.role, rig_id: r.rig_id, dispatch_id: r.dispatch_id, status: 'running' as const, exit_reason: null, started_at: new Date(0).toISOString() };
          this.agents.set(r.agent_id, a);
          return data(200, this.view(a, { duplicate: true }));
        }
        const a: FakeAgent = { agent_id: r.agent_id, role: r.role, rig_id: r.rig_id, dispatch_id: r.dispatch_id, status: 'running', exit_reason: null, started_at: new Date(0).toISOString() };
        this.agents.set(r.agent_id, a);
        return data(201, this.view(a));
      }
      case 'status':
        if (mode === 'hydrating' && known === undefined) return error(503, 'hydrating', 'The container is still hydrating.');
        if (mode === 'not_found' || known === undefined) return error(404, 'not_found', `No agent ${agentId ?? ''} in this container.`);
        return data(200, this.view(known));
      case 'stop':
        if (known === undefined || mode === 'not_found') return error(404, 'not_found', 'No such agent.');
        this.agents.set(known.agent_id, { ...known, status: 'exited', exit_reason: 'stopped' });
        return data(200, { stopped: true, status: 'exited' });
      case 'message':
        if (known === undefined || mode === 'not_found') return error(404, 'not_found', 'No such agent.');
        if (known.status !== 'running') return error(409, 'not_running', 'The agent is not running.');
        return data(200, { sent: true, queued: false });
      case 'model':
        return known === undefined ? error(404, 'not_found', 'No such agent.') : data(200, { updated: true });
      case 'system_prompt':
        return data(200, { updated: true });
      case 'refresh_token':
        return data(200, { refreshed: true });
      case 'sync_config': {
        const version = typeof body === 'object' && body !== null && 'config' in body && typeof body.config === 'object' && body.config !== null && 'version' in body.config ? Number(body.config.version) : 0;
        return data(200, { applied: true, version, restarts_scheduled: 0 });
      }
      case 'dashboard_context':
        return data(200, { stored: true });
      case 'setup':
      case 'merge':
        return data(202, { accepted: true });
      case 'unknown':
        return error(404, 'not_found', 'No route matches this method and path.');
    }
  }
}

export interface FakeContainerOptions {
  townId: string;
  jwtSecret: string;
  apiUrl?: string;
  development?: boolean;
  /** The watchdog's clock (default: wall clock). */
  now?: () => number;
}

/** The real `ContainerControl` over a `FakeContainerTransport`, as a `ContainerHandle`. */
export class FakeContainer implements ContainerHandle {
  readonly transport: FakeContainerTransport;
  readonly control: ContainerControl;
  private readonly handle: ContainerHandle;

  constructor(readonly opts: FakeContainerOptions) {
    this.transport = new FakeContainerTransport(() => controlSecretFor(opts.jwtSecret, opts.townId));
    const env = { GASTOWN_JWT_SECRET: opts.jwtSecret, GASTOWN_API_URL: opts.apiUrl ?? 'http://127.0.0.1:8787', ENVIRONMENT: opts.development === false ? 'production' : 'development' };
    this.control = new ContainerControl({
      transport: this.transport,
      store: memoryStore(),
      jwtSecret: opts.jwtSecret,
      bootEnv: (townId, at) => buildBootEnv(env, townId, at),
      now: opts.now ?? (() => Date.now()),
    });
    this.handle = handleOver(this.control, opts.townId);
  }

  request(method: ControlMethod, path: string, body: unknown, opts: ControlOptions): Promise<ControlResponse> {
    return this.handle.request(method, path, body, opts);
  }
  stop(): Promise<void> {
    return this.handle.stop();
  }
  destroy(): Promise<void> {
    return this.handle.destroy();
  }
  restart(mode: RestartMode): Promise<void> {
    return this.handle.restart(mode);
  }
  state(): Promise<ContainerStateView> {
    return this.handle.state();
  }

  get requests(): RecordedRequest[] {
    return this.transport.requests;
  }

  /** The bodies of every `/agents/start` the control server received. */
  starts(): StartAgentRequest[] {
    return this.transport.of('start').map((r) => StartAgentRequest.parse(r.body));
  }
}
