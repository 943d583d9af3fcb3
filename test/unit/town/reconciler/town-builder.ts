/**
 * A town seeded row by row over in-memory `node:sqlite`, running the real migrations, so rule
 * and event tests build exactly the state they describe and read it through the real
 * `SqlTownView`. Times are epoch ms; every builder returns the new id.
 */
import { migrate } from '../../../../src/town/migrations/index.ts';
import { createTownRow } from '../../../../src/town/records/town-record.ts';
import { SqlTownView } from '../../../../src/town/reconciler/view-sql.ts';
import type { TownCtx } from '../../../../src/town/context.ts';
import type { SqlHandle } from '../../../../src/town/db/sql.ts';
import type { AgentRole, AgentStatus, BeadStatus, BeadType, ConvoyStatus, EscalationCategory, MergeMode, Severity } from '../../../../src/protocol/common.ts';
import type { TownConfig } from '../../../../src/protocol/config.ts';
import { nodeSql } from '../../../../bench/node-sql.ts';

export const T0 = Date.parse('2026-06-01T00:00:00.000Z');
const iso = (t: number | null | undefined): string | null => (t === null || t === undefined ? null : new Date(t).toISOString());

export interface BeadSeed {
  type?: BeadType;
  status?: BeadStatus;
  rig_id?: string | null;
  title?: string;
  labels?: string[];
  priority?: string;
  assignee_agent_id?: string | null;
  parent_bead_id?: string | null;
  dispatch_attempts?: number;
  last_dispatch_attempt_at?: number | null;
  status_changed_at?: number;
  created_at?: number;
  created_by?: string;
  followup_context?: Record<string, unknown> | null;
}

export interface AgentSeed {
  role: AgentRole;
  rig_id?: string | null;
  name?: string;
  status?: AgentStatus;
  hook?: string | null;
  current_dispatch_id?: string | null;
  last_dispatch_at?: number | null;
  working_since?: number | null;
  last_heartbeat_at?: number | null;
  last_event_at?: number | null;
  active_tools?: string[];
  stalled_at?: number | null;
  created_at?: number;
}

export class TownBuilder {
  readonly sql: SqlHandle;
  readonly townId = crypto.randomUUID();
  private seq = 0;

  constructor(config?: Partial<TownConfig>) {
    this.sql = nodeSql();
    migrate(this.sql, iso(T0) ?? '');
    createTownRow(this.sql, { id: this.townId, name: 'test town', ownerId: 'owner', now: T0 });
    if (config !== undefined) this.patchConfig(config);
  }

  /** Merges top-level config keys into the stored town config. */
  patchConfig(config: Partial<TownConfig>): this {
    const row = this.sql.all(`SELECT config FROM town`)[0];
    const current = JSON.parse(String(row?.config ?? '{}')) as Record<string, unknown>;
    this.sql.run(`UPDATE town SET config = ?`, JSON.stringify({ ...current, ...config }));
    return this;
  }

  view(development = true): SqlTownView {
    return new SqlTownView(this.sql, development);
  }

  ctx(now: number): TownCtx {
    return { sql: this.sql, now, townId: this.townId, actor: 'system', development: true, effects: [] };
  }

  rig(opts: { name?: string; git_url?: string; default_branch?: string; config?: Record<string, unknown> } = {}): string {
    const id = crypto.randomUUID();
    this.seq += 1;
    this.sql.run(
      `INSERT INTO rigs (rig_id, name, git_url, default_branch, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      id,
      opts.name ?? `rig${this.seq}`,
      opts.git_url ?? 'https://github.com/acme/app.git',
      opts.default_branch ?? 'main',
      JSON.stringify(opts.config ?? {}),
      iso(T0),
      iso(T0),
    );
    return id;
  }

  bead(seed: BeadSeed = {}): string {
    const id = crypto.randomUUID();
    this.seq += 1;
    const created = seed.created_at ?? T0 + this.seq;
    const status = seed.status ?? 'open';
    this.sql.run(
      `INSERT INTO beads (bead_id, type, status, title, body, rig_id, parent_bead_id, assignee_agent_bead_id, priority, labels, metadata,
         followup_context, dispatch_attempts, last_dispatch_attempt_at, created_by, created_at, updated_at, status_changed_at, closed_at)
       VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      seed.type ?? 'issue',
      status,
      seed.title ?? `bead ${this.seq}`,
      seed.rig_id ?? null,
      seed.parent_bead_id ?? null,
      seed.assignee_agent_id ?? null,
      seed.priority ?? 'medium',
      JSON.stringify(seed.labels ?? []),
      seed.followup_context === undefined || seed.followup_context === null ? null : JSON.stringify(seed.followup_context),
      seed.dispatch_attempts ?? 0,
      iso(seed.last_dispatch_attempt_at),
      seed.created_by ?? 'user:owner',
      iso(created),
      iso(created),
      iso(seed.status_changed_at ?? created),
      status === 'closed' || status === 'failed' ? iso(seed.status_changed_at ?? created) : null,
    );
    return id;
  }

  /** An agent bead + agent_metadata; `hook` also sets the bead's assignee. */
  agent(seed: AgentSeed): string {
    const id = this.bead({ type: 'agent', rig_id: seed.rig_id ?? null, title: seed.name ?? seed.role, created_at: seed.created_at });
    const name = seed.name ?? `${seed.role}-${this.seq}`;
    this.sql.run(
      `INSERT INTO agent_metadata (bead_id, role, name, identity, status, current_hook_bead_id, current_dispatch_id, last_dispatch_at,
         working_since, last_heartbeat_at, last_event_at, active_tools, stalled_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      seed.role,
      name,
      `${name}-${id}`,
      seed.status ?? 'idle',
      seed.hook ?? null,
      seed.current_dispatch_id ?? null,
      iso(seed.last_dispatch_at),
      iso(seed.working_since),
      iso(seed.last_heartbeat_at),
      iso(seed.last_event_at),
      JSON.stringify(seed.active_tools ?? []),
      iso(seed.stalled_at),
    );
    if (seed.hook !== undefined && seed.hook !== null) this.sql.run(`UPDATE beads SET assignee_agent_bead_id = ? WHERE bead_id = ?`, id, seed.hook);
    return id;
  }

  edge(beadId: string, dependsOn: string, type: 'blocks' | 'tracks' | 'parent-child' = 'blocks'): this {
    this.sql.run(`INSERT INTO bead_dependencies (bead_id, depends_on_bead_id, dependency_type, created_at) VALUES (?, ?, ?, ?)`, beadId, dependsOn, type, iso(T0));
    return this;
  }

  /** A merge request tracking `sourceId`, with its review row. */
  mergeRequest(seed: BeadSeed & { source?: string; branch?: string; target_branch?: string; pr_url?: string | null; review?: Record<string, number | string | null> }): string {
    const id = this.bead({ ...seed, type: 'merge_request' });
    this.sql.run(
      `INSERT INTO review_metadata (bead_id, branch, target_branch, pr_url) VALUES (?, ?, ?, ?)`,
      id,
      seed.branch ?? `gt/toast/${id.slice(0, 8)}`,
      seed.target_branch ?? 'main',
      seed.pr_url ?? null,
    );
    for (const [key, value] of Object.entries(seed.review ?? {})) {
      const stored = typeof value === 'number' && key.endsWith('_at') ? iso(value) : typeof value === 'number' && (key.endsWith('_since')) ? iso(value) : value;
      this.sql.run(`UPDATE review_metadata SET ${key} = ? WHERE bead_id = ?`, stored, id);
    }
    if (seed.source !== undefined) this.edge(id, seed.source, 'tracks');
    return id;
  }

  convoy(seed: { state?: ConvoyStatus; merge_mode?: MergeMode; title?: string; landing_mr_attempts?: number; last_landing_mr_attempt_at?: number | null; feature_branch?: string | null } = {}): string {
    const state = seed.state ?? 'open';
    const beadStatus = state === 'landing' ? 'in_progress' : state === 'landed' ? 'closed' : state === 'failed' ? 'failed' : 'open';
    const id = this.bead({ type: 'convoy', status: beadStatus, title: seed.title ?? 'convoy' });
    this.sql.run(
      `INSERT INTO convoy_metadata (bead_id, state, merge_mode, feature_branch, landing_mr_attempts, last_landing_mr_attempt_at) VALUES (?, ?, ?, ?, ?, ?)`,
      id,
      state,
      seed.merge_mode ?? 'review-then-land',
      seed.feature_branch === undefined ? `convoy/convoy/${id.slice(0, 8)}/head` : seed.feature_branch,
      seed.landing_mr_attempts ?? 0,
      iso(seed.last_landing_mr_attempt_at),
    );
    return id;
  }

  /** Adds `memberId` to a convoy and refreshes its counters. */
  member(convoyId: string, memberId: string): this {
    this.edge(memberId, convoyId, 'tracks');
    return this;
  }

  escalation(seed: { category: EscalationCategory; severity?: Severity; parent_bead_id?: string | null; acknowledged?: boolean; re_escalation_count?: number; last_escalated_at?: number | null; created_at?: number; status?: BeadStatus }): string {
    const id = this.bead({ type: 'escalation', status: seed.status ?? 'open', parent_bead_id: seed.parent_bead_id ?? null, created_at: seed.created_at, labels: ['gt:escalation'] });
    this.sql.run(
      `INSERT INTO escalation_metadata (bead_id, severity, category, acknowledged, re_escalation_count, last_escalated_at) VALUES (?, ?, ?, ?, ?, ?)`,
      id,
      seed.severity ?? 'medium',
      seed.category,
      seed.acknowledged === true ? 1 : 0,
      seed.re_escalation_count ?? 0,
      iso(seed.last_escalated_at ?? seed.created_at ?? T0),
    );
    return id;
  }

  mail(toAgentId: string, opts: { subject?: string; from?: string; created_at?: number } = {}): string {
    return this.bead({ type: 'message', assignee_agent_id: toAgentId, title: opts.subject ?? 'hello', labels: ['gt:message', `from:${opts.from ?? 'system'}`], created_at: opts.created_at });
  }

  nudge(agentId: string, opts: { mode?: 'wait-idle' | 'immediate' | 'queue'; priority?: 'normal' | 'urgent'; source?: string; created_at?: number; expires_at?: number; status?: string } = {}): string {
    const id = crypto.randomUUID();
    const created = opts.created_at ?? T0;
    this.sql.run(
      `INSERT INTO agent_nudges (nudge_id, agent_bead_id, message, mode, priority, source, status, created_at, expires_at) VALUES (?, ?, 'nudge', ?, ?, ?, ?, ?, ?)`,
      id,
      agentId,
      opts.mode ?? 'wait-idle',
      opts.priority ?? 'normal',
      opts.source ?? null,
      opts.status ?? 'pending',
      iso(created),
      iso(opts.expires_at ?? created + 3600_000),
    );
    return id;
  }

  townState(key: string, value: unknown): this {
    this.sql.run(`INSERT OR REPLACE INTO town_state (key, value, updated_at) VALUES (?, ?, ?)`, key, JSON.stringify(value), iso(T0));
    return this;
  }

  /** Recounts convoy counters from the edges (what C1 would do). */
  recount(convoyId: string): this {
    this.sql.run(
      `UPDATE convoy_metadata SET
         total_beads = (SELECT COUNT(*) FROM bead_dependencies d JOIN beads m ON m.bead_id = d.bead_id WHERE d.depends_on_bead_id = ? AND d.dependency_type = 'tracks' AND m.type = 'issue'),
         failed_beads = (SELECT COUNT(*) FROM bead_dependencies d JOIN beads m ON m.bead_id = d.bead_id WHERE d.depends_on_bead_id = ? AND d.dependency_type = 'tracks' AND m.type = 'issue' AND m.status = 'failed')
       WHERE bead_id = ?`,
      convoyId,
      convoyId,
      convoyId,
    );
    return this;
  }

  // ---------------------------------------------------------------- review/convoy/event tests (added)

  /** Sets a convoy's stored counters as they are (C1 compares them to a recount). */
  convoyCounters(convoyId: string, counts: { total: number; closed: number; failed: number }): this {
    this.sql.run(`UPDATE convoy_metadata SET total_beads = ?, closed_beads = ?, failed_beads = ? WHERE bead_id = ?`, counts.total, counts.closed, counts.failed, convoyId);
    return this;
  }

  // ---------------------------------------------------------------- tick shell tests (added)

  /** A `town_events` row as it would stand after inserts and drains (times epoch ms). */
  event(seed: {
    type?: string;
    agent_id?: string | null;
    bead_id?: string | null;
    payload?: Record<string, unknown>;
    dedupe_key?: string | null;
    created_at?: number;
    processed_at?: number | null;
    retry_count?: number;
    last_error?: string | null;
    dead_lettered_at?: number | null;
  } = {}): string {
    const id = crypto.randomUUID();
    this.sql.run(
      `INSERT INTO town_events (event_id, event_type, agent_id, bead_id, payload, dedupe_key, created_at, processed_at, retry_count, last_error, dead_lettered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      seed.type ?? 'nudge_sent',
      seed.agent_id ?? null,
      seed.bead_id ?? null,
      JSON.stringify(seed.payload ?? { nudge_id: crypto.randomUUID(), ok: false }),
      seed.dedupe_key ?? null,
      iso(seed.created_at ?? T0),
      iso(seed.processed_at),
      seed.retry_count ?? 0,
      seed.last_error ?? null,
      iso(seed.dead_lettered_at),
    );
    return id;
  }

  /** Overwrites columns of one row (`bead_id`-keyed tables); times must already be ISO text. */
  setColumns(table: 'beads' | 'agent_metadata' | 'convoy_metadata' | 'review_metadata', beadId: string, columns: Record<string, string | number | null>): this {
    const keys = Object.keys(columns);
    this.sql.run(`UPDATE ${table} SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE bead_id = ?`, ...keys.map((k) => columns[k] ?? null), beadId);
    return this;
  }
}
