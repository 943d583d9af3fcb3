/**
 * Tests of `Heartbeats` (`container.md` §7) against the fake worker API: the body of
 * `P/heartbeat`, one per tracked agent per tick, untrack, the periodic timer, and a 404 → onGone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi } from '../fakes/worker-api/index.ts';
import { Heartbeats } from '../../container/src/heartbeat.ts';
import type { HeartbeatSource } from '../../container/src/heartbeat.ts';
import { AGENT, MAYOR, RIG, TOWN } from './fixtures.ts';
import { captureLog, clientFor, creds } from './helpers.ts';

let api: FakeWorkerApi;
let beats: Heartbeats | null = null;
beforeEach(async () => {
  api = await startFakeWorkerApi({ townId: TOWN });
});
afterEach(async () => {
  beats?.stop();
  await api.stop();
});

function source(agentId: string, rigId: string, over: Partial<HeartbeatSource> = {}): HeartbeatSource {
  return {
    ...creds(agentId, rigId, `token-${agentId}`),
    lastEventType: () => 'message.part.updated',
    lastEventAt: () => '2026-01-02T03:04:05.000Z',
    activeTools: () => ['bash'],
    ...over,
  };
}

describe('Heartbeats', () => {
  it('posts one heartbeat per tracked agent with its state and the instance id', async () => {
    const { client, timings } = clientFor(api, TOWN);
    const { log } = captureLog();
    beats = new Heartbeats(client, { ...timings, heartbeatMs: 3_600_000 }, log, 'instance-abc');
    beats.track(source(AGENT, RIG));
    beats.track(source(MAYOR, TOWN, { lastEventType: () => null, lastEventAt: () => null, activeTools: () => [] }));
    await beats.tick();
    const hb = api.matching('*/heartbeat', 'POST');
    expect(hb).toHaveLength(2);
    const polecat = hb.find((r) => r.path.includes(AGENT));
    expect(polecat).toMatchObject({
      auth: `token-${AGENT}`,
      body: { last_event_type: 'message.part.updated', last_event_at: '2026-01-02T03:04:05.000Z', active_tools: ['bash'], container_instance_id: 'instance-abc' },
    });
    expect(hb.find((r) => r.path.includes(MAYOR))?.path).toBe(`/api/towns/${TOWN}/rigs/${TOWN}/agents/${MAYOR}/heartbeat`);
    beats.untrack(MAYOR);
    await beats.tick();
    expect(api.matching('*/heartbeat')).toHaveLength(3);
    expect(beats.tracked()).toEqual([AGENT]);
  });

  it('beats on its own every heartbeatMs', async () => {
    const { client, timings } = clientFor(api, TOWN);
    beats = new Heartbeats(client, { ...timings, heartbeatMs: 100 }, captureLog().log, 'i');
    beats.track(source(AGENT, RIG));
    const second = api.waitFor((r) => r.path.endsWith('/heartbeat') && api.matching('*/heartbeat').length >= 2);
    await second;
    expect(api.matching('*/heartbeat').length).toBeGreaterThanOrEqual(2);
  });

  it('a 404 means the agent is gone: untracked and reported to onGone once', async () => {
    const { client, timings } = clientFor(api, TOWN);
    const cap = captureLog();
    beats = new Heartbeats(client, { ...timings, heartbeatMs: 3_600_000 }, cap.log, 'i');
    const gone: string[] = [];
    beats.onGone((id) => gone.push(id));
    beats.track(source(AGENT, RIG));
    beats.track(source(MAYOR, TOWN));
    api.failNext(`*/agents/${AGENT}/heartbeat`, 404);
    await beats.tick();
    expect(gone).toEqual([AGENT]);
    expect(beats.tracked()).toEqual([MAYOR]);
    expect(cap.msgs()).toContain('heartbeat.agent_gone');
    await beats.tick();
    expect(gone).toEqual([AGENT]);
  });

  it('other failures are logged and the agent stays tracked', async () => {
    const { client, timings } = clientFor(api, TOWN);
    const cap = captureLog();
    beats = new Heartbeats(client, { ...timings, heartbeatMs: 3_600_000 }, cap.log, 'i');
    const gone: string[] = [];
    beats.onGone((id) => gone.push(id));
    beats.track(source(AGENT, RIG));
    api.failNext('*/heartbeat', 500);
    await beats.tick();
    expect(gone).toEqual([]);
    expect(beats.tracked()).toEqual([AGENT]);
    expect(cap.lines.find((l) => l.msg === 'heartbeat.failed')).toMatchObject({ agent_id: AGENT, status: 500 });
  });

  it('stop ends everything; later tracks are ignored', async () => {
    const { client, timings } = clientFor(api, TOWN);
    beats = new Heartbeats(client, timings, captureLog().log, 'i');
    beats.stop();
    beats.track(source(AGENT, RIG));
    await beats.tick();
    expect(api.matching('*/heartbeat')).toHaveLength(0);
  });
});
