/**
 * The after-tick container upkeep (`container.md` §11): idle stop only when nothing works and
 * the mayor has been quiet 5 min (a waiting mayor → idle; at most once per 2 min; never while
 * draining), hourly container-token pushes while agents are live, the 7-minute drain end, and
 * `/sync-config` only to a running container.
 */
import { describe, expect, it } from 'vitest';
import { verifyToken } from '../../../../src/auth/jwt.ts';
import { configVersion } from '../../../../src/town/dispatch/container-config.ts';
import { endDrain, pushConfig, runContainerUpkeep, tokenPushDue } from '../../../../src/town/dispatch/container-upkeep.ts';
import { requireTown } from '../../../../src/town/records/town-record.ts';
import { DispatchTown, SECRET } from './dispatch-town.ts';

const S = 1000;
const MIN = 60 * S;

function upkeep(t: DispatchTown) {
  return runContainerUpkeep({ ctx: t.command(), env: t.env, container: t.container, thresholds: t.thresholds });
}

async function running(t: DispatchTown): Promise<void> {
  const r = await t.container.request('POST', '/repos/setup', {}, { timeoutMs: 1000, startOnDemand: true });
  expect(r.status).toBe(202);
}

function state(t: DispatchTown, key: string): unknown {
  const row = t.sql.all(`SELECT value FROM town_state WHERE key = ?`, key)[0];
  return row === undefined ? undefined : JSON.parse(String(row.value));
}

describe('idle stop', () => {
  it('never while a polecat or refinery works or is stalled', async () => {
    const t = new DispatchTown();
    await running(t);
    const rigId = t.rig();
    const agent = t.agent({ role: 'polecat', rig_id: rigId, status: 'working' });
    expect((await upkeep(t)).idle_stopped).toBe(false);
    t.sql.run(`UPDATE agent_metadata SET status = 'stalled' WHERE bead_id = ?`, agent);
    expect((await upkeep(t)).idle_stopped).toBe(false);
    expect(t.container.transport.signals).toEqual([]);
  });

  it('waits until the mayor has been quiet 5 min; a waiting mayor becomes idle; at most once per 2 min', async () => {
    const t = new DispatchTown();
    await running(t);
    const mayor = t.agent({ role: 'mayor', status: 'waiting', last_dispatch_at: t.now - 10 * MIN, last_event_at: t.now - 4 * MIN, last_heartbeat_at: t.now });
    expect((await upkeep(t)).idle_stopped).toBe(false);
    t.now += 1 * MIN;
    expect((await upkeep(t)).idle_stopped).toBe(true);
    expect(t.container.transport.signals).toEqual(['SIGTERM']);
    expect(t.row(`SELECT status FROM agent_metadata WHERE bead_id = ?`, mayor).status).toBe('idle');
    await running(t);
    t.now += 1 * MIN;
    expect((await upkeep(t)).idle_stopped).toBe(false);
    t.now += 1 * MIN;
    expect((await upkeep(t)).idle_stopped).toBe(true);
    expect(t.container.transport.signals).toEqual(['SIGTERM', 'SIGTERM']);
  });

  it('never for a working mayor, nor while draining', async () => {
    const t = new DispatchTown();
    await running(t);
    const mayor = t.agent({ role: 'mayor', status: 'working', last_dispatch_at: t.now - 60 * MIN });
    expect((await upkeep(t)).idle_stopped).toBe(false);
    t.sql.run(`UPDATE agent_metadata SET status = 'idle' WHERE bead_id = ?`, mayor);
    t.townState('draining', true).townState('drain_started_at', t.now - MIN);
    expect((await upkeep(t)).idle_stopped).toBe(false);
    expect(t.container.transport.signals).toEqual([]);
  });
});

describe('token pushes', () => {
  it('hourly at most while an agent is working, stalled or waiting', async () => {
    const t = new DispatchTown();
    await running(t);
    expect((await upkeep(t)).token_pushed).toBe(false);
    // (That pass idle-stopped the empty town's container; start it again.)
    await running(t);
    t.agent({ role: 'polecat', rig_id: t.rig(), status: 'working' });
    expect((await upkeep(t)).token_pushed).toBe(true);
    const pushed = t.container.transport.of('refresh_token');
    expect(pushed).toHaveLength(1);
    const claims = await verifyToken((pushed[0]?.body as { token: string }).token, SECRET, { now: t.now, expectedScope: 'container' });
    expect(claims.townId).toBe(t.townId);
    t.now += 59 * MIN;
    await upkeep(t);
    expect(t.container.transport.of('refresh_token')).toHaveLength(1);
    t.now += 1 * MIN;
    await upkeep(t);
    expect(t.container.transport.of('refresh_token')).toHaveLength(2);
  });

  it('a waiting mayor alone keeps the pushes going; idle agents do not', () => {
    const t = new DispatchTown();
    const mayor = t.agent({ role: 'mayor', status: 'idle' });
    t.agent({ role: 'polecat', rig_id: t.rig(), status: 'idle' });
    expect(tokenPushDue(t.sql, t.now, t.thresholds)).toBe(false);
    t.sql.run(`UPDATE agent_metadata SET status = 'waiting' WHERE bead_id = ?`, mayor);
    expect(tokenPushDue(t.sql, t.now, t.thresholds)).toBe(true);
  });
});

describe('drain', () => {
  it('ends 7 min after it started, keeping the nonce', async () => {
    const t = new DispatchTown();
    t.townState('draining', true).townState('drain_nonce', 'n-1').townState('drain_started_at', t.now - 6 * MIN);
    t.agent({ role: 'mayor', status: 'working' });
    expect((await upkeep(t)).drain_ended).toBe(false);
    t.now += 1 * MIN;
    expect((await upkeep(t)).drain_ended).toBe(true);
    expect(state(t, 'draining')).toBe(false);
    expect(state(t, 'drain_started_at')).toBeNull();
    expect(state(t, 'drain_nonce')).toBe('n-1');
  });

  it('endDrain is callable on its own', () => {
    const t = new DispatchTown();
    t.townState('draining', true).townState('drain_started_at', t.now);
    endDrain(t.sql, 'ready', t.now);
    expect(state(t, 'draining')).toBe(false);
  });
});

describe('sync-config', () => {
  it('pushes the serialized config to a running container only', async () => {
    const t = new DispatchTown();
    expect(await pushConfig(t.env, t.sql, t.container, t.now)).toBe(503);
    expect(t.container.requests).toHaveLength(0);
    await running(t);
    expect(await pushConfig(t.env, t.sql, t.container, t.now)).toBe(200);
    const body = t.container.transport.of('sync_config')[0]?.body as { config: { version: number; town_id: string } };
    expect(body.config.town_id).toBe(t.townId);
    expect(body.config.version).toBe(configVersion(requireTown(t.sql)));
  });
});
