/**
 * The UserDO watchdog (`reconciler.md` §2 "Watchdog", `http-api.md` §4): its alarm calls
 * `healthCheck()` on every indexed town, which re-arms a missing alarm at the cadence a tick
 * would choose and leaves an armed one alone; the watchdog re-arms itself while it indexes
 * towns. Town ticks are held (`holdTicks`) so no town alarm fires on its own mid-test.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { TownDO } from '../../src/town/town-do.ts';
import type { UserDO } from '../../src/user/user-do.ts';
import { DEFAULT_TOWN_CONFIG } from '../../src/town/config/index.ts';
import { call, createIssue, devToken, newRig, newTown, townObject, uniqueUser } from './helpers.ts';
import { holdTicks, townAlarm } from './seed.ts';

const S = 1000;
const DAY = 24 * 60 * 60 * S;
const IDLE_MS = DEFAULT_TOWN_CONFIG.alarm.idle_interval_seconds * S;
/** The busy town's active interval: the widest allowed, so its re-armed alarm cannot fire mid-test. */
const ACTIVE_MS = 60 * S;

function userObject(userId: string): DurableObjectStub<UserDO> {
  return env.USER.get(env.USER.idFromName(userId));
}

async function userAlarm(userId: string): Promise<number | null> {
  return runInDurableObject(userObject(userId), (_instance: UserDO, state) => state.storage.getAlarm());
}

async function deleteTownAlarm(townId: string): Promise<void> {
  await runInDurableObject(townObject(townId), (_instance: TownDO, state) => state.storage.deleteAlarm());
  expect(await townAlarm(townId)).toBeNull();
}

/** A user with `n` towns, each with its ticks held. */
async function userWithTowns(n: number): Promise<{ user: string; token: string; townIds: string[] }> {
  const user = uniqueUser('w');
  const token = await devToken(user);
  const townIds: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const townId = await newTown(token, `Town ${i}`);
    await holdTicks(townId);
    townIds.push(townId);
  }
  return { user, token, townIds };
}

/** Runs the watchdog now; returns the wall-clock window it ran in. */
async function runWatchdog(user: string): Promise<{ from: number; to: number }> {
  const from = Date.now();
  expect(await runDurableObjectAlarm(userObject(user)), 'the watchdog alarm should be armed').toBe(true);
  return { from, to: Date.now() };
}

describe('UserDO watchdog', () => {
  it('re-arms a missing town alarm at the cadence a tick would choose (idle, or active with ready work)', async () => {
    const { user, token, townIds } = await userWithTowns(2);
    const [quiet, busy] = townIds;
    if (quiet === undefined || busy === undefined) throw new Error('two towns expected');
    const rigId = await newRig(token, busy);
    const patched = await call('PATCH', `/api/towns/${busy}/config`, { token, body: { alarm: { active_interval_seconds: ACTIVE_MS / S } } });
    expect(patched.status).toBe(200);
    await createIssue(token, busy, { rig_id: rigId, title: 'Ready work' });
    await deleteTownAlarm(quiet);
    await deleteTownAlarm(busy);

    const ran = await runWatchdog(user);

    const quietAlarm = await townAlarm(quiet);
    expect(quietAlarm).not.toBeNull();
    expect(quietAlarm ?? 0).toBeGreaterThanOrEqual(ran.from + IDLE_MS);
    expect(quietAlarm ?? 0).toBeLessThanOrEqual(ran.to + IDLE_MS);
    // A ready bead makes the cadence active: the town is not left waiting an idle interval.
    const busyAlarm = await townAlarm(busy);
    expect(busyAlarm).not.toBeNull();
    expect(busyAlarm ?? 0).toBeGreaterThanOrEqual(ran.from + ACTIVE_MS);
    expect(busyAlarm ?? 0).toBeLessThanOrEqual(ran.to + ACTIVE_MS);
  });

  it('leaves an armed town alarm alone', async () => {
    const { user, townIds } = await userWithTowns(1);
    const [townId] = townIds;
    if (townId === undefined) throw new Error('a town expected');
    const armed = Date.now() + DAY;
    await runInDurableObject(townObject(townId), (_instance: TownDO, state) => state.storage.setAlarm(armed));
    await runWatchdog(user);
    expect(await townAlarm(townId)).toBe(armed);
  });

  it('does not re-arm a town that no longer exists, even if it is still indexed', async () => {
    const { user, townIds } = await userWithTowns(1);
    const [townId] = townIds;
    if (townId === undefined) throw new Error('a town expected');
    // The town's state is gone but the index entry is not (a failed index update).
    await runInDurableObject(townObject(townId), async (instance: TownDO) => {
      await instance.destroyTown();
    });
    expect(await townAlarm(townId)).toBeNull();
    await runWatchdog(user);
    expect(await townAlarm(townId)).toBeNull();
    const direct = await runInDurableObject(townObject(townId), (instance: TownDO) => instance.healthCheck());
    expect(direct).toEqual({ alarm_rearmed: false });
  });

  it('healthCheck reports whether it re-armed', async () => {
    const { townIds } = await userWithTowns(1);
    const [townId] = townIds;
    if (townId === undefined) throw new Error('a town expected');
    await deleteTownAlarm(townId);
    const check = () => runInDurableObject(townObject(townId), (instance: TownDO) => instance.healthCheck());
    expect(await check()).toEqual({ alarm_rearmed: true });
    const armed = await townAlarm(townId);
    expect(armed).not.toBeNull();
    expect(await check()).toEqual({ alarm_rearmed: false });
    expect(await townAlarm(townId)).toBe(armed);
  });

  it('re-arms its own alarm while it indexes towns, and stops once it indexes none', async () => {
    const { user, token, townIds } = await userWithTowns(1);
    const [townId] = townIds;
    if (townId === undefined) throw new Error('a town expected');
    // Creating the town armed the watchdog.
    expect(await userAlarm(user)).not.toBeNull();

    await runWatchdog(user);
    const next = await userAlarm(user);
    expect(next).not.toBeNull();

    const r = await call('DELETE', `/api/towns/${townId}`, { token });
    expect(r.status).toBe(200);
    await runWatchdog(user);
    expect(await userAlarm(user)).toBeNull();
    // Deleting the town also deleted its alarm, and nothing re-armed it.
    expect(await townAlarm(townId)).toBeNull();
  });
});
