/**
 * Dispatch through the real TownDO, its default `ContainerExecutor` and the fake container
 * (`reconciler.md` §6, `container.md` §11): one validated start per dispatch with a token bound
 * to it; a start that never succeeds leads to reaping, backoff and the attempt cap; not_found
 * within the cold-start grace is ignored; the watchdog gives up once and escalates once.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { verifyToken } from '../../src/auth/jwt.ts';
import { StartAgentRequest } from '../../src/protocol/control.ts';
import { THRESHOLDS } from '../../src/town/reconciler/constants.ts';
import { containerHarness, type ContainerHarness } from './container-support.ts';

const S = 1000;
const MIN = 60 * S;

/** Ticks every `stepMs` until `done()` holds; fails after `limitMs` of town time. */
async function tickUntil(h: ContainerHarness, stepMs: number, limitMs: number, done: () => Promise<boolean>, each: () => Promise<void> = async () => undefined): Promise<void> {
  const start = h.now();
  while (h.now() - start <= limitMs) {
    if (await done()) return;
    await h.advance(stepMs);
    await each();
    await h.tick();
  }
  throw new Error(`condition not reached within ${limitMs} ms`);
}

describe('sling → dispatch', () => {
  it('sends exactly one valid start, with a token scoped to that agent and dispatch', async () => {
    const h = await containerHarness();
    const beadId = await h.sling('Write `docs/hello.md`');
    await h.tick();
    const agent = await h.holder(beadId);
    expect(agent?.status).toBe('working');
    const starts = h.container.starts();
    expect(starts).toHaveLength(1);
    const start = starts[0];
    expect(StartAgentRequest.safeParse(start).success).toBe(true);
    expect(start).toMatchObject({ agent_id: agent?.bead_id, dispatch_id: agent?.current_dispatch_id, town_id: h.townId, rig_id: h.rigId, role: 'polecat' });
    const claims = await verifyToken(start?.agent_token ?? '', env.GASTOWN_JWT_SECRET, { now: h.now(), expectedScope: 'agent' });
    expect(claims).toMatchObject({ townId: h.townId, rigId: h.rigId, agentId: agent?.bead_id, role: 'polecat', dispatchId: agent?.current_dispatch_id });
    expect(start?.config).toMatchObject({ town_id: h.townId, api_url: 'http://127.0.0.1:8787' });
    // The container was started on demand with a boot env for this town.
    expect(h.container.transport.boots.map((b) => b.GASTOWN_TOWN_ID)).toEqual([h.townId]);
    // The next ticks apply the ok dispatch_result and send nothing more.
    await h.advance(5 * S);
    await h.tick();
    expect(h.container.starts()).toHaveLength(1);
    const events = await h.sql<{ event_type: string; metadata: string }>(`SELECT event_type, metadata FROM bead_events WHERE bead_id = ? AND event_type = 'dispatched'`, beadId);
    expect(events).toHaveLength(1);
  });
});

describe('a start that never succeeds', () => {
  it('leaves the agent working, reaps it when the heartbeat goes stale, re-dispatches after backoff, and fails at the cap', async () => {
    const h = await containerHarness({ max_dispatch_attempts: 2 });
    h.container.transport.startFails = true;
    const beadId = await h.sling('Never starts');
    await h.tick();
    const first = await h.holder(beadId);
    expect(first?.status).toBe('working');
    expect((await h.bead(beadId)).dispatch_attempts).toBe(1);
    // The failed dispatch_result is applied: the agent stays working and hooked.
    await h.advance(5 * S);
    await h.tick();
    expect((await h.holder(beadId))?.bead_id).toBe(first?.bead_id);
    expect((await h.holder(beadId))?.status).toBe('working');
    const failed = await h.sql<{ metadata: string }>(`SELECT metadata FROM bead_events WHERE bead_id = ? AND event_type = 'dispatch_failed'`, beadId);
    expect(failed).toHaveLength(1);
    // No heartbeat ever comes: the agent is reaped, the bead reopens and (its backoff long
    // elapsed) is dispatched again.
    const firstAt = h.now() - 5 * S;
    await tickUntil(h, 10 * S, THRESHOLDS.COLD_START_GRACE_MS + THRESHOLDS.STALE_IN_PROGRESS_MS + 30 * S, async () => Number((await h.bead(beadId)).dispatch_attempts) === 2);
    expect(h.now() - firstAt).toBeGreaterThan(THRESHOLDS.HEARTBEAT_STALE_MS);
    expect(h.now() - firstAt).toBeGreaterThanOrEqual(THRESHOLDS.DISPATCH_BACKOFF_MS[0] ?? 0);
    const reopened = await h.sql<{ new_value: string }>(`SELECT new_value FROM bead_events WHERE bead_id = ? AND event_type = 'status_changed' ORDER BY seq`, beadId);
    expect(reopened.map((r) => r.new_value)).toEqual(['in_progress', 'open', 'in_progress']);
    expect(h.container.transport.of('start')).toHaveLength(0);
    // The second attempt fails the same way; at the cap the bead fails with an escalation.
    await tickUntil(h, 10 * S, 10 * MIN, async () => (await h.bead(beadId)).status === 'failed');
    expect((await h.bead(beadId)).dispatch_attempts).toBe(2);
    const escalations = await h.sql(`SELECT category FROM escalation_metadata WHERE category = 'dispatch_exhausted'`);
    expect(escalations).toHaveLength(1);
  });
});

describe('not_found within the cold-start grace', () => {
  it('is ignored; after the grace the agent is reaped and the bead reopens', async () => {
    const h = await containerHarness();
    const beadId = await h.sling('Lost by the container');
    await h.tick();
    const agent = await h.holder(beadId);
    // The container forgets the agent at once (e.g. it restarted).
    h.container.transport.agents.clear();
    for (let i = 0; i < 4; i += 1) {
      await h.advance(30 * S);
      await h.tick();
    }
    expect(h.container.transport.of('status').length).toBeGreaterThan(0);
    expect((await h.holder(beadId))?.status).toBe('working');
    expect((await h.bead(beadId)).status).toBe('in_progress');
    // Past the grace the not_found counts as an exit: the bead reopens and is dispatched again.
    await tickUntil(h, 10 * S, 2 * MIN, async () => Number((await h.bead(beadId)).dispatch_attempts) === 2);
    expect(h.now() - Date.parse('2026-07-01T00:00:00.000Z')).toBeGreaterThanOrEqual(THRESHOLDS.COLD_START_GRACE_MS);
    const history = await h.sql<{ new_value: string }>(`SELECT new_value FROM bead_events WHERE bead_id = ? AND event_type = 'status_changed' ORDER BY seq`, beadId);
    expect(history.map((r) => r.new_value)).toEqual(['in_progress', 'open', 'in_progress']);
    expect(h.container.starts()).toHaveLength(2);
    expect(h.container.starts()[1]?.agent_id).toBe(agent?.bead_id);
  });
});

describe('health watchdog', () => {
  it('restarts a dead container at most 3 times per 30 min, then escalates container_unhealthy once', async () => {
    const h = await containerHarness();
    const beadId = await h.sling('Long job');
    await h.tick();
    const agentId = String((await h.holder(beadId))?.bead_id);
    h.container.transport.all = 'fail';
    // The session keeps heartbeating (through the worker), so only the container calls fail.
    const heartbeat = async () => {
      await h.sql(`UPDATE agent_metadata SET last_heartbeat_at = ?, last_event_at = ? WHERE bead_id = ?`, new Date(h.now()).toISOString(), new Date(h.now()).toISOString(), agentId);
    };
    for (let i = 0; i < 40; i += 1) {
      await h.advance(30 * S);
      await heartbeat();
      await h.tick();
    }
    expect(h.container.transport.signals.filter((s) => s === 'SIGKILL')).toHaveLength(3);
    expect(h.container.transport.boots).toHaveLength(4);
    const escalations = await h.sql<{ severity: string; occurrences: number }>(`SELECT severity, occurrences FROM escalation_metadata WHERE category = 'container_unhealthy'`);
    expect(escalations).toEqual([{ severity: 'high', occurrences: 1 }]);
    // Recovery clears the episode without a second escalation.
    h.container.transport.all = null;
    await h.advance(30 * S);
    await heartbeat();
    await h.tick();
    expect(await h.sql(`SELECT bead_id FROM escalation_metadata WHERE category = 'container_unhealthy'`)).toHaveLength(1);
    expect((await h.holder(beadId))?.status).toBe('working');
  });
});
