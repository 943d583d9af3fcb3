/**
 * A real `kilo serve` for the plugin's end-to-end schema test: spawned as its own process group
 * with the given env and a known server password (the container's backend keeps its password
 * private), so the test can read kilo's own view of the registered tools. Killed as a group.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CappedOutput, childExited, killProcessGroup } from '../../../container/src/kilo/process-group.ts';

const LISTENING = /kilo server listening on (https?:\/\/\S+)/;
/** Output kept for a failure message. */
const OUTPUT_CAP_CHARS = 20_000;
/** TERM → KILL grace at close. */
const CLOSE_GRACE_MS = 5_000;

/** A running server. */
export interface KiloServe {
  url: string;
  /** GET `path` with the server's credentials; resolves with the parsed JSON. */
  getJson(path: string): Promise<unknown>;
  close(): Promise<void>;
}

/** Starts `kiloBin serve` in `workdir` with exactly `env`; rejects when it has not listened once `signal` aborts. */
export async function startKiloServe(kiloBin: string, workdir: string, env: Record<string, string>, signal: AbortSignal): Promise<KiloServe> {
  const password = randomBytes(24).toString('base64url');
  const child = spawn(kiloBin, ['serve', '--hostname=127.0.0.1', '--port=0'], {
    cwd: workdir,
    env: { ...env, KILO_SERVER_PASSWORD: password },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = new CappedOutput(OUTPUT_CAP_CHARS);
  child.stderr?.on('data', (c: Buffer) => output.append(c.toString('utf8')));
  const exited = childExited(child);
  const close = (): Promise<void> => killProcessGroup(child, exited, CLOSE_GRACE_MS);
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      let pending = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output.append(chunk.toString('utf8'));
        pending += chunk.toString('utf8');
        const match = LISTENING.exec(pending);
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      void exited.then(() => reject(new Error(`kilo serve exited before listening:\n${output.toString()}`)));
      signal.addEventListener('abort', () => reject(new Error(`kilo serve did not listen in time:\n${output.toString()}`)), { once: true });
    });
  } catch (err) {
    await close();
    throw err;
  }
  const authorization = `Basic ${Buffer.from(`kilo:${password}`).toString('base64')}`;
  return {
    url,
    async getJson(path) {
      const res = await fetch(`${url}${path}`, { headers: { authorization }, signal: AbortSignal.timeout(60_000) });
      const text = await res.text();
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 2000)}\n${output.toString()}`);
      return JSON.parse(text) as unknown;
    },
    close,
  };
}
