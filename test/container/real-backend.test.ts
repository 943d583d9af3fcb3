/**
 * The real `kilo serve` backend (`container.md` §5.1) against a stand-in CLI (bin/fake-kilo.mjs):
 * spawned directly with its own cwd and exactly the given env plus a random password, connected
 * through the SDK with Basic auth, one event stream, and the whole process group killed on close
 * (TERM, then KILL after the grace) and on every failure (timeout, abort, early exit).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RealKiloBackend } from '../../container/src/kilo/real-backend.ts';
import type { KiloEvent } from '../../container/src/kilo/backend.ts';
import { timingsFor } from '../../container/src/timings.ts';
import type { Timings } from '../../container/src/timings.ts';
import { captureLog } from './helpers.ts';

const FAKE_KILO = join(import.meta.dirname, 'bin', 'fake-kilo.mjs');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gt-kilo-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function backend(over: Partial<Timings> = {}): RealKiloBackend {
  return new RealKiloBackend({ kiloBin: FAKE_KILO, timings: { ...timingsFor({ GASTOWN_TIMING: 'test' }), ...over }, log: captureLog().log });
}

/** True while `pid` runs (a zombie counts as gone). */
async function alive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return !/^\d+ \(.*\) Z/.test(stat);
}

async function grandchildPid(): Promise<number> {
  return Number(await readFile(join(dir, 'grandchild.pid'), 'utf8'));
}

const env = (mode = 'normal'): Record<string, string> => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', FAKE_KILO_MODE: mode, GASTOWN_AGENT_ROLE: 'polecat' });

describe('RealKiloBackend', () => {
  it('spawns in the workdir with only the given env, authenticates, streams events, and kills the group on close', async () => {
    const handle = await backend().startServer({ workdir: dir, env: env(), signal: new AbortController().signal });
    expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ids = await handle.client.toolIds();
    expect(ids).toContain('gt_prime');
    expect(ids).toContain(`cwd:${dir}`);
    const envKeys = ids.find((i) => i.startsWith('env:'))?.slice(4).split(',') ?? [];
    expect(envKeys).toEqual(expect.arrayContaining(['FAKE_KILO_MODE', 'GASTOWN_AGENT_ROLE', 'KILO_SERVER_PASSWORD', 'PATH']));
    expect(envKeys).not.toContain('HOME');
    expect((await handle.client.createSession()).id).toBe('ses_1');
    expect((await handle.client.listSessions()).map((s) => s.id)).toEqual(['ses_1']);
    const seen: KiloEvent[] = [];
    const stream = (async () => {
      for await (const e of handle.events()) seen.push(e);
    })();
    while (seen.length < 2) await new Promise<void>((r) => setImmediate(r));
    expect(seen.map((e) => e.type)).toEqual(['server.connected', 'session.idle']);
    const gc = await grandchildPid();
    expect(await alive(gc)).toBe(true);
    await handle.close();
    await handle.exited;
    await stream;
    expect(await alive(gc)).toBe(false);
  });

  it('a wrong password is refused (the password is per server)', async () => {
    const a = await backend().startServer({ workdir: dir, env: env(), signal: new AbortController().signal });
    const res = await fetch(`${a.url}/experimental/tool/ids`, { headers: { authorization: `Basic ${Buffer.from('kilo:guess').toString('base64')}` } });
    expect(res.status).toBe(401);
    await a.close();
  });

  it('gives up at serverListenTimeoutMs and leaves no process behind', async () => {
    const start = backend({ serverListenTimeoutMs: 2000 }).startServer({ workdir: dir, env: env('silent'), signal: new AbortController().signal });
    await expect(start).rejects.toThrow(/did not report listening/);
    expect(await alive(await grandchildPid())).toBe(false);
  });

  it('honours the abort signal while waiting', async () => {
    const ctl = new AbortController();
    const start = backend().startServer({ workdir: dir, env: env('silent'), signal: ctl.signal });
    while ((await readFile(join(dir, 'grandchild.pid'), 'utf8').catch(() => '')) === '') await new Promise<void>((r) => setImmediate(r));
    ctl.abort(new Error('superseded'));
    await expect(start).rejects.toThrow('superseded');
    expect(await alive(await grandchildPid())).toBe(false);
  });

  it('reports an exit before listening with the captured output', async () => {
    await expect(backend().startServer({ workdir: dir, env: env('exit'), signal: new AbortController().signal })).rejects.toThrow(/exiting on purpose/);
  });

  it('KILLs a group that ignores TERM after serverCloseGraceMs', async () => {
    const handle = await backend({ serverCloseGraceMs: 200 }).startServer({ workdir: dir, env: env('stubborn'), signal: new AbortController().signal });
    const gc = await grandchildPid();
    await handle.close();
    expect(await alive(gc)).toBe(false);
  });
});
