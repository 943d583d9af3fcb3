/**
 * The `kilo serve` abstraction (`container.md` §5.1): a backend starts one server per workdir
 * with its own cwd and env, and hands back a handle with the small session client the process
 * manager uses. The real backend spawns the CLI; tests and the bench plug in a fake.
 */

/** One event of a server's `/event` stream (`@kilocode/sdk` `Event`, read defensively). */
export interface KiloEvent {
  type: string;
  properties: Record<string, unknown>;
}

/** A session as the manager needs it: its id and when it was last updated (epoch ms). */
export interface KiloSession {
  id: string;
  updatedAt: number;
}

/** A `providerID/modelID` pair, as `session.prompt` takes it. */
export interface KiloModelRef {
  providerID: string;
  modelID: string;
}

/** One prompt: text parts, an optional model and system prompt, `noReply` for a model switch. */
export interface KiloPromptInput {
  parts: { type: 'text'; text: string }[];
  model?: KiloModelRef;
  system?: string;
  noReply?: boolean;
}

/** The subset of the `@kilocode/sdk` client the process manager uses; every call throws `KiloCallError`. */
export interface KiloSessionClient {
  toolIds(): Promise<string[]>;
  listSessions(): Promise<KiloSession[]>;
  createSession(): Promise<KiloSession>;
  getSession(id: string): Promise<KiloSession>;
  /** Resolves once the server accepted the prompt; never waits for the turn. */
  promptAsync(sessionId: string, input: KiloPromptInput): Promise<void>;
  /** The synchronous prompt (used with `noReply: true` to switch a session's model without a turn). */
  prompt(sessionId: string, input: KiloPromptInput): Promise<void>;
  abort(sessionId: string): Promise<void>;
}

/** A running `kilo serve`. `events()` is called once per server (the pool's one subscription). */
export interface KiloServerHandle {
  readonly url: string;
  readonly client: KiloSessionClient;
  /** The event stream; it ends when the server closes or dies. */
  events(): AsyncIterable<KiloEvent>;
  /** TERM to the process group, KILL after the grace; resolves once the process is gone. Idempotent. */
  close(): Promise<void>;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<void>;
}

/** What a server is started with: its cwd and its whole env (nothing is inherited from the parent). */
export interface StartServerOptions {
  workdir: string;
  env: Readonly<Record<string, string>>;
  signal: AbortSignal;
}

/** Starts `kilo serve` children. */
export interface KiloBackend {
  /** Rejects with the signal's reason when aborted; leaves no child behind on any failure. */
  startServer(opts: StartServerOptions): Promise<KiloServerHandle>;
}

/** A failed call to a server; `status` is the HTTP status (0 on a network failure). */
export class KiloCallError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'KiloCallError';
    this.status = status;
  }
}

/** The session id an event belongs to (`properties.sessionID`, `.info.sessionID`, `.part.sessionID`), else null. */
export function eventSessionId(event: KiloEvent): string | null {
  const p = event.properties;
  if (typeof p.sessionID === 'string') return p.sessionID;
  for (const key of ['info', 'part'] as const) {
    const inner = p[key];
    if (typeof inner === 'object' && inner !== null && 'sessionID' in inner) {
      const id = (inner as { sessionID?: unknown }).sessionID;
      if (typeof id === 'string') return id;
    }
  }
  return null;
}
