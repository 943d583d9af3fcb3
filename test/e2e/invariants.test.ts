/**
 * The end-to-end invariant checks themselves (`support/invariants.ts`), on hand-made records:
 * each one reports the fault it exists for and stays quiet on a healthy record, so a fault
 * scenario that passes them has really been checked. No stack needed.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { ActivityEvent, Agent, Bead } from '../../src/protocol/api.ts';
import type { DebugStatus } from '../../src/protocol/debug.ts';
import type { ControlLogLine, DebugBead } from './support/e2e-client.ts';
import { RepoFactory, git } from './support/git-repo.ts';
import { containerStartViolations, dispatchViolations, lostCommits, unattendedIssues, LIVE_HEARTBEAT_MS } from './support/invariants.ts';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const BEAD = '11111111-1111-4111-8111-111111111111';
const A1 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const A2 = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

function bead(fields: Partial<z.output<typeof Bead>> = {}): z.output<typeof Bead> {
  return {
    id: BEAD,
    type: 'issue',
    status: 'closed',
    rig_id: null,
    title: 't',
    body: '',
    priority: 'medium',
    labels: [],
    held: false,
    assignee_agent_id: null,
    parent_bead_id: null,
    convoy_id: null,
    dispatch_attempts: 1,
    review: null,
    metadata: {},
    created_by: 'user:dev',
    created_at: iso(NOW),
    updated_at: iso(NOW),
    closed_at: null,
    ...fields,
  };
}

function agent(fields: Partial<z.output<typeof Agent>> = {}): z.output<typeof Agent> {
  return {
    id: A1,
    rig_id: null,
    role: 'polecat',
    name: 'Toast',
    status: 'working',
    hooked_bead_id: BEAD,
    status_message: null,
    status_message_at: null,
    last_heartbeat_at: iso(NOW - 1_000),
    last_event_type: null,
    last_event_at: null,
    active_tools: [],
    created_at: iso(NOW),
    ...fields,
  };
}

function status(agents: z.output<typeof Agent>[], beadStatus: 'in_progress' | 'open' = 'in_progress'): z.output<typeof DebugStatus> {
  return {
    alarm: { next_fire_at: null, interval_ms: 250, cadence: 'active' },
    agents,
    beads: { counts: {}, non_terminal: [{ id: BEAD, type: 'issue', status: beadStatus, title: 't' }] },
    last_tick: null,
    draining: false,
    container: { state: 'running' },
  };
}

let seq = 0;
function event(type: string, agentId: string | null, data: Record<string, unknown> = {}): z.output<typeof ActivityEvent> {
  seq += 1;
  return { seq, type, rig_id: null, bead_id: BEAD, agent_id: agentId, actor: 'system', data: data as z.output<typeof ActivityEvent>['data'], created_at: iso(NOW + seq) };
}

function record(attempts: number, activity: z.output<typeof ActivityEvent>[]): DebugBead {
  return { bead: bead({ dispatch_attempts: attempts }), dependencies: [], activity, inbox_events: [] };
}

function line(msg: string, role: string): ControlLogLine {
  return { town_id: 't', msg, at: iso(NOW), fields: { msg, role } };
}

describe('unattendedIssues', () => {
  it('accepts an in_progress issue held by a working agent with a fresh heartbeat', () => {
    expect(unattendedIssues(status([agent()]), NOW)).toEqual([]);
  });

  it('flags one whose holder is idle, silent too long, never heartbeated, or missing', () => {
    expect(unattendedIssues(status([agent({ status: 'idle' })]), NOW)).toEqual([BEAD]);
    expect(unattendedIssues(status([agent({ last_heartbeat_at: iso(NOW - LIVE_HEARTBEAT_MS - 1) })]), NOW)).toEqual([BEAD]);
    expect(unattendedIssues(status([agent({ last_heartbeat_at: null })]), NOW)).toEqual([BEAD]);
    expect(unattendedIssues(status([agent({ hooked_bead_id: null })]), NOW)).toEqual([BEAD]);
  });

  it('ignores beads that are not in_progress', () => {
    expect(unattendedIssues(status([], 'open'), NOW)).toEqual([]);
  });
});

describe('dispatchViolations', () => {
  it('accepts a re-dispatch after a release: two attempts, two starts, hooks one after the other', () => {
    const healthy = [event('hooked', A1), event('dispatched', A1, { dispatch_id: 'd1', attempt: 1 }), event('unhooked', A1), event('hooked', A2), event('dispatched', A2, { dispatch_id: 'd2', attempt: 2 })];
    expect(dispatchViolations([record(2, healthy)])).toEqual([]);
  });

  it('flags two starts of one attempt, one dispatch id started twice, more starts than attempts', () => {
    const twice = [event('hooked', A1), event('dispatched', A1, { dispatch_id: 'd1', attempt: 1 }), event('dispatched', A1, { dispatch_id: 'd1', attempt: 1 })];
    const found = dispatchViolations([record(1, twice)]);
    expect(found).toHaveLength(3);
    expect(found.join('\n')).toMatch(/two starts recorded for one attempt/);
    expect(found.join('\n')).toMatch(/one dispatch id started twice/);
    expect(found.join('\n')).toMatch(/2 starts for 1 dispatch attempts/);
  });

  it('flags a bead hooked by a second agent while the first still holds it', () => {
    const overlap = [event('hooked', A1), event('hooked', A2)];
    expect(dispatchViolations([record(2, overlap)])).toEqual([`bead ${BEAD}: hooked by ${A2} while ${A1} still held it`]);
  });
});

describe('containerStartViolations', () => {
  it('counts fresh starts (started minus resumed) against the dispatch attempts of the role', () => {
    const lines = [line('agent.started', 'polecat'), line('agent.started', 'polecat'), line('hydration.agent_resumed', 'polecat'), line('agent.started', 'refinery')];
    const beads = [bead({ type: 'issue', dispatch_attempts: 1 }), bead({ type: 'merge_request', dispatch_attempts: 1 })];
    expect(containerStartViolations(lines, beads)).toEqual([]);
    expect(containerStartViolations([...lines, line('agent.started', 'polecat')], beads)).toEqual(['polecat: the containers started 2 fresh sessions for 1 dispatch attempts']);
  });
});

describe('lostCommits', () => {
  it('finds a pushed commit no branch reaches any more (a force-push dropped it)', async () => {
    const repos = await RepoFactory.create();
    try {
      const repo = await repos.bare('lost');
      const first = await repo.branchSha('main');
      if (first === null) throw new Error('no main');
      // A commit on a side branch, then the branch deleted: the object stays, unreachable.
      const work = `${repos.root}/work`;
      await git(repos.root, ['clone', '--quiet', repo.path, work]);
      await git(work, ['commit', '--quiet', '--allow-empty', '-m', 'side work']);
      const side = await git(work, ['rev-parse', 'HEAD']);
      await git(work, ['push', '--quiet', 'origin', 'HEAD:refs/heads/side']);
      expect(await lostCommits(repo, [first, side])).toEqual([]);
      await git(work, ['push', '--quiet', 'origin', ':refs/heads/side']);
      expect(await lostCommits(repo, [first, side])).toEqual([side]);
    } finally {
      await repos.dispose();
    }
  });
});
