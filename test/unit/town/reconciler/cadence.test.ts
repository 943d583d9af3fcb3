/**
 * `computeCadence` (`reconciler.md` §2 "Cadence"): active for each trigger, PR watch while a PR
 * that is not awaiting approval is polled, idle otherwise (waiting mayor, PRs awaiting approval,
 * staged convoys, beads in backoff); deadline hints pull an alarm earlier but never below the
 * active interval; the test timing profile divides the town's intervals by 60.
 */
import { describe, expect, it } from 'vitest';
import { computeCadence, intervals, type CadenceDecision } from '../../../../src/town/reconciler/cadence.ts';
import { thresholdsFor, type Thresholds } from '../../../../src/town/reconciler/constants.ts';
import { TownBuilder } from './town-builder.ts';
import { HOUR, MIN, NOW, SEC, T } from './rules/rule-ctx.ts';

const ACTIVE: CadenceDecision = { cadence: 'active', next_alarm_ms: 5 * SEC };
const IDLE: CadenceDecision = { cadence: 'idle', next_alarm_ms: 5 * MIN };
const PR_WATCH: CadenceDecision = { cadence: 'pr_watch', next_alarm_ms: 60 * SEC };
const PR_URL = 'https://github.com/acme/app/pull/7';

function cadence(b: TownBuilder, t: Thresholds = T, now = NOW): CadenceDecision {
  return computeCadence(b.view(), now, t);
}

function town(rigConfig: Record<string, unknown> = {}): { b: TownBuilder; rig: string } {
  const b = new TownBuilder();
  return { b, rig: b.rig({ config: rigConfig }) };
}

describe('active: something is moving', () => {
  const triggers: Array<{ name: string; seed: (b: TownBuilder, rig: string) => void }> = [
    { name: 'a pending event', seed: (b) => void b.event({ created_at: NOW - SEC }) },
    {
      name: 'a working polecat',
      seed: (b, rig) => void b.agent({ role: 'polecat', rig_id: rig, status: 'working', hook: b.bead({ rig_id: rig, status: 'in_progress' }), last_heartbeat_at: NOW - SEC }),
    },
    { name: 'a stalled polecat', seed: (b, rig) => void b.agent({ role: 'polecat', rig_id: rig, status: 'stalled', stalled_at: NOW - MIN }) },
    {
      name: 'a working refinery',
      seed: (b, rig) => void b.agent({ role: 'refinery', rig_id: rig, status: 'working', hook: b.mergeRequest({ rig_id: rig, status: 'in_progress' }), last_heartbeat_at: NOW - SEC }),
    },
    { name: 'a stalled refinery', seed: (b, rig) => void b.agent({ role: 'refinery', rig_id: rig, status: 'stalled', stalled_at: NOW - MIN }) },
    {
      name: 'an idle polecat holding a hook',
      seed: (b, rig) => void b.agent({ role: 'polecat', rig_id: rig, status: 'idle', hook: b.bead({ rig_id: rig, status: 'in_progress' }), last_heartbeat_at: NOW - SEC }),
    },
    {
      name: 'an idle refinery holding a hook',
      seed: (b, rig) => void b.agent({ role: 'refinery', rig_id: rig, status: 'idle', hook: b.mergeRequest({ rig_id: rig, status: 'in_progress' }) }),
    },
    { name: 'a ready bead never dispatched', seed: (b, rig) => void b.bead({ rig_id: rig, status: 'open' }) },
    {
      name: 'a ready bead whose backoff has just elapsed (2 attempts, last exactly 1 min ago)',
      seed: (b, rig) => void b.bead({ rig_id: rig, status: 'open', dispatch_attempts: 2, last_dispatch_attempt_at: NOW - MIN }),
    },
    { name: 'a queued MR with no refinery (code review on)', seed: (b, rig) => void b.mergeRequest({ rig_id: rig, status: 'open' }) },
    {
      name: 'a queued MR with an idle unhooked refinery',
      seed: (b, rig) => {
        b.agent({ role: 'refinery', rig_id: rig, status: 'idle' });
        b.mergeRequest({ rig_id: rig, status: 'open', pr_url: PR_URL });
      },
    },
    { name: 'a working mayor', seed: (b) => void b.agent({ role: 'mayor', status: 'working', last_heartbeat_at: NOW - SEC }) },
    { name: 'a draining container', seed: (b) => void b.townState('draining', true).townState('drain_started_at', NOW - MIN) },
  ];
  for (const c of triggers) {
    it(`${c.name} → active every ${ACTIVE.next_alarm_ms} ms`, () => {
      const { b, rig } = town();
      c.seed(b, rig);
      expect(cadence(b)).toEqual(ACTIVE);
    });
  }

  it('a landing MR is claimable by R5 even with code review off', () => {
    const { b, rig } = town({ refinery: { code_review: false } });
    b.mergeRequest({ rig_id: rig, status: 'open', labels: ['gt:landing'] });
    expect(cadence(b)).toEqual(ACTIVE);
  });

  it('activity wins over a polled PR', () => {
    const { b, rig } = town();
    b.mergeRequest({ rig_id: rig, status: 'in_progress', pr_url: PR_URL });
    b.event({ created_at: NOW - SEC });
    expect(cadence(b)).toEqual(ACTIVE);
  });
});

describe('pr_watch: a PR is polled', () => {
  it('an MR in the PR phase not awaiting approval → pr_watch at PR_POLL_INTERVAL_MS', () => {
    const { b, rig } = town();
    b.mergeRequest({ rig_id: rig, status: 'in_progress', pr_url: PR_URL });
    expect(cadence(b)).toEqual(PR_WATCH);
  });
  it('one PR awaiting approval and one not → pr_watch', () => {
    const { b, rig } = town();
    b.mergeRequest({ rig_id: rig, status: 'in_progress', pr_url: PR_URL, review: { awaiting_approval: 1 } });
    b.mergeRequest({ rig_id: rig, status: 'in_progress', pr_url: `${PR_URL}0` });
    expect(cadence(b)).toEqual(PR_WATCH);
  });
  it('never below the active interval when the town ticks slowly', () => {
    const { b, rig } = town();
    b.patchConfig({ alarm: { active_interval_seconds: 60, idle_interval_seconds: 600 } });
    b.mergeRequest({ rig_id: rig, status: 'in_progress', pr_url: PR_URL });
    expect(cadence(b)).toEqual({ cadence: 'pr_watch', next_alarm_ms: 60 * SEC });
  });
});

describe('idle: nothing moves', () => {
  const quiet: Array<{ name: string; rigConfig?: Record<string, unknown>; seed: (b: TownBuilder, rig: string) => void }> = [
    { name: 'an empty rig', seed: () => undefined },
    { name: 'a waiting mayor', seed: (b) => void b.agent({ role: 'mayor', status: 'waiting', last_heartbeat_at: NOW - SEC }) },
    { name: 'an idle mayor', seed: (b) => void b.agent({ role: 'mayor', status: 'idle' }) },
    { name: 'an idle unhooked polecat', seed: (b, rig) => void b.agent({ role: 'polecat', rig_id: rig, status: 'idle', last_heartbeat_at: NOW - SEC }) },
    { name: 'a PR awaiting approval', seed: (b, rig) => void b.mergeRequest({ rig_id: rig, status: 'in_progress', pr_url: PR_URL, review: { awaiting_approval: 1 } }) },
    {
      name: 'a staged convoy with an open member',
      seed: (b, rig) => {
        const convoy = b.convoy({ state: 'staged' });
        b.member(convoy, b.bead({ rig_id: rig, status: 'open' }));
      },
    },
    { name: 'a held issue', seed: (b, rig) => void b.bead({ rig_id: rig, status: 'open', labels: ['gt:held'] }) },
    {
      name: 'an issue blocked by an unfinished issue',
      seed: (b, rig) => {
        const blocker = b.bead({ status: 'in_progress' });
        b.edge(b.bead({ rig_id: rig, status: 'open' }), blocker, 'blocks');
      },
    },
    {
      name: 'a queued (non-landing) MR in a rig with code review off',
      rigConfig: { refinery: { code_review: false } },
      seed: (b, rig) => void b.mergeRequest({ rig_id: rig, status: 'open', pr_url: PR_URL }),
    },
    {
      name: 'a queued MR blocked by an open follow-up',
      seed: (b, rig) => {
        const mr = b.mergeRequest({ rig_id: rig, status: 'open' });
        b.edge(mr, b.bead({ status: 'in_progress' }), 'blocks');
      },
    },
    { name: 'a processed event', seed: (b) => void b.event({ created_at: NOW - MIN, processed_at: NOW - MIN }) },
    { name: 'a draining flag set to false', seed: (b) => void b.townState('draining', false) },
  ];
  for (const c of quiet) {
    it(`${c.name} → idle every ${IDLE.next_alarm_ms} ms`, () => {
      const { b, rig } = town(c.rigConfig);
      c.seed(b, rig);
      expect(cadence(b)).toEqual(IDLE);
    });
  }
});

describe('deadline hints pull the alarm earlier, never below the active interval', () => {
  const backoff: Array<{ name: string; attempts: number; last: number; expected: CadenceDecision }> = [
    { name: 'backoff (30 s) ends in 20 s', attempts: 1, last: NOW - 10 * SEC, expected: { cadence: 'idle', next_alarm_ms: 20 * SEC } },
    { name: 'backoff ends in 1 s: floored at the active interval', attempts: 1, last: NOW - 29 * SEC, expected: { cadence: 'idle', next_alarm_ms: 5 * SEC } },
    { name: 'backoff ends in exactly the active interval', attempts: 1, last: NOW - 25 * SEC, expected: { cadence: 'idle', next_alarm_ms: 5 * SEC } },
    { name: 'backoff (10 min) ends in 9 min, later than the idle interval', attempts: 5, last: NOW - MIN, expected: IDLE },
    { name: 'backoff ends in 4 min 59 s', attempts: 5, last: NOW - 5 * MIN - SEC, expected: { cadence: 'idle', next_alarm_ms: 5 * MIN - SEC } },
  ];
  for (const c of backoff) {
    it(`a ready bead in backoff: ${c.name}`, () => {
      const { b, rig } = town();
      b.bead({ rig_id: rig, status: 'open', dispatch_attempts: c.attempts, last_dispatch_attempt_at: c.last });
      expect(cadence(b)).toEqual(c.expected);
    });
  }

  it('the earliest of several deadlines wins', () => {
    const { b, rig } = town();
    b.bead({ rig_id: rig, status: 'open', dispatch_attempts: 3, last_dispatch_attempt_at: NOW - 30 * SEC }); // 90 s left
    b.bead({ rig_id: rig, status: 'open', dispatch_attempts: 2, last_dispatch_attempt_at: NOW - 20 * SEC }); // 40 s left
    expect(cadence(b)).toEqual({ cadence: 'idle', next_alarm_ms: 40 * SEC });
  });

  it('a backoff deadline also pulls a PR watch alarm earlier', () => {
    const { b, rig } = town();
    b.mergeRequest({ rig_id: rig, status: 'in_progress', pr_url: PR_URL });
    b.bead({ rig_id: rig, status: 'open', dispatch_attempts: 1, last_dispatch_attempt_at: NOW - 10 * SEC });
    expect(cadence(b)).toEqual({ cadence: 'pr_watch', next_alarm_ms: 20 * SEC });
  });

  const escalations: Array<{ name: string; seed: { acknowledged?: boolean; re_escalation_count?: number }; expected: CadenceDecision }> = [
    { name: 'an open escalation due for re-escalation in 30 s', seed: {}, expected: { cadence: 'idle', next_alarm_ms: 30 * SEC } },
    { name: 'an acknowledged escalation', seed: { acknowledged: true }, expected: IDLE },
    { name: 'an escalation already re-escalated MAX_RE_ESCALATIONS times', seed: { re_escalation_count: 2 }, expected: IDLE },
  ];
  for (const c of escalations) {
    it(`${c.name} → ${c.expected.next_alarm_ms} ms`, () => {
      const b = new TownBuilder();
      b.escalation({ category: 'stuck_agent', last_escalated_at: NOW - 4 * HOUR + 30 * SEC, ...c.seed });
      expect(cadence(b)).toEqual(c.expected);
    });
  }

  it('an auto-merge timer that expires in 10 s pulls the PR watch alarm to 10 s', () => {
    const { b, rig } = town();
    // default auto_merge_delay_minutes = 5
    b.mergeRequest({ rig_id: rig, status: 'in_progress', pr_url: PR_URL, review: { auto_merge_ready_since: NOW - 5 * MIN + 10 * SEC } });
    expect(cadence(b)).toEqual({ cadence: 'pr_watch', next_alarm_ms: 10 * SEC });
  });

  it('a deadline already past is no hint', () => {
    const b = new TownBuilder();
    b.escalation({ category: 'stuck_agent', last_escalated_at: NOW - 5 * HOUR });
    expect(cadence(b)).toEqual(IDLE);
  });
});

describe('intervals and the timing profile', () => {
  const cases: Array<{ alarm: { active_interval_seconds: number; idle_interval_seconds: number }; profile: 'production' | 'test'; active: number; idle: number }> = [
    { alarm: { active_interval_seconds: 5, idle_interval_seconds: 300 }, profile: 'production', active: 5000, idle: 300_000 },
    { alarm: { active_interval_seconds: 10, idle_interval_seconds: 600 }, profile: 'production', active: 10_000, idle: 600_000 },
    // ÷ 60; the active interval is floored at MIN_TICK_GAP_MS (250 ms)
    { alarm: { active_interval_seconds: 5, idle_interval_seconds: 300 }, profile: 'test', active: 250, idle: 5000 },
    { alarm: { active_interval_seconds: 30, idle_interval_seconds: 120 }, profile: 'test', active: 500, idle: 2000 },
    { alarm: { active_interval_seconds: 60, idle_interval_seconds: 3600 }, profile: 'test', active: 1000, idle: 60_000 },
  ];
  for (const c of cases) {
    it(`${c.profile}: ${c.alarm.active_interval_seconds} s / ${c.alarm.idle_interval_seconds} s → ${c.active} ms / ${c.idle} ms`, () => {
      const b = new TownBuilder({ alarm: c.alarm });
      const t = thresholdsFor(c.profile);
      expect(intervals(b.view(), t)).toEqual({ active: c.active, idle: c.idle });
      expect(cadence(b, t)).toEqual({ cadence: 'idle', next_alarm_ms: c.idle });
      b.event({ created_at: NOW - SEC });
      expect(cadence(b, t)).toEqual({ cadence: 'active', next_alarm_ms: c.active });
    });
  }

  it('test profile: PR watch uses the scaled poll interval (1 s), backoff hints the scaled backoff', () => {
    const t = thresholdsFor('test');
    const { b, rig } = town();
    b.mergeRequest({ rig_id: rig, status: 'in_progress', pr_url: PR_URL });
    expect(cadence(b, t)).toEqual({ cadence: 'pr_watch', next_alarm_ms: 1000 });
    const idle = town();
    // 3 attempts: backoff 2 s in the test profile, 1.5 s left
    idle.b.bead({ rig_id: idle.rig, status: 'open', dispatch_attempts: 3, last_dispatch_attempt_at: NOW - 500 });
    expect(cadence(idle.b, t)).toEqual({ cadence: 'idle', next_alarm_ms: 1500 });
  });
});
