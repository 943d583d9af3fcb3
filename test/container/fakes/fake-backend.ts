/**
 * A fake `KiloBackend` for container tests and the hydration bench: servers start after a
 * configurable delay (or when a test releases them), record their env, sessions and prompts,
 * emit events on demand and can be told to fail a phase. Tool ids follow the env's role, as the
 * real plugin registers mayor tools only when `GASTOWN_AGENT_ROLE=mayor`.
 */
import { KiloCallError } from '../../../container/src/kilo/backend.ts';
import type {
  KiloBackend,
  KiloEvent,
  KiloPromptInput,
  KiloServerHandle,
  KiloSession,
  KiloSessionClient,
  StartServerOptions,
} from '../../../container/src/kilo/backend.ts';

/** Client methods a test can make fail. */
export type FakeCall = keyof KiloSessionClient;

export interface FakeSession {
  id: string;
  updatedAt: number;
  prompts: KiloPromptInput[];
  aborted: number;
  /** The model of the last prompt that named one (`provider/model`). */
  model: string | null;
}

/** An async queue of events that ends on `end()`. */
class EventQueue implements AsyncIterable<KiloEvent> {
  #items: KiloEvent[] = [];
  #waiters: ((r: IteratorResult<KiloEvent>) => void)[] = [];
  #ended = false;

  push(event: KiloEvent): void {
    if (this.#ended) return;
    const w = this.#waiters.shift();
    if (w !== undefined) w({ value: event, done: false });
    else this.#items.push(event);
  }

  end(): void {
    this.#ended = true;
    for (const w of this.#waiters.splice(0)) w({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<KiloEvent> {
    return {
      next: () => {
        const item = this.#items.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.#ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.#waiters.push(resolve));
      },
    };
  }
}

/** One fake `kilo serve`. */
export class FakeServer implements KiloServerHandle {
  readonly url: string;
  readonly workdir: string;
  readonly env: Readonly<Record<string, string>>;
  /** The sessions of this server's kilo.db: shared by every server of the same `HOME`. */
  readonly sessions: Map<string, FakeSession>;
  /** Ids of the sessions this server created, in order. */
  readonly createdIds: string[] = [];
  readonly client: KiloSessionClient;
  /** Calls that fail once each (an error, or an HTTP status turned into `KiloCallError`). */
  readonly failNext = new Map<FakeCall, Error | number>();
  /** Calls that fail every time. */
  readonly failAlways = new Map<FakeCall, Error | number>();
  toolIds: string[];
  subscriptions = 0;
  closed = false;
  readonly exited: Promise<void>;
  #exit: () => void = () => undefined;
  readonly #queue = new EventQueue();
  #seq = 0;
  #clock: () => number;
  readonly #promptHold: () => Promise<void> | null;

  constructor(
    id: number,
    opts: StartServerOptions,
    toolIds: string[],
    clock: () => number,
    promptHold: () => Promise<void> | null = () => null,
    db: Map<string, FakeSession> = new Map(),
  ) {
    this.#promptHold = promptHold;
    this.sessions = db;
    this.url = `http://127.0.0.1:${40000 + id}`;
    this.workdir = opts.workdir;
    this.env = { ...opts.env };
    this.toolIds = toolIds;
    this.#clock = clock;
    this.exited = new Promise((resolve) => (this.#exit = resolve));
    this.client = this.#makeClient();
  }

  /** The ids of the sessions this server created, in creation order. */
  get sessionIds(): string[] {
    return [...this.createdIds];
  }

  events(): AsyncIterable<KiloEvent> {
    this.subscriptions += 1;
    return this.#queue;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.#queue.end();
    this.#exit();
  }

  /** Simulates a crash: the stream ends and the process exits without `close()`. */
  crash(): void {
    this.closed = true;
    this.#queue.end();
    this.#exit();
  }

  emit(type: string, properties: Record<string, unknown> = {}): void {
    this.#queue.push({ type, properties });
  }

  busy(sessionId: string): void {
    this.emit('session.status', { sessionID: sessionId, status: { type: 'busy' } });
  }

  idle(sessionId: string): void {
    this.emit('session.status', { sessionID: sessionId, status: { type: 'idle' } });
    this.emit('session.idle', { sessionID: sessionId });
  }

  tool(sessionId: string, callID: string, tool: string, status: 'pending' | 'running' | 'completed' | 'error'): void {
    this.emit('message.part.updated', { part: { id: `prt_${callID}`, sessionID: sessionId, messageID: 'msg_1', type: 'tool', callID, tool, state: { status } } });
  }

  sessionError(sessionId: string, name: string, message: string): void {
    this.emit('session.error', { sessionID: sessionId, error: { name, data: { message } } });
  }

  /** Adds a session as if it had been left in kilo.db by an earlier server. */
  seedSession(id: string, updatedAt: number): void {
    this.sessions.set(id, { id, updatedAt, prompts: [], aborted: 0, model: null });
  }

  #check(call: FakeCall): void {
    if (this.closed) throw new KiloCallError(`${call}: server closed`, 0);
    const once = this.failNext.get(call);
    if (once !== undefined) this.failNext.delete(call);
    const failure = once ?? this.failAlways.get(call);
    if (failure === undefined) return;
    throw typeof failure === 'number' ? new KiloCallError(`${call}: HTTP ${failure}`, failure) : failure;
  }

  #session(id: string): FakeSession {
    const s = this.sessions.get(id);
    if (s === undefined) throw new KiloCallError(`session ${id} not found`, 404);
    return s;
  }

  #record(sessionId: string, input: KiloPromptInput): void {
    const s = this.#session(sessionId);
    s.prompts.push(input);
    s.updatedAt = this.#clock();
    if (input.model !== undefined) s.model = `${input.model.providerID}/${input.model.modelID}`;
  }

  #makeClient(): KiloSessionClient {
    const view = (s: FakeSession): KiloSession => ({ id: s.id, updatedAt: s.updatedAt });
    return {
      toolIds: async () => (this.#check('toolIds'), [...this.toolIds]),
      listSessions: async () => (this.#check('listSessions'), [...this.sessions.values()].map(view)),
      createSession: async () => {
        this.#check('createSession');
        this.#seq += 1;
        const s: FakeSession = { id: `ses_${this.url.slice(-5)}_${this.#seq}`, updatedAt: this.#clock(), prompts: [], aborted: 0, model: null };
        this.sessions.set(s.id, s);
        this.createdIds.push(s.id);
        return view(s);
      },
      getSession: async (id) => (this.#check('getSession'), view(this.#session(id))),
      promptAsync: async (id, input) => {
        this.#check('promptAsync');
        const hold = this.#promptHold();
        if (hold !== null) await hold;
        this.#record(id, input);
      },
      prompt: async (id, input) => (this.#check('prompt'), this.#record(id, input)),
      abort: async (id) => {
        this.#check('abort');
        this.#session(id).aborted += 1;
      },
    };
  }
}

/** Default tool ids: the plugin's marker tool for the env's role (none without a role). */
export function toolIdsForEnv(env: Readonly<Record<string, string>>): string[] {
  const base = ['bash', 'read', 'edit'];
  const role = env.GASTOWN_AGENT_ROLE;
  if (role === 'mayor') return [...base, 'gt_sling', 'gt_sling_batch', 'gt_list_rigs'];
  if (role === 'polecat' || role === 'refinery') return [...base, 'gt_prime', 'gt_done'];
  return base;
}

/** The fake backend. */
export class FakeKiloBackend implements KiloBackend {
  /** Every server ever started, in start order. */
  readonly servers: FakeServer[] = [];
  /** Delay of every start in ms (abortable). */
  startDelayMs = 0;
  /** When set, starts wait for it (after the delay) — lets a test hold a start deterministically. */
  hold: Promise<void> | null = null;
  /** The next start fails with this error (after its delay). */
  failNextStart: Error | null = null;
  /** When set, every `promptAsync` waits for it (a start held in `prompt_sent`). */
  promptHold: Promise<void> | null = null;
  /** Called with each new server before `startServer` returns it (to change tools, queue failures…). */
  onCreated: ((server: FakeServer) => void) | null = null;
  /** Called when a start begins (before its delay). */
  onStart: ((opts: StartServerOptions) => void) | null = null;
  startsBegun = 0;
  /** kilo.db per agent `HOME`: a new server for the same home sees the earlier sessions. */
  readonly dbs = new Map<string, Map<string, FakeSession>>();
  #ids = 0;
  #clock: () => number = () => Date.now();

  /** Servers not closed. */
  live(): FakeServer[] {
    return this.servers.filter((s) => !s.closed);
  }

  /** The newest server for `workdir`. */
  latest(workdir: string): FakeServer | undefined {
    return this.servers.filter((s) => s.workdir === workdir).at(-1);
  }

  async startServer(opts: StartServerOptions): Promise<KiloServerHandle> {
    this.startsBegun += 1;
    this.onStart?.(opts);
    opts.signal.throwIfAborted();
    if (this.startDelayMs > 0) await abortableDelay(this.startDelayMs, opts.signal);
    if (this.hold !== null) await abortable(this.hold, opts.signal);
    opts.signal.throwIfAborted();
    if (this.failNextStart !== null) {
      const err = this.failNextStart;
      this.failNextStart = null;
      throw err;
    }
    this.#ids += 1;
    const home = opts.env.HOME ?? opts.workdir;
    let db = this.dbs.get(home);
    if (db === undefined) {
      db = new Map();
      this.dbs.set(home, db);
    }
    const server = new FakeServer(this.#ids, opts, toolIdsForEnv(opts.env), this.#clock, () => this.promptHold, db);
    this.servers.push(server);
    this.onCreated?.(server);
    return server;
  }
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const p = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return abortable(p, signal).finally(() => clearTimeout(timer));
}
