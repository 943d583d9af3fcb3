/**
 * Direct SQL access to a town's Durable Object for workerd tests: seeding rows that have no
 * creation route yet (agents, escalations, mail, merge requests, town events), forcing states
 * (bead status, convoy state), reading tables back, driving the TownDO clock, and holding its
 * ticks still while recording kicks. Everything runs inside the real object through
 * `runInDurableObject`.
 */
import { runInDurableObject } from 'cloudflare:test';
import type { AgentRole, AgentStatus, BeadStatus, ConvoyStatus, EscalationCategory, Severity } from '../../src/protocol/common.ts';
import type { TownDO } from '../../src/town/town-do.ts';
import { durableObjectSql, type SqlHandle, type SqlRow, type SqlValue } from '../../src/town/db/sql.ts';
import { iso } from '../../src/town/db/clock.ts';
import { convoyBeadStatusFor } from '../../src/town/machines/index.ts';
import { readyWork } from '../../src/town/beads/ready-work.ts';
import { fixture, townObject } from './helpers.ts';

/** Runs `fn` inside the town's Durable Object with its SQL handle and its `now` (the TownDO clock). */
export async function withTownSql<R>(townId: string, fn: (sql: SqlHandle, now: string, instance: TownDO) => R): Promise<R> {
  return runInDurableObject(townObject(townId), (instance, state) => fn(durableObjectSql(state.storage), iso(instance.clock.now()), instance));
}

/** Rows of one statement run in the town's database. */
export async function queryTown(townId: string, statement: string, ...params: SqlValue[]): Promise<SqlRow[]> {
  return withTownSql(townId, (sql) => sql.all(statement, ...params));
}

/** `SELECT COUNT(*) AS n …` shorthand: the count of rows matching `where`. */
export async function countRows(townId: string, table: string, where = '1 = 1', ...params: SqlValue[]): Promise<number> {
  const rows = await queryTown(townId, `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, ...params);
  const n = rows[0]?.n;
  if (typeof n !== 'number') throw new Error(`count of ${table} returned ${String(n)}`);
  return n;
}

/** The scheduled alarm of the town's object (epoch ms), or null. */
export async function townAlarm(townId: string): Promise<number | null> {
  return runInDurableObject(townObject(townId), (_instance, state) => state.storage.getAlarm());
}

/** Pins the TownDO clock at `ms` (every later write in this town is stamped with it). */
export async function pinClock(townId: string, ms: number): Promise<void> {
  await runInDurableObject(townObject(townId), (instance) => instance.clock.set(ms));
}

/** Moves the TownDO clock forward by `ms` (pinning it first if it was free). */
export async function advanceClock(townId: string, ms: number): Promise<void> {
  await runInDurableObject(townObject(townId), (instance) => instance.clock.advance(ms));
}

/** Lets the TownDO clock follow real time again. */
export async function releaseClock(townId: string): Promise<void> {
  await runInDurableObject(townObject(townId), (instance) => instance.clock.release());
}

interface SeedBead {
  type: 'agent' | 'escalation' | 'message' | 'merge_request';
  status: BeadStatus;
  title: string;
  body?: string;
  rigId: string | null;
  parentBeadId?: string | null;
  assigneeId?: string | null;
  priority?: string;
  labels?: string[];
}

function insertSeedBead(sql: SqlHandle, now: string, b: SeedBead): string {
  const id = crypto.randomUUID();
  const terminal = b.status === 'closed' || b.status === 'failed';
  sql.run(
    `INSERT INTO beads (bead_id, type, status, title, body, rig_id, parent_bead_id, assignee_agent_bead_id, priority, labels,
       created_by, created_at, updated_at, status_changed_at, closed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'system', ?, ?, ?, ?)`,
    id,
    b.type,
    b.status,
    b.title,
    b.body ?? '',
    b.rigId,
    b.parentBeadId ?? null,
    b.assigneeId ?? null,
    b.priority ?? 'medium',
    JSON.stringify(b.labels ?? []),
    now,
    now,
    now,
    terminal ? now : null,
  );
  return id;
}

export interface SeedAgentInput {
  role: AgentRole;
  /** Null for the mayor. */
  rigId: string | null;
  name?: string;
  status?: AgentStatus;
  /** Hooks this bead (and makes the agent its assignee). */
  hookBeadId?: string;
}

/** An agent bead plus its `agent_metadata` row; returns the agent id. */
export async function seedAgent(townId: string, input: SeedAgentInput): Promise<string> {
  return withTownSql(townId, (sql, now) => {
    const status = input.status ?? 'idle';
    const name = input.name ?? (input.role === 'polecat' ? 'Toast' : input.role);
    const id = insertSeedBead(sql, now, { type: 'agent', status: status === 'dead' ? 'closed' : 'open', title: name, rigId: input.rigId });
    sql.run(
      `INSERT INTO agent_metadata (bead_id, role, name, identity, status, current_hook_bead_id, working_since, stalled_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      input.role,
      name,
      `${name.toLowerCase()}-${input.role}-${id.slice(0, 8)}@${townId.slice(0, 8)}`,
      status,
      input.hookBeadId ?? null,
      status === 'working' || status === 'stalled' ? now : null,
      status === 'stalled' ? now : null,
    );
    if (input.hookBeadId !== undefined) {
      sql.run(`UPDATE beads SET assignee_agent_bead_id = ? WHERE bead_id = ?`, id, input.hookBeadId);
    }
    return id;
  });
}

export interface SeedEscalationInput {
  severity: Severity;
  category?: EscalationCategory;
  title?: string;
  body?: string;
  rigId?: string | null;
  /** The subject bead (the API's `bead_id`). */
  parentBeadId?: string | null;
  sourceAgentId?: string | null;
  acknowledged?: boolean;
}

/** An escalation bead plus its `escalation_metadata` row; returns its id. */
export async function seedEscalation(townId: string, input: SeedEscalationInput): Promise<string> {
  return withTownSql(townId, (sql, now) => {
    const acknowledged = input.acknowledged ?? false;
    const id = insertSeedBead(sql, now, {
      type: 'escalation',
      status: acknowledged ? 'closed' : 'open',
      title: input.title ?? `Escalation (${input.severity})`,
      body: input.body ?? '',
      rigId: input.rigId ?? null,
      parentBeadId: input.parentBeadId ?? null,
      priority: input.severity,
      labels: ['gt:escalation', `severity:${input.severity}`],
    });
    sql.run(
      `INSERT INTO escalation_metadata (bead_id, severity, category, source_agent_id, acknowledged, acknowledged_at, acknowledged_by, last_escalated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      input.severity,
      input.category ?? 'agent_request',
      input.sourceAgentId ?? null,
      acknowledged ? 1 : 0,
      acknowledged ? now : null,
      acknowledged ? 'system' : null,
      now,
    );
    return id;
  });
}

export interface SeedMailInput {
  from: string;
  to: string;
  subject: string;
  body?: string;
  /** Delivered mail is a closed message bead. */
  delivered?: boolean;
}

/** A `message` bead addressed to `to` from `from`; returns its id. */
export async function seedMail(townId: string, input: SeedMailInput): Promise<string> {
  return withTownSql(townId, (sql, now) =>
    insertSeedBead(sql, now, {
      type: 'message',
      status: input.delivered === true ? 'closed' : 'open',
      title: input.subject,
      body: input.body ?? '',
      rigId: null,
      assigneeId: input.to,
      labels: ['gt:message', `from:${input.from}`],
    }),
  );
}

export interface SeedMergeRequestInput {
  rigId: string;
  sourceBeadId: string;
  status?: BeadStatus;
  branch?: string;
  targetBranch?: string;
  prUrl?: string | null;
}

/** A merge_request bead with `review_metadata` that `tracks` its source issue; returns its id. */
export async function seedMergeRequest(townId: string, input: SeedMergeRequestInput): Promise<string> {
  return withTownSql(townId, (sql, now) => {
    const id = insertSeedBead(sql, now, { type: 'merge_request', status: input.status ?? 'open', title: `Review ${input.sourceBeadId.slice(0, 8)}`, rigId: input.rigId });
    sql.run(
      `INSERT INTO review_metadata (bead_id, branch, target_branch, pr_url) VALUES (?, ?, ?, ?)`,
      id,
      input.branch ?? `gt/toast/${input.sourceBeadId.slice(0, 8)}`,
      input.targetBranch ?? 'main',
      input.prUrl ?? null,
    );
    sql.run(`INSERT INTO bead_dependencies (bead_id, depends_on_bead_id, dependency_type, created_at) VALUES (?, ?, 'tracks', ?)`, id, input.sourceBeadId, now);
    return id;
  });
}

/** A town_events row (pending unless `processed`); returns its id. */
export async function seedTownEvent(townId: string, input: { eventType: string; beadId?: string | null; agentId?: string | null; processed?: boolean }): Promise<string> {
  return withTownSql(townId, (sql, now) => {
    const id = crypto.randomUUID();
    sql.run(
      `INSERT INTO town_events (event_id, event_type, agent_id, bead_id, created_at, processed_at) VALUES (?, ?, ?, ?, ?, ?)`,
      id,
      input.eventType,
      input.agentId ?? null,
      input.beadId ?? null,
      now,
      input.processed === true ? now : null,
    );
    return id;
  });
}

/** Forces a bead's status (the reconciler's moves, which have no route yet). */
export async function setBeadStatus(townId: string, beadId: string, status: BeadStatus): Promise<void> {
  await withTownSql(townId, (sql, now) => {
    const terminal = status === 'closed' || status === 'failed';
    // rowsWritten counts index writes too, so existence is checked with a read.
    if (sql.all(`SELECT 1 FROM beads WHERE bead_id = ?`, beadId).length !== 1) throw new Error(`setBeadStatus: no bead ${beadId}`);
    sql.run(`UPDATE beads SET status = ?, status_changed_at = ?, updated_at = ?, closed_at = ? WHERE bead_id = ?`, status, now, now, terminal ? now : null, beadId);
  });
}

/** Forces a convoy's state (and the status its bead mirrors), e.g. `landing` or `landed`. */
export async function setConvoyState(townId: string, convoyId: string, state: ConvoyStatus): Promise<void> {
  await withTownSql(townId, (sql, now) => {
    if (sql.all(`SELECT 1 FROM convoy_metadata WHERE bead_id = ?`, convoyId).length !== 1) throw new Error(`setConvoyState: no convoy ${convoyId}`);
    sql.run(`UPDATE convoy_metadata SET state = ?, landed_at = CASE WHEN ? = 'landed' THEN ? ELSE landed_at END WHERE bead_id = ?`, state, state, now, convoyId);
    const status = convoyBeadStatusFor(state);
    const terminal = status === 'closed' || status === 'failed';
    sql.run(`UPDATE beads SET status = ?, status_changed_at = ?, closed_at = ? WHERE bead_id = ?`, status, now, terminal ? now : null, convoyId);
  });
}

/** The ids `readyWork(sql)` returns for the town, in dispatch order. */
export async function readyIds(townId: string): Promise<string[]> {
  return withTownSql(townId, (sql) => readyWork(sql).map((b) => b.id));
}

/** Per town: the alarm time each kick left scheduled (recorded by `holdTicks`). */
const kickedAlarms = new Map<string, (number | null)[]>();

/**
 * Holds the town's reconciler still. Alarms fire on their own in workerd, and a real tick would
 * dispatch the beads a command test is reading, so the tick becomes a no-op. Each kick is still
 * the real one; right after it, in the same event (no other event can interleave between two
 * storage calls), the alarm it left is recorded, because a firing alarm clears it at any time.
 */
export async function holdTicks(townId: string): Promise<void> {
  await runInDurableObject(townObject(townId), (instance, state) => {
    const scheduler = instance.scheduler;
    const realKick = scheduler.kick.bind(scheduler);
    scheduler.tick = async () => null;
    scheduler.kick = async (activeIntervalMs: number) => {
      await realKick(activeIntervalMs);
      const alarms = kickedAlarms.get(townId) ?? [];
      alarms.push(await state.storage.getAlarm());
      kickedAlarms.set(townId, alarms);
    };
  });
}

/** The alarms left scheduled by the kicks so far (held towns only); empty when nothing kicked. */
export function kicks(townId: string): (number | null)[] {
  return kickedAlarms.get(townId) ?? [];
}

/** `fixture()` with the town's ticks held (`holdTicks`), for tests of commands and reads. */
export async function quietFixture(): Promise<Awaited<ReturnType<typeof fixture>>> {
  const f = await fixture();
  await holdTicks(f.townId);
  return f;
}
