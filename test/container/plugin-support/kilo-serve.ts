/**
 * A real `kilo serve` for the plugin's end-to-end schema test, started through the container's
 * own `spawnKiloServe`; unlike the backend's handle, it exposes the server's credentials so the
 * test can read kilo's own view of the registered tools. Killed as a group.
 */
import { spawnKiloServe } from '../../../container/src/kilo/serve-process.ts';

/** TERM → KILL grace at close. */
const CLOSE_GRACE_MS = 5_000;
/** The listen bound; the caller's `signal` usually ends the wait first. */
const LISTEN_TIMEOUT_MS = 300_000;

/** A running server. */
export interface KiloServe {
  url: string;
  /** GET `path` with the server's credentials; resolves with the parsed JSON. */
  getJson(path: string): Promise<unknown>;
  close(): Promise<void>;
}

/** Starts `kiloBin serve` in `workdir` with exactly `env`; rejects when it has not listened once `signal` aborts. */
export async function startKiloServe(kiloBin: string, workdir: string, env: Record<string, string>, signal: AbortSignal): Promise<KiloServe> {
  const server = await spawnKiloServe({ kiloBin, workdir, env, listenTimeoutMs: LISTEN_TIMEOUT_MS, closeGraceMs: CLOSE_GRACE_MS, signal });
  return {
    url: server.url,
    async getJson(path) {
      const res = await fetch(`${server.url}${path}`, { headers: { authorization: server.authorization }, signal: AbortSignal.timeout(60_000) });
      const text = await res.text();
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 2000)}\n${server.output.toString()}`);
      return JSON.parse(text) as unknown;
    },
    close: server.close,
  };
}
