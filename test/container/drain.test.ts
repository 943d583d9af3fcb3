/**
 * The drain (`container.md` §8) over the process manager with the fake kilo backend and the fake
 * worker API: the steps in order (eviction first; pending and later rig-agent idles get the drain
 * idle delay and no nudge fetch; the rest frozen, mayor included; snapshot, then
 * `P/completed {completed, container_eviction}` for rig agents; the emptied registry last; exit 0),
 * starts refused with 503 meanwhile, the fast SIGINT path, a repeated signal, a failing WIP save
 * and an unreachable worker — the drain never throws.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentView, StartAgentRequest } from '../../src/protocol/control.ts';
import { EVICTION_REASON } from '../../container/src/drain/drain.ts';
import { kiloDbFile } from '../../container/src/layout.ts';
import type { FakeServer } from './fakes/fake-backend.ts';
import type { RecordedRequest } from '../fakes/worker-api/index.ts';
import { AGENT, MAYOR, RIG, TOWN, mayorRequest, polecatRequest } from './fixtures.ts';
import { dataOf, settle } from './pm-harness.ts';
import { makeDrainStack, makeWorkerUnreachable } from './drain-support.ts';
import type { DrainStack } from './drain-support.ts';
import { KiloDbWriter } from './snapshot-support.ts';

const POLECAT_B = '66666666-6666-4666-8666-666666666666';
const POLECAT_C = '77777777-7777-4777-8777-777777777777';
const LATE = '88888888-8888-4888-8888-888888888888';

let s: DrainStack | null = null;
const writers: KiloDbWriter[] = [];
afterEach(async () => {
  for (const w of writers.splice(0)) w.close();
  await s?.close();
  s = null;
});

function polecat(agentId: string, branch: string): StartAgentRequest {
  const base = polecatRequest();
  if (base.rig === undefined) throw new Error('fixture without rig');
  return polecatRequest({ agent_id: agentId, dispatch_id: agentId, agent_token: `token-${agentId}`, rig: { ...base.rig, branch } });
}

/** Starts an agent through the control app; returns its server and session id. */
async function start(stack: DrainStack, request: StartAgentRequest): Promise<{ server: FakeServer; sessionId: string }> {
  const res = await stack.request('POST', '/agents/start', request);
  const view = await dataOf<AgentView>(res);
  const server = stack.backend.servers.at(-1);
  if (res.status !== 201 || server === undefined || view.session_id === null) throw new Error(`start failed: ${res.status}`);
  return { server, sessionId: view.session_id };
}

/** Gives the agent a kilo.db with one session, so its snapshot is uploaded. */
function withDb(stack: DrainStack, agentId: string): void {
  const home = stack.manager.agents.get(agentId)?.built?.home;
  if (home === undefined) throw new Error('no home');
  const writer = new KiloDbWriter(kiloDbFile(home));
  writer.addSession(`ses_${agentId.slice(0, 4)}`, 2);
  writers.push(writer);
}

const agentPath = (rigId: string, agentId: string, suffix: string): string => `/api/towns/${TOWN}/rigs/${rigId}/agents/${agentId}${suffix}`;
const is = (method: string, path: string) => (r: RecordedRequest) => r.method === method && r.path === path;
const isEvents = (r: RecordedRequest): boolean => r.path.endsWith('/events');

describe('drain (full)', () => {
  it('runs the six steps in order and exits 0', async () => {
    s = await makeDrainStack({ timings: { idleMs: 60_000, heartbeatMs: 60_000, drainIdleMs: 50, drainWaitMs: 2_000, drainPollMs: 20 } });
    const stack = s;
    // A: idle with its (long) idle timer pending. B: busy through the drain. C: busy, idles once draining.
    const a = await start(stack, polecat(AGENT, 'gt/toast/aaaa1111'));
    a.server.idle(a.sessionId);
    while (stack.manager.agents.get(AGENT)?.idleTimer === null) await settle();
    await start(stack, polecat(POLECAT_B, 'gt/toast/bbbb2222'));
    const c = await start(stack, polecat(POLECAT_C, 'gt/toast/cccc3333'));
    const mayor = await start(stack, mayorRequest({ prompt: 'hello' }));
    withDb(stack, POLECAT_B);
    withDb(stack, MAYOR);
    await stack.registrySync.flush(); // the debounced PUT of the starts goes out before the mark
    const mark = stack.api.requests.length;

    const running = stack.drain.run('full');
    // Step 1 is synchronous up to the eviction POST: starts are refused from now on.
    expect(stack.manager.draining).toBe(true);
    const refused = await stack.request('POST', '/agents/start', polecat(LATE, 'gt/toast/dddd4444'));
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('container_draining');
    expect((await dataOf<{ draining: boolean }>(await stack.request('GET', '/health'))).draining).toBe(true);
    c.server.idle(c.sessionId);
    await running;
    expect(stack.exits).toEqual([0]);

    const after = stack.api.requests.slice(mark);
    const at = (pred: (r: RecordedRequest) => boolean): number => after.findIndex(pred);
    const all = (pred: (r: RecordedRequest) => boolean): number[] => after.flatMap((r, i) => (pred(r) ? [i] : []));

    // 1. The eviction is the first call of the drain.
    const firstCall = after.find((r) => !isEvents(r));
    expect(firstCall?.path).toBe(`/api/towns/${TOWN}/container/eviction`);
    expect(firstCall?.body).toEqual({ container_instance_id: 'instance-drain-1' });

    // 2–3. A (pending timer re-armed) and C (idle while draining, no nudge fetch) exited by themselves.
    const completedBody = (agentId: string) => after.filter(is('POST', agentPath(RIG, agentId, '/completed'))).map((r) => r.body);
    expect(completedBody(AGENT)).toEqual([{ status: 'completed' }]);
    expect(completedBody(POLECAT_C)).toEqual([{ status: 'completed' }]);
    expect(at(is('GET', agentPath(RIG, POLECAT_C, '/pending-nudges')))).toBe(-1);
    expect(stack.manager.status(AGENT)).toMatchObject({ status: 'exited', exit_reason: 'completed' });
    expect(stack.manager.status(POLECAT_C)).toMatchObject({ status: 'exited', exit_reason: 'completed' });

    // 4. B and the mayor were frozen: session aborted, server closed, exited (container_eviction).
    for (const id of [POLECAT_B, MAYOR]) expect(stack.manager.status(id)).toMatchObject({ status: 'exited', exit_reason: EVICTION_REASON, server_up: false });
    expect(mayor.server.sessions.get(mayor.sessionId)?.aborted).toBe(1);
    expect(stack.backend.live()).toHaveLength(0);

    // 5. Snapshot, then (rig agents only) the eviction completion.
    const bSnapshot = at(is('PUT', agentPath(RIG, POLECAT_B, '/db-snapshot')));
    const bCompleted = at(is('POST', agentPath(RIG, POLECAT_B, '/completed')));
    expect(bSnapshot).toBeGreaterThan(0);
    expect(bCompleted).toBeGreaterThan(bSnapshot);
    expect(completedBody(POLECAT_B)).toEqual([{ status: 'completed', reason: EVICTION_REASON }]);
    expect(at(is('PUT', agentPath(TOWN, MAYOR, '/db-snapshot')))).toBeGreaterThan(0);
    expect(at(is('POST', agentPath(TOWN, MAYOR, '/completed')))).toBe(-1);

    // 6. The emptied registry comes after every agent call; only event flushes may follow it.
    const registryPuts = all(is('PUT', `/api/towns/${TOWN}/container/registry`));
    const lastRegistry = registryPuts.at(-1) ?? -1;
    expect(after[lastRegistry]?.body).toMatchObject({ registry: { agents: [] } });
    expect((after[lastRegistry]?.body as { registry: { config: unknown } }).registry.config).toMatchObject({ town_id: TOWN });
    const agentCalls = all((r) => r.path.includes('/agents/') && !isEvents(r));
    expect(Math.max(...agentCalls)).toBeLessThan(lastRegistry);
    expect(after.slice(lastRegistry + 1).every(isEvents)).toBe(true);
    expect(stack.msgs()).toContain('drain.finished');
  });

  it('a failing WIP save is logged and the agent is still snapshotted and reported', async () => {
    s = await makeDrainStack({
      timings: { drainWaitMs: 100, drainPollMs: 20 },
      drain: { workspaces: { saveWip: () => Promise.reject(new Error('push rejected: disk full')) } },
    });
    await start(s, polecat(POLECAT_B, 'gt/toast/bbbb2222'));
    withDb(s, POLECAT_B);
    await s.drain.run('full');
    expect(s.exits).toEqual([0]);
    expect(s.lines.find((l) => l.msg === 'drain.wip_failed')).toMatchObject({ agent_id: POLECAT_B, error: 'push rejected: disk full' });
    expect(s.api.matching(agentPath(RIG, POLECAT_B, '/eviction-context'))).toHaveLength(0);
    expect(s.api.matching(agentPath(RIG, POLECAT_B, '/db-snapshot'), 'PUT')).toHaveLength(1);
    expect(s.api.matching(agentPath(RIG, POLECAT_B, '/completed')).map((r) => r.body)).toEqual([{ status: 'completed', reason: EVICTION_REASON }]);
  });

  it('never throws when the worker is unreachable: agents are still frozen and the process exits 0', async () => {
    s = await makeDrainStack({ timings: { drainWaitMs: 100, drainPollMs: 20, completionRetryMs: [10, 10] } });
    await start(s, polecat(POLECAT_B, 'gt/toast/bbbb2222'));
    await start(s, mayorRequest({ prompt: 'hello' }));
    withDb(s, MAYOR);
    await makeWorkerUnreachable(s);
    await expect(s.drain.run('full')).resolves.toBeUndefined();
    expect(s.exits).toEqual([0]);
    expect(s.manager.status(POLECAT_B)).toMatchObject({ status: 'exited', exit_reason: EVICTION_REASON });
    expect(s.manager.status(MAYOR)).toMatchObject({ status: 'exited', exit_reason: EVICTION_REASON });
    const steps = s.lines.filter((l) => l.msg === 'drain.step_failed').map((l) => l.step);
    expect(steps).toContain('eviction');
    expect(s.msgs()).toEqual(expect.arrayContaining(['snapshot.failed', 'agent.completion_failed', 'registry.put_failed', 'drain.finished']));
  });

  it('a second signal gets the running drain: one exit', async () => {
    s = await makeDrainStack({ timings: { drainWaitMs: 100, drainPollMs: 20 } });
    const first = s.drain.run('full');
    const second = s.drain.run('fast');
    expect(second).toBe(first);
    await first;
    expect(s.exits).toEqual([0]);
    expect(s.api.matching(`/api/towns/${TOWN}/container/eviction`)).toHaveLength(1);
  });
});

describe('drain (fast: SIGINT in local mode)', () => {
  it('skips to step 6: no eviction, nothing frozen or reported, registry emptied, exit 0', async () => {
    s = await makeDrainStack({ timings: { drainWaitMs: 60_000, heartbeatMs: 60_000 } });
    await start(s, polecat(POLECAT_B, 'gt/toast/bbbb2222'));
    await s.registrySync.flush();
    const mark = s.api.requests.length;
    await s.drain.run('fast');
    expect(s.exits).toEqual([0]);
    const after = s.api.requests.slice(mark).filter((r) => !isEvents(r));
    expect(after.map((r) => `${r.method} ${r.path}`)).toEqual([`PUT /api/towns/${TOWN}/container/registry`]);
    expect(after[0]?.body).toMatchObject({ registry: { agents: [] } });
    expect(s.manager.status(POLECAT_B)?.status).toBe('running');
    expect(s.manager.draining).toBe(true);
  });
});
