/**
 * The five guarantees of `reconciler.md` §10, proved in workerd with a pinned clock, the fake
 * effect executor and alarms fired by `runDurableObjectAlarm`; plus the stale-report and
 * dispatch-failure seed fixes (seed 000 §5, seed 003).
 */
import { describe, expect, it } from 'vitest';
import { THRESHOLDS } from '../../src/town/reconciler/constants.ts';
import { harness, holderOf, type TownHarness } from './reconciler-support.ts';

const S = 1000;
const MIN = 60 * S;

/** Slings a bead and ticks until it is dispatched; returns the bead and its agent. */
async function dispatched(h: TownHarness, title = 'Do the thing'): Promise<{ beadId: string; agentId: string; dispatchId: string }> {
  const beadId = await h.sling(title);
  await h.tick();
  const agentId = await holderOf(h, beadId);
  expect(agentId).not.toBeNull();
  const agent = await h.agent(agentId ?? '');
  expect(agent.status).toBe('working');
  expect((await h.bead(beadId)).status).toBe('in_progress');
  return { beadId, agentId: agentId ?? '', dispatchId: String(agent.current_dispatch_id) };
}

/** Ticks every `stepMs` until `done()` or `limitMs` of town time passed; returns the time taken. */
async function tickUntil(h: TownHarness, stepMs: number, limitMs: number, done: () => Promise<boolean>): Promise<number> {
  const start = h.now();
  while (h.now() - start <= limitMs) {
    if (await done()) return h.now() - start;
    await h.advance(stepMs);
    await h.tick();
  }
  throw new Error(`condition not reached within ${limitMs} ms`);
}

const LIVENESS_BOUND = THRESHOLDS.STALE_IN_PROGRESS_MS + 5 * S;

describe('guarantee 1: bead liveness', () => {
  it('a failed start leaves the agent working (no hook torn down), and staleness reopens the bead in time', async () => {
    const h = await harness();
    h.fake.dispatch = 'fail';
    const { beadId, agentId } = await dispatched(h);
    // The dispatch_result event is applied by the next tick: the agent stays working and hooked.
    await h.advance(5 * S);
    await h.tick();
    expect((await h.agent(agentId)).status).toBe('working');
    expect(await holderOf(h, beadId)).toBe(agentId);
    const took = await tickUntil(h, 5 * S, LIVENESS_BOUND, async () => (await h.bead(beadId)).status === 'open');
    expect(took + 5 * S).toBeLessThanOrEqual(LIVENESS_BOUND);
    expect((await h.bead(beadId)).dispatch_attempts).toBe(1);
  });

  it('a start that throws (container unreachable) recovers the same way', async () => {
    const h = await harness();
    h.fake.dispatch = 'throw';
    const { beadId } = await dispatched(h);
    await tickUntil(h, 5 * S, LIVENESS_BOUND, async () => (await h.bead(beadId)).status === 'open');
  });

  it('an exit without gt_done reopens the bead on the next tick', async () => {
    const h = await harness();
    const { beadId, agentId, dispatchId } = await dispatched(h);
    await h.insertEvents([{ event_type: 'agent_completed', agent_id: agentId, payload: { dispatch_id: dispatchId, status: 'completed' } }]);
    await h.advance(1 * S);
    await h.tick();
    expect((await h.bead(beadId)).status).toBe('open');
    expect((await h.agent(agentId)).status).toBe('idle');
    expect(await holderOf(h, beadId)).toBeNull();
  });

  it('heartbeats that stop lead back to open within the bound', async () => {
    const h = await harness();
    const { beadId, agentId } = await dispatched(h);
    await h.advance(30 * S);
    await h.sql(`UPDATE agent_metadata SET last_heartbeat_at = ? WHERE bead_id = ?`, new Date(h.now()).toISOString(), agentId);
    const lastSign = h.now();
    await tickUntil(h, 5 * S, LIVENESS_BOUND, async () => (await h.bead(beadId)).status === 'open');
    expect(h.now() - lastSign).toBeLessThanOrEqual(LIVENESS_BOUND);
  });

  it('a fresh heartbeat keeps an idle hooked polecat and its bead (seed 000: no reaping on a guess)', async () => {
    const h = await harness();
    const { beadId, agentId } = await dispatched(h);
    await h.sql(`UPDATE agent_metadata SET status = 'idle', last_heartbeat_at = ? WHERE bead_id = ?`, new Date(h.now()).toISOString(), agentId);
    await h.advance(20 * S);
    await h.tick();
    expect((await h.bead(beadId)).status).toBe('in_progress');
    expect(await holderOf(h, beadId)).toBe(agentId);
  });

  it('a container that reports not_found after the cold-start grace reopens the bead', async () => {
    const h = await harness();
    const { beadId, agentId } = await dispatched(h);
    h.fake.observed.set(agentId, 'not_found');
    await h.advance(30 * S);
    await h.tick();
    // Within the cold-start grace not_found is ignored.
    expect((await h.bead(beadId)).status).toBe('in_progress');
    expect(Number((await h.bead(beadId)).dispatch_attempts)).toBe(1);
    // After it, the bead is released; the same tick may dispatch it again (attempt 2).
    await tickUntil(h, 10 * S, LIVENESS_BOUND, async () => {
      const bead = await h.bead(beadId);
      return bead.status === 'open' || Number(bead.dispatch_attempts) >= 2;
    });
    const exits = await h.sql(`SELECT event_type FROM bead_events WHERE bead_id = ? AND event_type = 'agent_exited'`, beadId);
    expect(exits).toHaveLength(1);
  });

  it("a reused polecat's stale completion from its previous dispatch does not reopen its new bead", async () => {
    const h = await harness();
    const first = await dispatched(h, 'first');
    await h.insertEvents([{ event_type: 'agent_done', agent_id: first.agentId, payload: { dispatch_id: first.dispatchId, branch: 'gt/toast/first', no_changes: true } }]);
    await h.advance(1 * S);
    await h.tick();
    expect((await h.bead(first.beadId)).status).toBe('closed');
    const second = await dispatched(h, 'second');
    expect(second.agentId).toBe(first.agentId);
    expect(second.dispatchId).not.toBe(first.dispatchId);
    await h.insertEvents([{ event_type: 'agent_completed', agent_id: first.agentId, payload: { dispatch_id: first.dispatchId, status: 'completed' } }]);
    await h.advance(1 * S);
    await h.tick();
    expect((await h.bead(second.beadId)).status).toBe('in_progress');
    expect((await h.agent(second.agentId)).status).toBe('working');
  });
});

describe('guarantee 2: no merge request loops forever', () => {
  it('refinery dispatches that never start end in failed + a review_exhausted escalation, capped', async () => {
    const h = await harness();
    h.fake.dispatch = 'fail';
    const issue = await h.sling('needs review');
    const t0 = new Date(h.now()).toISOString();
    const mr = crypto.randomUUID();
    await h.sql(`UPDATE beads SET status = 'in_review', status_changed_at = ? WHERE bead_id = ?`, t0, issue);
    await h.sql(
      `INSERT INTO beads (bead_id, type, status, title, rig_id, created_by, created_at, updated_at, status_changed_at) VALUES (?, 'merge_request', 'open', 'Review', ?, 'system', ?, ?, ?)`,
      mr,
      h.rigId,
      t0,
      t0,
      t0,
    );
    await h.sql(`INSERT INTO review_metadata (bead_id, branch, target_branch) VALUES (?, 'gt/toast/x', 'main')`, mr);
    await h.sql(`INSERT INTO bead_dependencies (bead_id, depends_on_bead_id, dependency_type, created_at) VALUES (?, ?, 'tracks', ?)`, mr, issue, t0);
    await tickUntil(h, 1 * MIN, 4 * 60 * MIN, async () => (await h.bead(mr)).status === 'failed');
    const refineryDispatches = h.fake.dispatches.filter((d) => d.bead_id === mr).length;
    // The default `max_dispatch_attempts` (domain.md §8).
    expect(refineryDispatches).toBe(5);
    const escalations = await h.sql(`SELECT e.category FROM escalation_metadata e JOIN beads b ON b.bead_id = e.bead_id WHERE b.parent_bead_id = ?`, mr);
    expect(escalations.map((e) => e.category)).toContain('review_exhausted');
  });
});

describe('guarantee 3: no event blocks the queue', () => {
  it('a poison event is dead-lettered on its third failure while later events still apply', async () => {
    const h = await harness();
    const { beadId, agentId, dispatchId } = await dispatched(h);
    // agent_done without a branch fails validation every time.
    await h.insertEvents([{ event_type: 'agent_done', agent_id: agentId, payload: { dispatch_id: dispatchId } }]);
    await h.insertEvents([{ event_type: 'agent_completed', agent_id: agentId, payload: { dispatch_id: dispatchId, status: 'failed', reason: 'boom' } }]);
    await h.advance(1 * S);
    await h.tick();
    expect((await h.bead(beadId)).status).toBe('open');
    for (let i = 0; i < 2; i += 1) {
      await h.advance(1 * S);
      await h.tick();
    }
    const rows = await h.sql(`SELECT retry_count, dead_lettered_at, last_error, processed_at FROM town_events WHERE event_type = 'agent_done'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.retry_count).toBe(3);
    expect(rows[0]?.dead_lettered_at).not.toBeNull();
    expect(rows[0]?.processed_at).not.toBeNull();
    expect(String(rows[0]?.last_error)).toMatch(/branch/);
  });
});

describe('guarantee 4: no double dispatch', () => {
  it('random interleavings of commands, reports and ticks never hook a bead twice or start it more than its attempts', async () => {
    const h = await harness({ max_polecats_per_rig: 3 });
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const beads: string[] = [];
    for (let step = 0; step < 60; step += 1) {
      const r = rand();
      if (r < 0.25 || beads.length === 0) {
        beads.push(await h.sling(`task ${step}`));
      } else if (r < 0.5) {
        const agents = await h.sql<{ bead_id: string; current_dispatch_id: string | null }>(`SELECT bead_id, current_dispatch_id FROM agent_metadata WHERE status = 'working'`);
        const agent = agents[Math.floor(rand() * agents.length)];
        if (agent !== undefined) {
          const stale = rand() < 0.3;
          const type = rand() < 0.5 ? 'agent_completed' : 'agent_done';
          const payload =
            type === 'agent_completed'
              ? { dispatch_id: stale ? crypto.randomUUID() : agent.current_dispatch_id, status: 'completed' }
              : { dispatch_id: stale ? crypto.randomUUID() : agent.current_dispatch_id, branch: 'gt/x/y', no_changes: true };
          await h.insertEvents([{ event_type: type, agent_id: agent.bead_id, payload }]);
        }
      } else if (r < 0.6) {
        const bead = beads[Math.floor(rand() * beads.length)];
        if (bead !== undefined) {
          await h.sql(`UPDATE beads SET labels = '[]' WHERE bead_id = ?`, bead);
        }
      }
      await h.advance(Math.floor(rand() * 40 * S));
      await h.tick();
      const doubled = await h.sql(`SELECT current_hook_bead_id, COUNT(*) AS n FROM agent_metadata WHERE current_hook_bead_id IS NOT NULL GROUP BY current_hook_bead_id HAVING n > 1`);
      expect(doubled).toEqual([]);
    }
    for (const bead of beads) {
      const row = await h.bead(bead);
      const starts = h.fake.dispatches.filter((d) => d.bead_id === bead).length;
      expect({ bead, starts }).toEqual({ bead, starts: Number(row.dispatch_attempts) });
    }
    const ids = h.fake.dispatches.map((d) => d.dispatch_id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('guarantee 5: cold towns stay cold', () => {
  it('a town with only a waiting mayor and a PR awaiting approval ticks at the idle interval and calls no container', async () => {
    const h = await harness();
    const t0 = new Date(h.now()).toISOString();
    const mayor = crypto.randomUUID();
    await h.sql(`INSERT INTO beads (bead_id, type, status, title, created_by, created_at, updated_at, status_changed_at) VALUES (?, 'agent', 'open', 'mayor', 'system', ?, ?, ?)`, mayor, t0, t0, t0);
    await h.sql(
      `INSERT INTO agent_metadata (bead_id, role, name, identity, status, last_heartbeat_at, last_dispatch_at, working_since) VALUES (?, 'mayor', 'mayor', ?, 'waiting', ?, ?, ?)`,
      mayor,
      `mayor@${h.townId.slice(0, 8)}`,
      t0,
      t0,
      t0,
    );
    const mr = crypto.randomUUID();
    await h.sql(`INSERT INTO beads (bead_id, type, status, title, rig_id, created_by, created_at, updated_at, status_changed_at) VALUES (?, 'merge_request', 'in_progress', 'PR', ?, 'system', ?, ?, ?)`, mr, h.rigId, t0, t0, t0);
    await h.sql(
      `INSERT INTO review_metadata (bead_id, branch, target_branch, pr_url, awaiting_approval, awaiting_approval_since, last_poll_at, reviewed_at) VALUES (?, 'b', 'main', 'https://github.com/acme/app/pull/1', 1, ?, ?, ?)`,
      mr,
      t0,
      t0,
      t0,
    );
    await h.sql(`UPDATE agent_metadata SET last_heartbeat_at = ? WHERE bead_id = ?`, t0, mayor);
    await h.advance(10 * S);
    await h.kick();
    await h.tick();
    const status = await h.sql(`SELECT 1`);
    expect(status).toHaveLength(1);
    const record = await lastTick(h);
    expect(record.cadence).toBe('idle');
    expect(record.next_alarm_ms).toBe(300 * S);
    expect(h.fake.observeCalls).toEqual([]);
    expect(h.fake.intents.filter((i) => i.kind !== 'poll_pr')).toEqual([]);
  });
});

async function lastTick(h: TownHarness): Promise<{ cadence: string; next_alarm_ms: number }> {
  const { runInDurableObject } = await import('cloudflare:test');
  return runInDurableObject(h.stub, (instance) => {
    const last = instance.scheduler.lastTick;
    if (last === null) throw new Error('no tick recorded');
    return { cadence: last.cadence, next_alarm_ms: last.next_alarm_ms };
  });
}
