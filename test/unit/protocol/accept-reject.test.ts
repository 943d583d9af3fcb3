/**
 * Accept/reject tables for the important wire contracts of `src/protocol/`: strict bodies refuse
 * unknown keys, telemetry bodies drop them, and each documented limit holds at its edge.
 * Run by `npm test` (vitest project `unit`).
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { Completed, Done, Heartbeat, AgentEventsBatch, Checkpoint, MailSend, UiAction, UiActionRequest } from '../../../src/protocol/agent.ts';
import { BeadCreate, SlingBatch } from '../../../src/protocol/api.ts';
import { ContainerTelemetryEvents, MergeResultReport } from '../../../src/protocol/container.ts';
import { ContainerConfig, StartAgentRequest } from '../../../src/protocol/control.ts';
import { ReplayRequest } from '../../../src/protocol/debug.ts';
import { TickRecord, TownEventBody } from '../../../src/protocol/events.ts';
import { LIVE_CLOSE_TOWN_DELETED, LiveFrame, WatchAgent } from '../../../src/protocol/live.ts';

const RIG = '3f2b8c1e-9a4d-4e6b-8f1a-2c3d4e5f6a7b';
const AGENT = '0c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f';
const TOWN = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const DISPATCH = '11111111-2222-4333-8444-555555555555';
const AT = '2026-01-02T03:04:05.000Z';

type Case = {
  name: string;
  schema: z.ZodType;
  input: unknown;
  /** Expected result: accepted, or rejected with (optionally) an issue at `path`. */
  ok: boolean;
  path?: ReadonlyArray<string | number>;
  /** An issue code the rejection must include. */
  code?: string;
};

const config: ContainerConfig = {
  version: 3,
  town_id: TOWN,
  api_url: 'http://127.0.0.1:8787',
  provider: { kind: 'kilo', token: 'kilo-token-1234' },
  git_auth: {},
  disable_ai_coauthor: false,
  env_vars: { FOO: 'bar' },
};

const mayorStart = {
  dispatch_id: DISPATCH,
  agent_id: AGENT,
  town_id: TOWN,
  rig_id: TOWN,
  role: 'mayor',
  name: 'mayor',
  model: 'anthropic/claude-sonnet-4.6',
  small_model: 'anthropic/claude-haiku-4.5',
  agent_token: 'jwt',
  config,
};
const { config: _omitted, ...mayorStartWithoutConfig } = mayorStart;
const polecatStart = {
  ...mayorStart,
  role: 'polecat',
  rig_id: RIG,
  name: 'toast',
  prompt: 'Do the thing.',
  rig: { git_url: 'https://github.com/o/r', default_branch: 'main', branch: 'gt/toast/1234abcd' },
};
const { prompt: _noPrompt, ...polecatStartWithoutPrompt } = polecatStart;

const tick = {
  at: AT,
  wall_ms: 42,
  phase_ms: { observe: 3, drain: 10, reconcile: 5 },
  events_drained: 2,
  events_failed: 0,
  events_dead_lettered: 0,
  events_stale: 1,
  actions_by_type: { transition_bead: 2 },
  actions_stale: 0,
  actions_failed: 0,
  effects_ok: { dispatch_agent: 1 },
  effects_failed: {},
  violations: {},
  pending_events: 0,
  oldest_pending_ms: 0,
  breaker_open: false,
  cadence: 'active',
  next_alarm_ms: 5000,
};

const labels = (n: number) => Array.from({ length: n }, (_, i) => `label-${i}`);
const hex = (n: number) => 'a'.repeat(n);
const daysAfter = (iso: string, days: number, extraMs = 0) =>
  new Date(Date.parse(iso) + days * 86_400_000 + extraMs).toISOString();

const cases: Case[] = [
  // strict bodies: unknown keys are a 400
  { name: 'BeadCreate accepts a minimal body', schema: BeadCreate, input: { rig_id: RIG, title: 't' }, ok: true },
  { name: 'BeadCreate rejects an unknown key', schema: BeadCreate, input: { rig_id: RIG, title: 't', foo: 1 }, ok: false, code: 'unrecognized_keys' },
  { name: 'Done accepts a branch', schema: Done, input: { branch: 'gt/toast/1234abcd' }, ok: true },
  { name: 'Done rejects an unknown key', schema: Done, input: { branch: 'b', foo: true }, ok: false, code: 'unrecognized_keys' },
  { name: 'Completed rejects an unknown key', schema: Completed, input: { status: 'completed', extra: 1 }, ok: false, code: 'unrecognized_keys' },
  { name: 'MailSend rejects an unknown key', schema: MailSend, input: { to_agent_id: AGENT, subject: 's', body: '', cc: [] }, ok: false, code: 'unrecognized_keys' },
  { name: 'MergeResultReport rejects an unknown key', schema: MergeResultReport, input: { request_id: 'r1', ok: true, status: 'merged' }, ok: false, code: 'unrecognized_keys' },
  { name: 'StartAgentRequest rejects an unknown key', schema: StartAgentRequest, input: { ...mayorStart, env: {} }, ok: false, code: 'unrecognized_keys' },

  // BeadCreate limits
  { name: 'BeadCreate rejects a gt: label', schema: BeadCreate, input: { rig_id: RIG, title: 't', labels: ['gt:rework'] }, ok: false, path: ['labels', 0] },
  { name: 'BeadCreate accepts 20 labels', schema: BeadCreate, input: { rig_id: RIG, title: 't', labels: labels(20) }, ok: true },
  { name: 'BeadCreate rejects 21 labels', schema: BeadCreate, input: { rig_id: RIG, title: 't', labels: labels(21) }, ok: false, path: ['labels'] },
  { name: 'BeadCreate rejects an uppercase label', schema: BeadCreate, input: { rig_id: RIG, title: 't', labels: ['Urgent'] }, ok: false, path: ['labels', 0] },
  { name: 'BeadCreate accepts a 200-char title', schema: BeadCreate, input: { rig_id: RIG, title: 'x'.repeat(200) }, ok: true },
  { name: 'BeadCreate rejects a 201-char title', schema: BeadCreate, input: { rig_id: RIG, title: 'x'.repeat(201) }, ok: false, path: ['title'] },
  { name: 'BeadCreate rejects a non-uuid rig_id', schema: BeadCreate, input: { rig_id: 'rig-1', title: 't' }, ok: false, path: ['rig_id'] },

  // SlingBatch index checks are shape errors with the task path
  { name: 'SlingBatch accepts a chain', schema: SlingBatch, input: { rig_id: RIG, title: 'c', tasks: [{ title: 'a' }, { title: 'b', depends_on: [0] }] }, ok: true },
  { name: 'SlingBatch rejects an out-of-range index', schema: SlingBatch, input: { rig_id: RIG, title: 'c', tasks: [{ title: 'a' }, { title: 'b', depends_on: [2] }] }, ok: false, path: ['tasks', 1, 'depends_on', 0] },
  { name: 'SlingBatch rejects a negative index', schema: SlingBatch, input: { rig_id: RIG, title: 'c', tasks: [{ title: 'a', depends_on: [-1] }] }, ok: false, path: ['tasks', 0, 'depends_on', 0] },
  { name: 'SlingBatch rejects a self dependency', schema: SlingBatch, input: { rig_id: RIG, title: 'c', tasks: [{ title: 'a' }, { title: 'b', depends_on: [0, 1] }] }, ok: false, path: ['tasks', 1, 'depends_on', 1] },

  // Done merge_commit: 7–64 hex
  { name: 'Done accepts a 7-hex merge_commit', schema: Done, input: { branch: 'b', merge_commit: hex(7) }, ok: true },
  { name: 'Done accepts a 64-hex merge_commit', schema: Done, input: { branch: 'b', merge_commit: hex(64) }, ok: true },
  { name: 'Done rejects a 6-hex merge_commit', schema: Done, input: { branch: 'b', merge_commit: hex(6) }, ok: false, path: ['merge_commit'] },
  { name: 'Done rejects a 65-hex merge_commit', schema: Done, input: { branch: 'b', merge_commit: hex(65) }, ok: false, path: ['merge_commit'] },
  { name: 'Done rejects a non-hex merge_commit', schema: Done, input: { branch: 'b', merge_commit: 'zzzzzzz' }, ok: false, path: ['merge_commit'] },
  { name: 'Done rejects a 4097-char summary', schema: Done, input: { branch: 'b', summary: 'x'.repeat(4097) }, ok: false, path: ['summary'] },
  { name: 'Done rejects an empty branch', schema: Done, input: { branch: '' }, ok: false, path: ['branch'] },

  // StartAgentRequest
  { name: 'StartAgentRequest accepts a mayor start', schema: StartAgentRequest, input: mayorStart, ok: true },
  { name: 'StartAgentRequest accepts a polecat start', schema: StartAgentRequest, input: polecatStart, ok: true },
  { name: 'StartAgentRequest requires config', schema: StartAgentRequest, input: mayorStartWithoutConfig, ok: false, path: ['config'] },
  { name: 'StartAgentRequest requires a prompt for rig roles', schema: StartAgentRequest, input: polecatStartWithoutPrompt, ok: false, path: ['prompt'] },
  { name: 'StartAgentRequest rejects a negative config version', schema: StartAgentRequest, input: { ...mayorStart, config: { ...config, version: -1 } }, ok: false, path: ['config', 'version'] },

  // UiAction
  { name: 'UiAction accepts open_bead', schema: UiAction, input: { type: 'open_bead', bead_id: RIG }, ok: true },
  { name: 'UiAction accepts navigate', schema: UiAction, input: { type: 'navigate', page: 'merge-queue' }, ok: true },
  { name: 'UiAction rejects an unknown type', schema: UiAction, input: { type: 'open_settings' }, ok: false, path: ['type'] },
  { name: 'UiAction rejects an unknown page', schema: UiAction, input: { type: 'navigate', page: 'home' }, ok: false, path: ['page'] },
  { name: 'UiAction requires rig_id to navigate to a rig', schema: UiAction, input: { type: 'navigate', page: 'rig' }, ok: false, path: ['rig_id'] },
  { name: 'UiActionRequest rejects an unknown key', schema: UiActionRequest, input: { action: { type: 'open_agent', agent_id: AGENT }, to: 'all' }, ok: false, code: 'unrecognized_keys' },

  // Checkpoint ≤ 64 KB as JSON
  { name: 'Checkpoint accepts a small object', schema: Checkpoint, input: { data: { step: 3 } }, ok: true },
  { name: 'Checkpoint rejects more than 64 KB', schema: Checkpoint, input: { data: { blob: 'x'.repeat(64 * 1024) } }, ok: false, path: ['data'] },

  // ReplayRequest
  { name: 'ReplayRequest accepts a one-day range', schema: ReplayRequest, input: { from: AT, to: daysAfter(AT, 1) }, ok: true },
  { name: 'ReplayRequest accepts exactly 7 days', schema: ReplayRequest, input: { from: AT, to: daysAfter(AT, 7) }, ok: true },
  { name: 'ReplayRequest rejects from = to', schema: ReplayRequest, input: { from: AT, to: AT }, ok: false, path: ['to'] },
  { name: 'ReplayRequest rejects from > to', schema: ReplayRequest, input: { from: daysAfter(AT, 1), to: AT }, ok: false, path: ['to'] },
  { name: 'ReplayRequest rejects more than 7 days', schema: ReplayRequest, input: { from: AT, to: daysAfter(AT, 7, 1) }, ok: false, path: ['to'] },
  { name: 'ReplayRequest accepts event ids', schema: ReplayRequest, input: { event_ids: [AGENT] }, ok: true },
  { name: 'ReplayRequest rejects an empty id list', schema: ReplayRequest, input: { event_ids: [] }, ok: false },
  { name: 'ReplayRequest rejects both forms at once', schema: ReplayRequest, input: { from: AT, to: daysAfter(AT, 1), event_ids: [AGENT] }, ok: false },

  // town events
  { name: 'TownEventBody accepts agent_done', schema: TownEventBody, input: { event_type: 'agent_done', payload: { dispatch_id: DISPATCH, branch: 'b', pr_url: 'https://github.com/o/r/pull/1' } }, ok: true },
  { name: 'TownEventBody rejects agent_done without a branch', schema: TownEventBody, input: { event_type: 'agent_done', payload: { dispatch_id: DISPATCH } }, ok: false, path: ['payload', 'branch'] },
  { name: 'TownEventBody rejects an unknown event type', schema: TownEventBody, input: { event_type: 'agent_exploded', payload: {} }, ok: false, path: ['event_type'] },
  { name: 'TownEventBody accepts a mayor report with a null dispatch', schema: TownEventBody, input: { event_type: 'mayor_waiting', payload: { dispatch_id: null, fired_at: AT } }, ok: true },
  { name: 'TickRecord accepts a full record', schema: TickRecord, input: tick, ok: true },
  { name: 'TickRecord rejects a missing §8 name', schema: TickRecord, input: { ...tick, next_alarm_ms: undefined }, ok: false, path: ['next_alarm_ms'] },
  { name: 'TickRecord rejects an unknown cadence', schema: TickRecord, input: { ...tick, cadence: 'fast' }, ok: false, path: ['cadence'] },

  // live
  { name: 'WatchAgent accepts null', schema: WatchAgent, input: { type: 'watch_agent', agent_id: null }, ok: true },
  { name: 'WatchAgent rejects a non-uuid', schema: WatchAgent, input: { type: 'watch_agent', agent_id: 'me' }, ok: false, path: ['agent_id'] },
];

describe('protocol accept/reject', () => {
  it.each(cases)('$name', ({ schema, input, ok, path, code }) => {
    const result = schema.safeParse(input);
    if (ok) {
      expect(result.error?.issues).toBeUndefined();
      expect(result.success).toBe(true);
      return;
    }
    expect(result.success).toBe(false);
    if (path !== undefined && result.error !== undefined) {
      expect(result.error.issues.map((i) => i.path)).toContainEqual(path);
    }
    if (code !== undefined && result.error !== undefined) {
      expect(result.error.issues.map((i) => i.code)).toContain(code);
    }
  });
});

describe('telemetry bodies drop unknown keys', () => {
  it('Heartbeat strips an unknown key', () => {
    const parsed = Heartbeat.parse({
      last_event_type: 'session.idle',
      last_event_at: AT,
      active_tools: ['bash'],
      container_instance_id: 'instance-1',
      cpu_percent: 12,
    });
    expect(parsed).toEqual({
      last_event_type: 'session.idle',
      last_event_at: AT,
      active_tools: ['bash'],
      container_instance_id: 'instance-1',
    });
  });

  it('AgentEventsBatch strips unknown keys at both levels', () => {
    const parsed = AgentEventsBatch.parse({
      events: [{ type: 'session.idle', data: { a: 1 }, at: AT, seq_hint: 4 }],
      compressed: false,
    });
    expect(parsed).toEqual({ events: [{ type: 'session.idle', data: { a: 1 }, at: AT }] });
  });

  it('AgentEventsBatch still enforces 1–100 events', () => {
    const event = { type: 't', data: {}, at: AT };
    expect(AgentEventsBatch.safeParse({ events: [] }).success).toBe(false);
    expect(AgentEventsBatch.safeParse({ events: Array.from({ length: 100 }, () => event) }).success).toBe(true);
    expect(AgentEventsBatch.safeParse({ events: Array.from({ length: 101 }, () => event) }).success).toBe(false);
  });

  it('ContainerTelemetryEvents strips unknown keys and keeps known ones', () => {
    const parsed = ContainerTelemetryEvents.parse({
      events: [{ event: 'agent.startup_phase', agent_id: AGENT, role: 'polecat', label: 'git', duration_ms: 812, region: 'weur' }],
      build: 'next',
    });
    expect(parsed).toEqual({
      events: [{ event: 'agent.startup_phase', agent_id: AGENT, role: 'polecat', label: 'git', duration_ms: 812 }],
    });
  });
});

describe('ids and frames', () => {
  it('lowercases a UUID in a strict body', () => {
    const parsed = BeadCreate.parse({ rig_id: RIG.toUpperCase(), title: 't' });
    expect(parsed.rig_id).toBe(RIG);
  });

  it('parses a live snapshot frame', () => {
    const frame = {
      type: 'snapshot',
      town: {
        id: TOWN,
        name: 'springfield',
        owner_type: 'user',
        owner_id: 'dev',
        created_at: AT,
        updated_at: AT,
        summary: {
          rigs: 1,
          beads: { open: 1, in_progress: 0, in_review: 0, closed: 0, failed: 0 },
          agents: { idle: 1, working: 0, waiting: 0, stalled: 0, dead: 0 },
          draining: false,
          mayor_agent_id: AGENT,
        },
      },
      agents: [
        {
          id: AGENT,
          rig_id: null,
          role: 'mayor',
          name: 'mayor',
          status: 'idle',
          hooked_bead_id: null,
          status_message: null,
          status_message_at: null,
          last_heartbeat_at: null,
          last_event_type: null,
          last_event_at: null,
          active_tools: [],
          created_at: AT,
        },
      ],
    };
    const parsed = LiveFrame.parse(frame);
    expect(parsed.type).toBe('snapshot');
    if (parsed.type === 'snapshot') {
      expect(parsed.town.summary.mayor_agent_id).toBe(AGENT);
      expect(parsed.agents).toHaveLength(1);
    }
  });

  it('rejects a live frame of an unknown type', () => {
    expect(LiveFrame.safeParse({ type: 'weather', sunny: true }).success).toBe(false);
  });

  it('closes deleted towns with 4404', () => {
    expect(LIVE_CLOSE_TOWN_DELETED).toBe(4404);
  });
});
