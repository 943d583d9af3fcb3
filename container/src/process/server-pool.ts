/**
 * The `kilo serve` pool (`container.md` §5.1): one server per workdir, created under a
 * per-workdir lock, reused only when its `KILO_CONFIG_CONTENT` and auth fingerprint both match.
 * Each server gets exactly one event subscription; its events and an unexpected end of its
 * stream are handed to the listener given at construction (the process manager).
 */
import type { BuiltAgentEnv } from '../env/build-agent-env.ts';
import type { Logger } from '../redact.ts';
import type { KiloBackend, KiloEvent, KiloServerHandle } from '../kilo/backend.ts';
import { KeyedLock } from './locks.ts';

/** What a server is built from: the env and the two cache-hit keys derived from it. */
export type ServerSpec = Pick<BuiltAgentEnv, 'env' | 'configContent' | 'authFingerprint'>;

/** One pooled server and what it was started with. */
export interface PooledServer {
  readonly id: number;
  readonly workdir: string;
  readonly handle: KiloServerHandle;
  readonly configContent: string;
  readonly authFingerprint: string;
  /** The session an agent runs on it (a prewarmed server has none). */
  liveSessionId: string | null;
  /** Set once a close was asked for, so the end of its stream is expected. */
  closing: boolean;
}

/** Receives every event of every pooled server, and the unexpected end of a server's stream. */
export interface ServerListener {
  onEvent(server: PooledServer, event: KiloEvent): void;
  onServerLost(server: PooledServer): void;
}

/** A cache miss on a server that still runs a session: the start fails in `sdk_ready`. */
export class ServerInUseError extends Error {
  constructor(workdir: string) {
    super(`the server for ${workdir} runs a live session with a different config or auth`);
    this.name = 'ServerInUseError';
  }
}

/** The result of `ensureServer`: the server and whether this call created it. */
export interface EnsuredServer {
  server: PooledServer;
  created: boolean;
}

/** The pool; state lives in the object (created once in main.ts). */
export class ServerPool {
  readonly #servers = new Map<string, PooledServer>();
  readonly #locks = new KeyedLock();
  readonly #backend: KiloBackend;
  readonly #log: Logger;
  #listener: ServerListener | null = null;
  #ids = 0;

  constructor(backend: KiloBackend, log: Logger) {
    this.#backend = backend;
    this.#log = log;
  }

  /** Wires the listener (the process manager); events before this are dropped. */
  setListener(listener: ServerListener): void {
    this.#listener = listener;
  }

  get size(): number {
    return this.#servers.size;
  }

  /** The server currently installed for `workdir`. */
  get(workdir: string): PooledServer | undefined {
    return this.#servers.get(workdir);
  }

  /** Every installed server. */
  list(): PooledServer[] {
    return [...this.#servers.values()];
  }

  /** True when the installed server for `workdir` would be reused for `spec`. */
  wouldReuse(workdir: string, spec: ServerSpec): boolean {
    const s = this.#servers.get(workdir);
    return s !== undefined && !s.closing && s.configContent === spec.configContent && s.authFingerprint === spec.authFingerprint;
  }

  /**
   * The server for `workdir`: the installed one on a cache hit, else a new one (an installed
   * server without a live session is closed first; one with a session fails the call).
   */
  ensureServer(workdir: string, spec: ServerSpec, signal: AbortSignal): Promise<EnsuredServer> {
    return this.#locks.run(
      workdir,
      async () => {
        signal.throwIfAborted();
        const existing = this.#servers.get(workdir);
        if (existing !== undefined) {
          if (this.wouldReuse(workdir, spec)) return { server: existing, created: false };
          if (existing.liveSessionId !== null && !existing.closing) throw new ServerInUseError(workdir);
          this.#log.info('server.replaced', { workdir, config_changed: existing.configContent !== spec.configContent, auth_changed: existing.authFingerprint !== spec.authFingerprint });
          await this.close(existing);
        }
        const server = await this.#spawn(workdir, spec, signal);
        this.#servers.set(workdir, server);
        return { server, created: true };
      },
      signal,
    );
  }

  /** A new server for `workdir` that is not installed yet (model swap: never a cache hit). */
  createDetached(workdir: string, spec: ServerSpec, signal: AbortSignal): Promise<PooledServer> {
    return this.#locks.run(workdir, () => this.#spawn(workdir, spec, signal), signal);
  }

  /** Installs `server` for its workdir; returns the server it displaced (not closed). */
  install(server: PooledServer): PooledServer | undefined {
    const previous = this.#servers.get(server.workdir);
    this.#servers.set(server.workdir, server);
    return previous === server ? undefined : previous;
  }

  /** Closes `server` (idempotent) and uninstalls it if installed. */
  async close(server: PooledServer): Promise<void> {
    server.closing = true;
    if (this.#servers.get(server.workdir) === server) this.#servers.delete(server.workdir);
    await server.handle.close();
  }

  /** Closes every server (drain, shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all(this.list().map((s) => this.close(s)));
  }

  async #spawn(workdir: string, spec: ServerSpec, signal: AbortSignal): Promise<PooledServer> {
    const handle = await this.#backend.startServer({ workdir, env: spec.env, signal });
    this.#ids += 1;
    const server: PooledServer = {
      id: this.#ids,
      workdir,
      handle,
      configContent: spec.configContent,
      authFingerprint: spec.authFingerprint,
      liveSessionId: null,
      closing: false,
    };
    void this.#subscribe(server);
    return server;
  }

  /** The one subscription of `server`; its end is unexpected unless a close was asked for. */
  async #subscribe(server: PooledServer): Promise<void> {
    try {
      for await (const event of server.handle.events()) this.#listener?.onEvent(server, event);
    } catch (err) {
      if (!server.closing) this.#log.warn('server.stream_error', { workdir: server.workdir, error: err });
    }
    if (server.closing) return;
    if (this.#servers.get(server.workdir) === server) this.#servers.delete(server.workdir);
    this.#log.warn('server.lost', { workdir: server.workdir, server_id: server.id });
    this.#listener?.onServerLost(server);
    // A stream that ended while the process still runs leaves nothing behind either.
    server.closing = true;
    await server.handle.close();
  }
}
