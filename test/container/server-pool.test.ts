/**
 * The server pool and locks (`container.md` §5.1, §5.3): cache hits only on equal config AND auth
 * fingerprint, a mismatch replaces an idle server and refuses one with a live session, one event
 * subscription per server, per-workdir serialisation with different workdirs in parallel, and
 * keyed locks released after a throw or an abandoned wait.
 */
import { describe, expect, it } from 'vitest';
import { AgentLocks, KeyedLock } from '../../container/src/process/locks.ts';
import { ServerInUseError, ServerPool } from '../../container/src/process/server-pool.ts';
import type { ServerSpec } from '../../container/src/process/server-pool.ts';
import { FakeKiloBackend } from './fakes/fake-backend.ts';
import { captureLog } from './helpers.ts';
import { deferred, settle } from './pm-harness.ts';

const spec = (config: string, auth: string): ServerSpec => ({ env: { GASTOWN_AGENT_ROLE: 'mayor', HOME: '/h' }, configContent: config, authFingerprint: auth });
const signal = (): AbortSignal => new AbortController().signal;

function pool(): { backend: FakeKiloBackend; pool: ServerPool } {
  const backend = new FakeKiloBackend();
  return { backend, pool: new ServerPool(backend, captureLog().log) };
}

describe('ServerPool.ensureServer', () => {
  it('reuses a server only when config and auth fingerprint both match', async () => {
    const { backend, pool: p } = pool();
    const a = await p.ensureServer('/w', spec('c1', 'f1'), signal());
    const b = await p.ensureServer('/w', spec('c1', 'f1'), signal());
    expect(a.created).toBe(true);
    expect(b).toEqual({ server: a.server, created: false });
    const c = await p.ensureServer('/w', spec('c1', 'f2'), signal());
    expect(c.created).toBe(true);
    expect(backend.servers[0]?.closed).toBe(true);
    const d = await p.ensureServer('/w', spec('c2', 'f2'), signal());
    expect(d.created).toBe(true);
    expect(backend.live()).toHaveLength(1);
    expect(p.size).toBe(1);
  });

  it('refuses to replace a server that runs a live session', async () => {
    const { pool: p } = pool();
    const a = await p.ensureServer('/w', spec('c1', 'f1'), signal());
    a.server.liveSessionId = 'ses_1';
    await expect(p.ensureServer('/w', spec('c1', 'f2'), signal())).rejects.toBeInstanceOf(ServerInUseError);
    expect(a.server.closing).toBe(false);
  });

  it('subscribes once per server and routes events and an unexpected end to the listener', async () => {
    const { backend, pool: p } = pool();
    const events: string[] = [];
    const lost: number[] = [];
    p.setListener({ onEvent: (_s, e) => events.push(e.type), onServerLost: (s) => lost.push(s.id) });
    const { server } = await p.ensureServer('/w', spec('c', 'f'), signal());
    await p.ensureServer('/w', spec('c', 'f'), signal());
    const fake = backend.servers[0];
    expect(fake?.subscriptions).toBe(1);
    fake?.emit('session.idle', { sessionID: 'x' });
    await settle();
    expect(events).toEqual(['session.idle']);
    fake?.crash();
    await settle();
    expect(lost).toEqual([server.id]);
    expect(p.size).toBe(0);
  });

  it('a deliberate close is not a loss', async () => {
    const { pool: p } = pool();
    const lost: number[] = [];
    p.setListener({ onEvent: () => undefined, onServerLost: (s) => lost.push(s.id) });
    const { server } = await p.ensureServer('/w', spec('c', 'f'), signal());
    await p.close(server);
    await settle();
    expect(lost).toEqual([]);
  });

  it('serialises one workdir and runs different workdirs in parallel', async () => {
    const { backend, pool: p } = pool();
    const hold = deferred();
    backend.hold = hold.promise;
    const one = p.ensureServer('/a', spec('c', 'f'), signal());
    const two = p.ensureServer('/a', spec('c', 'f'), signal());
    const other = p.ensureServer('/b', spec('c', 'f'), signal());
    await settle();
    expect(backend.startsBegun).toBe(2);
    backend.hold = null;
    hold.resolve();
    const [r1, r2] = await Promise.all([one, two, other]);
    expect(r2?.server).toBe(r1?.server);
    expect(backend.servers).toHaveLength(2);
  });

  it('a waiter aborted while queued never starts a server', async () => {
    const { backend, pool: p } = pool();
    const hold = deferred();
    backend.hold = hold.promise;
    const first = p.ensureServer('/a', spec('c', 'f'), signal());
    const ctl = new AbortController();
    const second = p.ensureServer('/a', spec('c2', 'f'), ctl.signal);
    ctl.abort(new Error('superseded'));
    await expect(second).rejects.toThrow('superseded');
    backend.hold = null;
    hold.resolve();
    await first;
    expect(backend.startsBegun).toBe(1);
  });
});

describe('locks', () => {
  it('withAgentLock serialises one agent, runs others in parallel and releases after a throw', async () => {
    const locks = new AgentLocks();
    const order: string[] = [];
    const gate = deferred();
    const a1 = locks.withAgentLock('a', async () => {
      order.push('a1 start');
      await gate.promise;
      order.push('a1 end');
      throw new Error('boom');
    });
    const a2 = locks.withAgentLock('a', async () => void order.push('a2'));
    const b = locks.withAgentLock('b', async () => void order.push('b'));
    await b;
    expect(order).toEqual(['a1 start', 'b']);
    gate.resolve();
    await expect(a1).rejects.toThrow('boom');
    await a2;
    expect(order).toEqual(['a1 start', 'b', 'a1 end', 'a2']);
  });

  it('an abandoned wait keeps the queue order and frees the key', async () => {
    const lock = new KeyedLock();
    const gate = deferred();
    const order: string[] = [];
    const first = lock.run('k', async () => {
      await gate.promise;
      order.push('first');
    });
    const ctl = new AbortController();
    const quitter = lock.run('k', async () => void order.push('quitter'), ctl.signal);
    const third = lock.run('k', async () => void order.push('third'));
    ctl.abort(new Error('gone'));
    await expect(quitter).rejects.toThrow('gone');
    gate.resolve();
    await Promise.all([first, third]);
    expect(order).toEqual(['first', 'third']);
    expect(lock.isBusy('k')).toBe(false);
  });
});
