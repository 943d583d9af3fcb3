/**
 * `SqlTownView`: the TownView over the live tables. Used inside the tick's transaction (so
 * every event sees what earlier ones changed), by `/debug` dry runs, and by unit tests over
 * `node:sqlite`. Read-only: no statement here writes.
 */
import type { BeadStatus, BeadType, ConvoyStatus, EscalationCategory } from '../../protocol/common.ts';
import { AgentRole, AgentStatus, BeadStatus as BeadStatusEnum, BeadType as BeadTypeEnum, ConvoyStatus as ConvoyStatusEnum, EscalationCategory as CategoryEnum, MergeMode, Severity } from '../../protocol/common.ts';
import type { TownConfig } from '../../protocol/config.ts';
import { RigConfig } from '../../protocol/config.ts';
import { effectiveRigConfig } from '../config/index.ts';
import { ms } from '../db/clock.ts';
import { first, num, placeholders, str, strOrNull, type SqlHandle, type SqlRow } from '../db/sql.ts';
import { parseJsonObject, parseStringArray } from '../beads/json-columns.ts';
import { READY_ROWS_FOR_RIG_SQL } from '../beads/ready-work.ts';
import { requireTown } from '../records/town-record.ts';
import type { AgentState, BeadState, ConvoyState, DrainState, EscalationState, FollowupContext, NudgeState, ReviewState, RigState, TownView } from './view.ts';

const PRIORITY_ORDER = `(CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END), created_at, bead_id`;

function time(row: SqlRow, col: string): number | null {
  return ms(strOrNull(row, col));
}

function timeReq(row: SqlRow, col: string): number {
  const t = time(row, col);
  if (t === null) throw new Error(`column ${col}: expected a time`);
  return t;
}

function rowToAgentState(row: SqlRow): AgentState {
  return {
    id: str(row, 'bead_id'),
    role: AgentRole.parse(str(row, 'role')),
    name: str(row, 'name'),
    rig_id: strOrNull(row, 'rig_id'),
    status: AgentStatus.parse(str(row, 'status')),
    hooked_bead_id: strOrNull(row, 'current_hook_bead_id'),
    current_dispatch_id: strOrNull(row, 'current_dispatch_id'),
    last_dispatch_at: time(row, 'last_dispatch_at'),
    working_since: time(row, 'working_since'),
    last_heartbeat_at: time(row, 'last_heartbeat_at'),
    last_event_at: time(row, 'last_event_at'),
    active_tools: parseStringArray(strOrNull(row, 'active_tools')),
    stalled_at: time(row, 'stalled_at'),
    created_at: timeReq(row, 'created_at'),
  };
}

function rowToBeadState(row: SqlRow): BeadState {
  const fc = strOrNull(row, 'followup_context');
  return {
    id: str(row, 'bead_id'),
    type: BeadTypeEnum.parse(str(row, 'type')),
    status: BeadStatusEnum.parse(str(row, 'status')),
    rig_id: strOrNull(row, 'rig_id'),
    title: str(row, 'title'),
    body: str(row, 'body'),
    labels: parseStringArray(strOrNull(row, 'labels')),
    priority: str(row, 'priority'),
    assignee_agent_id: strOrNull(row, 'assignee_agent_bead_id'),
    parent_bead_id: strOrNull(row, 'parent_bead_id'),
    dispatch_attempts: num(row, 'dispatch_attempts'),
    last_dispatch_attempt_at: time(row, 'last_dispatch_attempt_at'),
    status_changed_at: timeReq(row, 'status_changed_at'),
    created_at: timeReq(row, 'created_at'),
    created_by: str(row, 'created_by'),
    followup_context: fc === null ? null : (parseJsonObject(fc) as FollowupContext),
  };
}

function rowToReview(row: SqlRow): ReviewState {
  return {
    bead_id: str(row, 'bead_id'),
    branch: strOrNull(row, 'branch'),
    target_branch: strOrNull(row, 'target_branch'),
    pr_url: strOrNull(row, 'pr_url'),
    merge_commit: strOrNull(row, 'merge_commit'),
    reviewed_at: time(row, 'reviewed_at'),
    awaiting_approval: num(row, 'awaiting_approval') === 1,
    awaiting_approval_since: time(row, 'awaiting_approval_since'),
    review_decision: strOrNull(row, 'review_decision'),
    has_conflicts: num(row, 'has_conflicts') === 1,
    last_poll_at: time(row, 'last_poll_at'),
    poll_transient_count: num(row, 'poll_transient_count'),
    poll_non_transient_count: num(row, 'poll_non_transient_count'),
    auto_merge_ready_since: time(row, 'auto_merge_ready_since'),
    auto_merge_pending: num(row, 'auto_merge_pending') === 1,
    followup_count: num(row, 'followup_count'),
    last_feedback_check_at: time(row, 'last_feedback_check_at'),
  };
}

function rowToConvoy(row: SqlRow): ConvoyState {
  return {
    id: str(row, 'bead_id'),
    title: str(row, 'title'),
    state: ConvoyStatusEnum.parse(str(row, 'state')),
    merge_mode: MergeMode.parse(str(row, 'merge_mode')),
    feature_branch: strOrNull(row, 'feature_branch'),
    total_beads: num(row, 'total_beads'),
    closed_beads: num(row, 'closed_beads'),
    failed_beads: num(row, 'failed_beads'),
    landing_mr_attempts: num(row, 'landing_mr_attempts'),
    last_landing_mr_attempt_at: time(row, 'last_landing_mr_attempt_at'),
    started_at: time(row, 'started_at'),
  };
}

function rowToEscalation(row: SqlRow): EscalationState {
  return {
    id: str(row, 'bead_id'),
    category: CategoryEnum.parse(str(row, 'category')),
    severity: Severity.parse(str(row, 'severity')),
    parent_bead_id: strOrNull(row, 'parent_bead_id'),
    acknowledged: num(row, 'acknowledged') === 1,
    occurrences: num(row, 'occurrences'),
    re_escalation_count: num(row, 're_escalation_count'),
    last_escalated_at: time(row, 'last_escalated_at'),
    created_at: timeReq(row, 'created_at'),
    status: BeadStatusEnum.parse(str(row, 'status')),
  };
}

function rowToNudge(row: SqlRow): NudgeState {
  const mode = str(row, 'mode');
  return {
    id: str(row, 'nudge_id'),
    agent_id: str(row, 'agent_bead_id'),
    message: str(row, 'message'),
    mode: mode === 'immediate' || mode === 'queue' ? mode : 'wait-idle',
    priority: str(row, 'priority') === 'urgent' ? 'urgent' : 'normal',
    source: strOrNull(row, 'source'),
    status: str(row, 'status'),
    created_at: timeReq(row, 'created_at'),
    expires_at: timeReq(row, 'expires_at'),
    delivered_at: time(row, 'delivered_at'),
  };
}

const AGENT_SELECT = `SELECT a.*, b.rig_id AS rig_id, b.created_at AS created_at FROM agent_metadata a JOIN beads b ON b.bead_id = a.bead_id`;
const ESCALATION_SELECT = `SELECT e.*, b.parent_bead_id, b.created_at, b.status FROM escalation_metadata e JOIN beads b ON b.bead_id = e.bead_id`;
const CONVOY_SELECT = `SELECT c.*, b.title FROM convoy_metadata c JOIN beads b ON b.bead_id = c.bead_id`;

export class SqlTownView implements TownView {
  private townConfig: TownConfig | null = null;
  private townIdValue: string | null = null;

  /**
   * `frozen`: the caller promises no writes while this view is read (the pure `reconcile` and
   * `checkInvariants` phases), so agent and bead lists are read once and reused. The drain uses
   * a live view, where each event must see the writes of the ones before it.
   */
  constructor(
    private readonly sql: SqlHandle,
    private readonly development: boolean,
    private readonly frozen = false,
  ) {}

  private memo = new Map<string, unknown>();

  private remember<T>(key: string, read: () => T): T {
    if (!this.frozen) return read();
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = read();
    this.memo.set(key, value);
    return value;
  }

  private loadTown(): { id: string; config: TownConfig } {
    if (this.townConfig === null || this.townIdValue === null) {
      const town = requireTown(this.sql);
      this.townConfig = town.config;
      this.townIdValue = town.id;
    }
    return { id: this.townIdValue, config: this.townConfig };
  }

  townId(): string {
    return this.loadTown().id;
  }
  config(): TownConfig {
    return this.loadTown().config;
  }

  private rowToRig(row: SqlRow): RigState {
    const parsed = RigConfig.safeParse(JSON.parse(str(row, 'config')));
    const gitUrl = str(row, 'git_url');
    return {
      id: str(row, 'rig_id'),
      name: str(row, 'name'),
      git_url: gitUrl,
      default_branch: str(row, 'default_branch'),
      config: effectiveRigConfig(this.config(), parsed.success ? parsed.data : {}, gitUrl, this.development),
    };
  }

  /**
   * Rigs are read once per view: nothing the reconciler applies changes a rig, and a view lives
   * for one tick (or one debug call), so their effective config is computed once.
   */
  private rigCache: RigState[] | null = null;
  rigs(): RigState[] {
    if (this.rigCache === null) this.rigCache = this.sql.all(`SELECT * FROM rigs ORDER BY created_at, rig_id`).map((r) => this.rowToRig(r));
    return this.rigCache;
  }
  rig(rigId: string): RigState | null {
    return this.rigs().find((r) => r.id === rigId) ?? null;
  }

  agents(): AgentState[] {
    return this.remember('agents', () => this.sql.all(`${AGENT_SELECT} WHERE a.status <> 'dead' ORDER BY b.created_at, a.bead_id`).map(rowToAgentState));
  }
  agent(agentId: string): AgentState | null {
    if (this.frozen) {
      const live = this.agents().find((a) => a.id === agentId);
      if (live !== undefined) return live;
    }
    const row = first(this.sql, `${AGENT_SELECT} WHERE a.bead_id = ?`, agentId);
    return row === null ? null : rowToAgentState(row);
  }
  mayor(): AgentState | null {
    const row = first(this.sql, `${AGENT_SELECT} WHERE a.role = 'mayor' AND a.status <> 'dead' LIMIT 1`);
    return row === null ? null : rowToAgentState(row);
  }
  holderOf(beadId: string): AgentState | null {
    if (this.frozen) return this.agents().find((a) => a.hooked_bead_id === beadId) ?? null;
    const row = first(this.sql, `${AGENT_SELECT} WHERE a.current_hook_bead_id = ? AND a.status <> 'dead'`, beadId);
    return row === null ? null : rowToAgentState(row);
  }

  bead(beadId: string): BeadState | null {
    const row = first(this.sql, `SELECT * FROM beads WHERE bead_id = ?`, beadId);
    return row === null ? null : rowToBeadState(row);
  }
  beads(type: BeadType, statuses: readonly BeadStatus[]): BeadState[] {
    if (statuses.length === 0) return [];
    return this.remember(`beads:${type}:${statuses.join(',')}`, () =>
      this.sql.all(`SELECT * FROM beads WHERE type = ? AND status IN (${placeholders(statuses.length)}) ORDER BY ${PRIORITY_ORDER}`, type, ...statuses).map(rowToBeadState),
    );
  }
  assignedBeads(type: BeadType, statuses: readonly BeadStatus[]): BeadState[] {
    if (statuses.length === 0) return [];
    return this.sql
      .all(`SELECT * FROM beads WHERE assignee_agent_bead_id IS NOT NULL AND type = ? AND status IN (${placeholders(statuses.length)}) ORDER BY ${PRIORITY_ORDER}`, type, ...statuses)
      .map(rowToBeadState);
  }
  review(beadId: string): ReviewState | null {
    const row = first(this.sql, `SELECT * FROM review_metadata WHERE bead_id = ?`, beadId);
    return row === null ? null : rowToReview(row);
  }
  trackedBy(beadId: string, type?: BeadType): BeadState[] {
    const rows = this.sql.all(
      `SELECT b.* FROM bead_dependencies d JOIN beads b ON b.bead_id = d.bead_id
       WHERE d.depends_on_bead_id = ? AND d.dependency_type = 'tracks' ${type === undefined ? '' : 'AND b.type = ?'}
       ORDER BY b.created_at, b.bead_id`,
      ...(type === undefined ? [beadId] : [beadId, type]),
    );
    return rows.map(rowToBeadState);
  }
  tracks(beadId: string): BeadState[] {
    return this.sql
      .all(
        `SELECT b.* FROM bead_dependencies d JOIN beads b ON b.bead_id = d.depends_on_bead_id
         WHERE d.bead_id = ? AND d.dependency_type = 'tracks' ORDER BY b.created_at, b.bead_id`,
        beadId,
      )
      .map(rowToBeadState);
  }
  openBlockers(beadId: string): BeadState[] {
    return this.sql
      .all(
        `SELECT b.* FROM bead_dependencies d JOIN beads b ON b.bead_id = d.depends_on_bead_id
         WHERE d.bead_id = ? AND d.dependency_type = 'blocks' AND b.status <> 'closed' ORDER BY b.created_at, b.bead_id`,
        beadId,
      )
      .map(rowToBeadState);
  }
  readyBeads(rigId: string, limit: number): BeadState[] {
    return this.sql.all(READY_ROWS_FOR_RIG_SQL, rigId, limit).map(rowToBeadState);
  }
  children(beadId: string, type?: BeadType): BeadState[] {
    return this.sql
      .all(
        `SELECT * FROM beads WHERE parent_bead_id = ? ${type === undefined ? '' : 'AND type = ?'} ORDER BY created_at, bead_id`,
        ...(type === undefined ? [beadId] : [beadId, type]),
      )
      .map(rowToBeadState);
  }

  convoys(states: readonly ConvoyStatus[]): ConvoyState[] {
    if (states.length === 0) return [];
    return this.sql.all(`${CONVOY_SELECT} WHERE c.state IN (${placeholders(states.length)}) ORDER BY b.created_at, c.bead_id`, ...states).map(rowToConvoy);
  }
  convoy(convoyId: string): ConvoyState | null {
    const row = first(this.sql, `${CONVOY_SELECT} WHERE c.bead_id = ?`, convoyId);
    return row === null ? null : rowToConvoy(row);
  }
  convoyOf(beadId: string): ConvoyState | null {
    const row = first(
      this.sql,
      `${CONVOY_SELECT} WHERE c.bead_id IN (SELECT depends_on_bead_id FROM bead_dependencies WHERE bead_id = ? AND dependency_type = 'tracks') LIMIT 1`,
      beadId,
    );
    return row === null ? null : rowToConvoy(row);
  }

  openEscalations(): EscalationState[] {
    return this.sql.all(`${ESCALATION_SELECT} WHERE b.status = 'open' ORDER BY b.created_at, e.bead_id`).map(rowToEscalation);
  }
  openEscalation(category: EscalationCategory, parentBeadId: string | null): EscalationState | null {
    const row = first(
      this.sql,
      `${ESCALATION_SELECT} WHERE b.status = 'open' AND e.category = ? AND ${parentBeadId === null ? 'b.parent_bead_id IS NULL' : 'b.parent_bead_id = ?'} LIMIT 1`,
      ...(parentBeadId === null ? [category] : [category, parentBeadId]),
    );
    return row === null ? null : rowToEscalation(row);
  }
  escalationsFor(parentBeadId: string, category: EscalationCategory): EscalationState[] {
    return this.sql.all(`${ESCALATION_SELECT} WHERE b.parent_bead_id = ? AND e.category = ? ORDER BY b.created_at`, parentBeadId, category).map(rowToEscalation);
  }

  openMail(agentId: string, limit: number): BeadState[] {
    return this.sql
      .all(`SELECT * FROM beads WHERE type = 'message' AND status = 'open' AND assignee_agent_bead_id = ? ORDER BY created_at, bead_id LIMIT ?`, agentId, limit)
      .map(rowToBeadState);
  }
  agentsWithOpenMail(): string[] {
    return this.sql
      .all(`SELECT DISTINCT assignee_agent_bead_id AS id FROM beads WHERE type = 'message' AND status = 'open' AND assignee_agent_bead_id IS NOT NULL`)
      .map((r) => str(r, 'id'));
  }
  pendingNudges(mode: NudgeState['mode'] | null): NudgeState[] {
    return this.sql
      .all(
        `SELECT * FROM agent_nudges WHERE status = 'pending' ${mode === null ? '' : 'AND mode = ?'}
         ORDER BY CASE priority WHEN 'urgent' THEN 0 ELSE 1 END, created_at, nudge_id`,
        ...(mode === null ? [] : [mode]),
      )
      .map(rowToNudge);
  }
  lastReconcilerNudgeAt(agentId: string, tier: string): number | null {
    const row = first(this.sql, `SELECT MAX(created_at) AS at FROM agent_nudges WHERE agent_bead_id = ? AND source = ?`, agentId, `reconciler:${tier}`);
    return row === null ? null : time(row, 'at');
  }

  recentlyRetriedBeads(minAttempts: number, since: number): number {
    const row = first(
      this.sql,
      `SELECT COUNT(*) AS n FROM beads WHERE status NOT IN ('closed', 'failed') AND dispatch_attempts >= ? AND last_dispatch_attempt_at >= ?`,
      minAttempts,
      new Date(since).toISOString(),
    );
    return row === null ? 0 : num(row, 'n');
  }
  drain(): DrainState {
    const values = new Map(this.sql.all(`SELECT key, value FROM town_state`).map((r) => [str(r, 'key'), str(r, 'value')]));
    const read = (key: string): unknown => {
      const raw = values.get(key);
      if (raw === undefined) return null;
      try {
        return JSON.parse(raw);
      } catch (e) {
        if (e instanceof SyntaxError) return null;
        throw e;
      }
    };
    const at = read('drain_started_at');
    const nonce = read('drain_nonce');
    const instance = read('container_instance_id');
    return {
      draining: read('draining') === true,
      drain_nonce: typeof nonce === 'string' ? nonce : null,
      drain_started_at: typeof at === 'number' ? at : null,
      container_instance_id: typeof instance === 'string' ? instance : null,
    };
  }
  pendingEvents(): { count: number; oldest_created_at: number | null } {
    const row = first(this.sql, `SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM town_events WHERE processed_at IS NULL`);
    return row === null ? { count: 0, oldest_created_at: null } : { count: num(row, 'n'), oldest_created_at: time(row, 'oldest') };
  }
  closedAtMismatches(): string[] {
    return this.sql
      .all(
        `SELECT bead_id FROM beads WHERE (status IN ('closed', 'failed') AND closed_at IS NULL)
           OR (status NOT IN ('closed', 'failed') AND closed_at IS NOT NULL)`,
      )
      .map((r) => str(r, 'bead_id'));
  }
  poisonNotDeadLettered(maxAttempts: number): string[] {
    return this.sql.all(`SELECT event_id FROM town_events WHERE retry_count >= ? AND dead_lettered_at IS NULL`, maxAttempts).map((r) => str(r, 'event_id'));
  }
}
