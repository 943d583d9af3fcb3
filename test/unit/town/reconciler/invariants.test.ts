/**
 * `checkInvariants` (`reconciler.md` §7) over real SQLite: a healthy town reports nothing, and
 * each of I1–I10 is seeded alone and reported with its `invariant` and `ids`; time windows are
 * checked on both sides (the "+ one tick" is the town's active interval after the profile).
 */
import { describe, expect, it } from 'vitest';
import { checkInvariants, type Violation } from '../../../../src/town/reconciler/invariants.ts';
import { thresholdsFor, type Thresholds } from '../../../../src/town/reconciler/constants.ts';
import { TownBuilder } from './town-builder.ts';
import { HOUR, MIN, NOW, SEC, T } from './rules/rule-ctx.ts';

const iso = (t: number): string => new Date(t).toISOString();
/** The default active interval (5 s): "one tick" in the production profile. */
const TICK = 5 * SEC;

function check(b: TownBuilder, now = NOW, t: Thresholds = T): Violation[] {
  return checkInvariants(b.view(), now, { thresholds: t });
}

/** Just the invariant and ids of each violation (details are prose). */
function found(b: TownBuilder, now = NOW, t: Thresholds = T): Array<{ invariant: string; ids: string[] }> {
  return check(b, now, t).map((v) => ({ invariant: v.invariant, ids: v.ids }));
}

function town(rigConfig: Record<string, unknown> = {}): { b: TownBuilder; rig: string } {
  const b = new TownBuilder();
  return { b, rig: b.rig({ config: rigConfig }) };
}

describe('a healthy town', () => {
  it('reports no violation', () => {
    const { b, rig } = town();
    b.agent({ role: 'mayor', status: 'waiting', last_heartbeat_at: NOW - 10 * SEC });
    const working = b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - HOUR });
    b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: working, last_heartbeat_at: NOW - 10 * SEC, last_dispatch_at: NOW - HOUR });
    const reviewed = b.bead({ rig_id: rig, status: 'in_review', status_changed_at: NOW - HOUR });
    const mr = b.mergeRequest({ rig_id: rig, status: 'in_progress', source: reviewed });
    b.agent({ role: 'refinery', rig_id: rig, status: 'working', hook: mr, last_heartbeat_at: NOW - 10 * SEC });
    const polled = b.bead({ rig_id: rig, status: 'in_review', status_changed_at: NOW - HOUR });
    b.mergeRequest({ rig_id: rig, status: 'in_progress', source: polled, pr_url: 'https://github.com/acme/app/pull/1' });
    b.agent({ role: 'polecat', rig_id: rig, status: 'idle', last_heartbeat_at: NOW - HOUR });
    b.bead({ rig_id: rig, status: 'open' });
    b.bead({ rig_id: rig, status: 'failed' });
    const convoy = b.convoy({ state: 'open' });
    const done = b.bead({ rig_id: rig, status: 'closed' });
    const todo = b.bead({ rig_id: rig, status: 'open' });
    b.member(convoy, done).member(convoy, todo).convoyCounters(convoy, { total: 2, closed: 1, failed: 0 });
    b.event({ created_at: NOW - 5 * MIN });
    b.event({ created_at: NOW - 20 * MIN, processed_at: NOW - 19 * MIN });
    b.event({ created_at: NOW - HOUR, retry_count: 3, dead_lettered_at: NOW - 50 * MIN, processed_at: NOW - 50 * MIN, last_error: 'Error: boom' });
    expect(check(b)).toEqual([]);
  });

  it('an empty town reports no violation', () => {
    expect(check(new TownBuilder())).toEqual([]);
  });
});

describe('I1: a hooked bead is assigned to its holder', () => {
  const cases: Array<{ name: string; status: 'open' | 'in_progress'; assignee: 'holder' | 'other' | 'nobody'; violation: boolean }> = [
    { name: 'in_progress bead assigned to its holder', status: 'in_progress', assignee: 'holder', violation: false },
    { name: 'in_progress bead assigned to another agent', status: 'in_progress', assignee: 'other', violation: true },
    { name: 'in_progress bead assigned to nobody', status: 'in_progress', assignee: 'nobody', violation: true },
    { name: 'open bead assigned to another agent', status: 'open', assignee: 'other', violation: true },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.violation ? 'I1' : 'nothing'}`, () => {
      const { b, rig } = town();
      const bead = b.bead({ rig_id: rig, status: c.status, status_changed_at: NOW - MIN });
      const holder = b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: bead, last_heartbeat_at: NOW - SEC });
      const other = b.agent({ role: 'polecat', rig_id: rig, status: 'idle', last_heartbeat_at: NOW - SEC });
      if (c.assignee !== 'holder') b.setColumns('beads', bead, { assignee_agent_bead_id: c.assignee === 'other' ? other : null });
      expect(found(b)).toEqual(c.violation ? [{ invariant: 'I1', ids: [bead, holder] }] : []);
    });
  }
});

describe('I2: every working polecat holds a hook', () => {
  const cases: Array<{ role: 'polecat' | 'refinery'; status: 'working' | 'idle' | 'stalled'; violation: boolean }> = [
    { role: 'polecat', status: 'working', violation: true },
    { role: 'polecat', status: 'idle', violation: false },
    { role: 'polecat', status: 'stalled', violation: false },
    // a refinery unhooked by request-changes runs on to its gt_done/exit
    { role: 'refinery', status: 'working', violation: false },
  ];
  for (const c of cases) {
    it(`a ${c.status} ${c.role} without a hook → ${c.violation ? 'I2' : 'nothing'}`, () => {
      const { b, rig } = town();
      const agent = b.agent({ role: c.role, rig_id: rig, status: c.status, last_heartbeat_at: NOW - SEC, stalled_at: c.status === 'stalled' ? NOW - MIN : null });
      expect(found(b)).toEqual(c.violation ? [{ invariant: 'I2', ids: [agent] }] : []);
    });
  }
});

describe('I3: every in_progress issue has a live holder or just entered in_progress', () => {
  const WINDOW = T.STALE_IN_PROGRESS_MS + TICK;
  const entered: Array<{ name: string; at: number; violation: boolean }> = [
    { name: 'one ms inside the window', at: NOW - WINDOW + 1, violation: false },
    { name: 'exactly STALE_IN_PROGRESS_MS + one tick ago', at: NOW - WINDOW, violation: true },
    { name: 'one ms past the window', at: NOW - WINDOW - 1, violation: true },
    { name: 'STALE_IN_PROGRESS_MS ago (still within the tick)', at: NOW - T.STALE_IN_PROGRESS_MS, violation: false },
  ];
  for (const c of entered) {
    it(`no holder, entered ${c.name} → ${c.violation ? 'I3' : 'nothing'}`, () => {
      const { b, rig } = town();
      const bead = b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: c.at });
      expect(found(b)).toEqual(c.violation ? [{ invariant: 'I3', ids: [bead] }] : []);
    });
  }

  const holders: Array<{ name: string; status: 'working' | 'stalled' | 'idle'; hb: number | null; violation: boolean }> = [
    { name: 'a working holder with no heartbeat', status: 'working', hb: null, violation: false },
    { name: 'a stalled holder', status: 'stalled', hb: NOW - 3 * HOUR, violation: false },
    { name: 'an idle holder heartbeated 89 999 ms ago', status: 'idle', hb: NOW - 89_999, violation: false },
    { name: 'an idle holder heartbeated exactly 90 s ago', status: 'idle', hb: NOW - 90_000, violation: true },
    { name: 'an idle holder that never heartbeated', status: 'idle', hb: null, violation: true },
  ];
  for (const c of holders) {
    it(`long in_progress with ${c.name} → ${c.violation ? 'I3' : 'nothing'}`, () => {
      const { b, rig } = town();
      const bead = b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - HOUR });
      b.agent({ role: 'polecat', rig_id: rig, status: c.status, hook: bead, last_heartbeat_at: c.hb, stalled_at: c.status === 'stalled' ? NOW - HOUR : null });
      expect(found(b)).toEqual(c.violation ? [{ invariant: 'I3', ids: [bead] }] : []);
    });
  }

  it('merge requests in progress are not I3 subjects', () => {
    const { b, rig } = town();
    b.mergeRequest({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - HOUR, pr_url: 'https://github.com/acme/app/pull/2' });
    expect(found(b)).toEqual([]);
  });

  it('in the test timing profile the window is the scaled threshold plus the scaled active interval', () => {
    const t = thresholdsFor('test');
    // 5 min ÷ 60 = 5 s; the 5 s active interval ÷ 60 is floored at MIN_TICK_GAP_MS (250 ms).
    const window = t.STALE_IN_PROGRESS_MS + t.MIN_TICK_GAP_MS;
    expect(window).toBe(5250);
    const { b, rig } = town();
    const bead = b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - window });
    expect(found(b, NOW - 1, t)).toEqual([]);
    expect(found(b, NOW, t)).toEqual([{ invariant: 'I3', ids: [bead] }]);
  });
});

describe('I4: every in_review issue has a live MR or just entered in_review', () => {
  const WINDOW = T.IN_REVIEW_SAFETY_NET_MS + TICK;
  const cases: Array<{ name: string; at: number; mr: 'none' | 'open' | 'in_progress' | 'failed' | 'closed'; violation: boolean }> = [
    { name: 'no MR, one ms inside the window', at: NOW - WINDOW + 1, mr: 'none', violation: false },
    { name: 'no MR, one ms past the window', at: NOW - WINDOW - 1, mr: 'none', violation: true },
    { name: 'an open MR, long ago', at: NOW - HOUR, mr: 'open', violation: false },
    { name: 'an in_progress MR, long ago', at: NOW - HOUR, mr: 'in_progress', violation: false },
    { name: 'only a failed MR, past the window', at: NOW - WINDOW - 1, mr: 'failed', violation: true },
    { name: 'only a closed MR, past the window', at: NOW - WINDOW - 1, mr: 'closed', violation: true },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.violation ? 'I4' : 'nothing'}`, () => {
      const { b, rig } = town();
      const issue = b.bead({ rig_id: rig, status: 'in_review', status_changed_at: c.at });
      if (c.mr !== 'none') b.mergeRequest({ rig_id: rig, status: c.mr, source: issue, pr_url: 'https://github.com/acme/app/pull/3' });
      expect(found(b)).toEqual(c.violation ? [{ invariant: 'I4', ids: [issue] }] : []);
    });
  }
});

describe('I5: at most one in_progress MR without pr_url per rig', () => {
  it('two in_progress MRs without pr_url in one rig → I5 with the rig and both MRs', () => {
    const { b, rig } = town();
    const first = b.mergeRequest({ rig_id: rig, status: 'in_progress' });
    const second = b.mergeRequest({ rig_id: rig, status: 'in_progress' });
    expect(found(b)).toEqual([{ invariant: 'I5', ids: [rig, first, second] }]);
  });

  const fine: Array<{ name: string; seed: (b: TownBuilder, rig: string) => void }> = [
    {
      name: 'one reviewing MR and PR-phase MRs with pr_url',
      seed: (b, rig) => {
        b.mergeRequest({ rig_id: rig, status: 'in_progress' });
        b.mergeRequest({ rig_id: rig, status: 'in_progress', pr_url: 'https://github.com/acme/app/pull/4' });
        b.mergeRequest({ rig_id: rig, status: 'in_progress', pr_url: 'https://github.com/acme/app/pull/5' });
      },
    },
    {
      name: 'one reviewing MR in each of two rigs',
      seed: (b, rig) => {
        b.mergeRequest({ rig_id: rig, status: 'in_progress' });
        b.mergeRequest({ rig_id: b.rig(), status: 'in_progress' });
      },
    },
    {
      name: 'one in_progress and one open MR without pr_url',
      seed: (b, rig) => {
        b.mergeRequest({ rig_id: rig, status: 'in_progress' });
        b.mergeRequest({ rig_id: rig, status: 'open' });
      },
    },
  ];
  for (const c of fine) {
    it(`${c.name} → nothing`, () => {
      const { b, rig } = town();
      c.seed(b, rig);
      expect(found(b)).toEqual([]);
    });
  }
});

describe('I6: one non-dead mayor per town, one non-dead refinery per rig', () => {
  it('two mayors → I6 with both', () => {
    const b = new TownBuilder();
    const first = b.agent({ role: 'mayor', status: 'idle' });
    const second = b.agent({ role: 'mayor', status: 'idle' });
    expect(found(b)).toEqual([{ invariant: 'I6', ids: [first, second] }]);
  });
  it('a dead mayor next to a live one → nothing', () => {
    const b = new TownBuilder();
    b.agent({ role: 'mayor', status: 'dead' });
    b.agent({ role: 'mayor', status: 'idle' });
    expect(found(b)).toEqual([]);
  });
  it('two refineries in a rig → I6 with the rig and both', () => {
    const { b, rig } = town();
    const first = b.agent({ role: 'refinery', rig_id: rig, status: 'idle' });
    const second = b.agent({ role: 'refinery', rig_id: rig, status: 'idle' });
    expect(found(b)).toEqual([{ invariant: 'I6', ids: [rig, first, second] }]);
  });
  it('one refinery in each of two rigs, plus a dead one → nothing', () => {
    const { b, rig } = town();
    b.agent({ role: 'refinery', rig_id: rig, status: 'idle' });
    b.agent({ role: 'refinery', rig_id: rig, status: 'dead' });
    b.agent({ role: 'refinery', rig_id: b.rig(), status: 'idle' });
    expect(found(b)).toEqual([]);
  });
});

describe('I7: convoy bead status mirrors its state; counters equal a recount', () => {
  const mirror: Array<{ state: 'staged' | 'open' | 'landing' | 'landed' | 'failed'; bead: string; wrong: string }> = [
    { state: 'staged', bead: 'open', wrong: 'in_progress' },
    { state: 'open', bead: 'open', wrong: 'in_progress' },
    { state: 'landing', bead: 'in_progress', wrong: 'open' },
    { state: 'landed', bead: 'closed', wrong: 'failed' },
    { state: 'failed', bead: 'failed', wrong: 'closed' },
  ];
  for (const c of mirror) {
    it(`${c.state} with its bead ${c.bead} → nothing; with its bead ${c.wrong} → I7`, () => {
      const b = new TownBuilder();
      const convoy = b.convoy({ state: c.state });
      expect(b.view().bead(convoy)?.status).toBe(c.bead);
      expect(found(b)).toEqual([]);
      b.setColumns('beads', convoy, { status: c.wrong });
      expect(found(b)).toEqual([{ invariant: 'I7', ids: [convoy] }]);
    });
  }

  const counters: Array<{ name: string; counts: { total: number; closed: number; failed: number }; violation: boolean }> = [
    { name: 'the recount', counts: { total: 3, closed: 1, failed: 1 }, violation: false },
    { name: 'a wrong total', counts: { total: 2, closed: 1, failed: 1 }, violation: true },
    { name: 'a wrong failed count', counts: { total: 3, closed: 1, failed: 0 }, violation: true },
    // the closed member whose MR is still live does not count as closed
    { name: 'a closed count including the member with a live MR', counts: { total: 3, closed: 2, failed: 1 }, violation: true },
  ];
  for (const c of counters) {
    it(`counters equal to ${c.name} → ${c.violation ? 'I7' : 'nothing'}`, () => {
      const { b, rig } = town();
      const convoy = b.convoy({ state: 'open' });
      const done = b.bead({ rig_id: rig, status: 'closed' });
      const merging = b.bead({ rig_id: rig, status: 'closed' });
      b.mergeRequest({ rig_id: rig, status: 'open', source: merging });
      const failed = b.bead({ rig_id: rig, status: 'failed' });
      b.member(convoy, done).member(convoy, merging).member(convoy, failed).convoyCounters(convoy, c.counts);
      expect(found(b)).toEqual(c.violation ? [{ invariant: 'I7', ids: [convoy] }] : []);
    });
  }
});

describe('I8: terminal beads have closed_at, others do not', () => {
  const cases: Array<{ status: string; closedAt: boolean; violation: boolean }> = [
    { status: 'closed', closedAt: false, violation: true },
    { status: 'failed', closedAt: false, violation: true },
    { status: 'open', closedAt: true, violation: true },
    { status: 'in_progress', closedAt: true, violation: true },
    { status: 'closed', closedAt: true, violation: false },
    { status: 'in_review', closedAt: false, violation: false },
  ];
  for (const c of cases) {
    it(`${c.status} ${c.closedAt ? 'with' : 'without'} closed_at → ${c.violation ? 'I8' : 'nothing'}`, () => {
      const b = new TownBuilder();
      const bead = b.bead({ status: 'open' });
      // entered its status just now, so I3/I4 stay quiet
      b.setColumns('beads', bead, { status: c.status, status_changed_at: iso(NOW), closed_at: c.closedAt ? iso(NOW - HOUR) : null });
      expect(found(b)).toEqual(c.violation ? [{ invariant: 'I8', ids: [bead] }] : []);
    });
  }

  it('reports every mismatched bead in one violation', () => {
    const b = new TownBuilder();
    const a = b.bead({ status: 'open' });
    const c = b.bead({ status: 'open' });
    b.setColumns('beads', a, { status: 'closed', closed_at: null }).setColumns('beads', c, { closed_at: iso(NOW) });
    const v = found(b);
    expect(v).toHaveLength(1);
    expect(v[0]?.invariant).toBe('I8');
    expect([...(v[0]?.ids ?? [])].sort()).toEqual([a, c].sort());
  });
});

describe('I9: no stuck pending event, no poison event left undead-lettered', () => {
  const pending: Array<{ name: string; age: number; violation: boolean }> = [
    { name: 'exactly EVENT_STUCK_MS old', age: T.EVENT_STUCK_MS, violation: false },
    { name: 'EVENT_STUCK_MS + 1 ms old', age: T.EVENT_STUCK_MS + 1, violation: true },
  ];
  for (const c of pending) {
    it(`a pending event ${c.name} → ${c.violation ? 'I9' : 'nothing'}`, () => {
      const b = new TownBuilder();
      b.event({ created_at: NOW - c.age });
      expect(found(b)).toEqual(c.violation ? [{ invariant: 'I9', ids: [] }] : []);
    });
  }

  it('an old processed event is not stuck', () => {
    const b = new TownBuilder();
    b.event({ created_at: NOW - HOUR, processed_at: NOW - HOUR });
    expect(found(b)).toEqual([]);
  });

  const poison: Array<{ name: string; retry: number; dead: boolean; processed: boolean; violation: boolean }> = [
    { name: 'retry_count 2, pending', retry: 2, dead: false, processed: false, violation: false },
    { name: 'retry_count 3, pending', retry: 3, dead: false, processed: false, violation: true },
    { name: 'retry_count 3, processed but not dead-lettered', retry: 3, dead: false, processed: true, violation: true },
    { name: 'retry_count 3, dead-lettered', retry: 3, dead: true, processed: true, violation: false },
  ];
  for (const c of poison) {
    it(`an event with ${c.name} → ${c.violation ? 'I9' : 'nothing'}`, () => {
      const b = new TownBuilder();
      const at = NOW - MIN;
      const id = b.event({ created_at: at, retry_count: c.retry, last_error: 'Error: boom', processed_at: c.processed ? at : null, dead_lettered_at: c.dead ? at : null });
      expect(found(b)).toEqual(c.violation ? [{ invariant: 'I9', ids: [id] }] : []);
    });
  }
});

describe('I10: busy polecats per rig within max_polecats_per_rig', () => {
  it('three busy polecats (hooked idle, working, stalled) over a cap of 2 → I10 with the rig', () => {
    const { b, rig } = town({ max_polecats_per_rig: 2 });
    const held = b.bead({ rig_id: rig, status: 'open' });
    const worked = b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - MIN });
    b.agent({ role: 'polecat', rig_id: rig, status: 'idle', hook: held, last_heartbeat_at: NOW - SEC });
    b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: worked, last_heartbeat_at: NOW - SEC });
    b.agent({ role: 'polecat', rig_id: rig, status: 'stalled', stalled_at: NOW - MIN });
    expect(found(b)).toEqual([{ invariant: 'I10', ids: [rig] }]);
  });

  it('at the cap, with idle unhooked and dead polecats and a refinery beside them → nothing', () => {
    const { b, rig } = town({ max_polecats_per_rig: 2 });
    const one = b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - MIN });
    const two = b.bead({ rig_id: rig, status: 'in_progress', status_changed_at: NOW - MIN });
    b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: one, last_heartbeat_at: NOW - SEC });
    b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: two, last_heartbeat_at: NOW - SEC });
    b.agent({ role: 'polecat', rig_id: rig, status: 'idle', last_heartbeat_at: NOW - SEC });
    b.agent({ role: 'polecat', rig_id: rig, status: 'dead' });
    b.agent({ role: 'refinery', rig_id: rig, status: 'idle' });
    expect(found(b)).toEqual([]);
  });

  it('capacity is per rig', () => {
    const { b, rig } = town({ max_polecats_per_rig: 1 });
    const other = b.rig({ config: { max_polecats_per_rig: 1 } });
    for (const r of [rig, other]) {
      const bead = b.bead({ rig_id: r, status: 'in_progress', status_changed_at: NOW - MIN });
      b.agent({ role: 'polecat', rig_id: r, status: 'working', hook: bead, last_heartbeat_at: NOW - SEC });
    }
    expect(found(b)).toEqual([]);
  });
});
