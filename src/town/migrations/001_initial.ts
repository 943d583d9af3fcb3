/**
 * Migration 001: the town schema of `domain.md` §2. Applied once per TownDO by `migrate()`.
 * Applied migrations are never edited; later changes are new additive migrations.
 */
import type { SqlHandle } from '../db/sql.ts';

export const name = 'initial';

const STATEMENTS = [
  `CREATE TABLE town (
    town_id TEXT PRIMARY KEY, name TEXT NOT NULL, owner_type TEXT NOT NULL, owner_id TEXT NOT NULL,
    config TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE TABLE town_state (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE TABLE rigs (
    rig_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, git_url TEXT NOT NULL,
    default_branch TEXT NOT NULL DEFAULT 'main', config TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE TABLE beads (
    bead_id TEXT PRIMARY KEY, type TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open', title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '', rig_id TEXT, parent_bead_id TEXT, assignee_agent_bead_id TEXT,
    priority TEXT NOT NULL DEFAULT 'medium', labels TEXT NOT NULL DEFAULT '[]', metadata TEXT NOT NULL DEFAULT '{}',
    followup_context TEXT, model_override TEXT, open_blockers INTEGER NOT NULL DEFAULT 0,
    dispatch_attempts INTEGER NOT NULL DEFAULT 0,
    last_dispatch_attempt_at TEXT, created_by TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    status_changed_at TEXT NOT NULL, closed_at TEXT)`,
  `CREATE INDEX beads_type_status ON beads(type, status)`,
  `CREATE INDEX beads_rig_status ON beads(rig_id, status)`,
  `CREATE INDEX beads_assignee ON beads(assignee_agent_bead_id)`,
  `CREATE INDEX beads_parent ON beads(parent_bead_id)`,
  `CREATE INDEX beads_created ON beads(created_at, bead_id)`,
  // Ready-work candidates: open issues with no open blocker (see the triggers below), per rig in
  // dispatch order, so a dispatch pass reads its first rows and stops. The priority expression
  // must stay textually identical to the ORDER BY of beads/ready-work.ts.
  `CREATE INDEX beads_ready ON beads(type, status, open_blockers, rig_id,
     (CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END), created_at, bead_id)`,
  `CREATE TABLE bead_dependencies (
    bead_id TEXT NOT NULL, depends_on_bead_id TEXT NOT NULL, dependency_type TEXT NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (bead_id, depends_on_bead_id, dependency_type))`,
  `CREATE INDEX bead_deps_target ON bead_dependencies(depends_on_bead_id)`,
  // beads.open_blockers = how many of a bead's `blocks` dependencies are not closed. Kept by
  // triggers that recount (never increment), so no code path can forget it and it self-heals;
  // it turns the ready-work query from a per-candidate join into an index range.
  `CREATE TRIGGER deps_blocks_insert AFTER INSERT ON bead_dependencies WHEN NEW.dependency_type = 'blocks'
   BEGIN ${recount('NEW.bead_id')} END`,
  `CREATE TRIGGER deps_blocks_delete AFTER DELETE ON bead_dependencies WHEN OLD.dependency_type = 'blocks'
   BEGIN ${recount('OLD.bead_id')} END`,
  `CREATE TRIGGER beads_blocker_status AFTER UPDATE OF status ON beads
   WHEN (OLD.status = 'closed') <> (NEW.status = 'closed')
   BEGIN ${recountDependentsOf('NEW.bead_id')} END`,
  `CREATE TRIGGER beads_blocker_delete AFTER DELETE ON beads
   BEGIN ${recountDependentsOf('OLD.bead_id')} END`,
  `CREATE TABLE bead_events (
    bead_event_id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, bead_id TEXT, rig_id TEXT, agent_id TEXT,
    actor TEXT NOT NULL, event_type TEXT NOT NULL, old_value TEXT, new_value TEXT, metadata TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL)`,
  `CREATE INDEX bead_events_bead ON bead_events(bead_id, created_at)`,
  `CREATE INDEX bead_events_rig ON bead_events(rig_id, seq)`,
  `CREATE TABLE agent_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, agent_id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL)`,
  `CREATE INDEX agent_events_agent ON agent_events(agent_id, seq)`,
  `CREATE TABLE agent_metadata (
    bead_id TEXT PRIMARY KEY, role TEXT NOT NULL, name TEXT NOT NULL, identity TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'idle', current_hook_bead_id TEXT UNIQUE, current_dispatch_id TEXT,
    last_dispatch_at TEXT, working_since TEXT, last_heartbeat_at TEXT, last_event_type TEXT, last_event_at TEXT,
    active_tools TEXT NOT NULL DEFAULT '[]', checkpoint TEXT, status_message TEXT, status_message_at TEXT,
    stalled_at TEXT)`,
  `CREATE UNIQUE INDEX agent_identity_live ON agent_metadata(identity) WHERE status <> 'dead'`,
  `CREATE TABLE review_metadata (
    bead_id TEXT PRIMARY KEY, branch TEXT, target_branch TEXT, pr_url TEXT, merge_commit TEXT, reviewed_at TEXT,
    awaiting_approval INTEGER NOT NULL DEFAULT 0, awaiting_approval_since TEXT, review_decision TEXT,
    has_conflicts INTEGER NOT NULL DEFAULT 0, last_poll_at TEXT, poll_transient_count INTEGER NOT NULL DEFAULT 0,
    poll_non_transient_count INTEGER NOT NULL DEFAULT 0, auto_merge_ready_since TEXT,
    auto_merge_pending INTEGER NOT NULL DEFAULT 0, followup_count INTEGER NOT NULL DEFAULT 0,
    last_feedback_check_at TEXT)`,
  `CREATE TABLE convoy_metadata (
    bead_id TEXT PRIMARY KEY, state TEXT NOT NULL DEFAULT 'open', merge_mode TEXT NOT NULL, feature_branch TEXT,
    total_beads INTEGER NOT NULL DEFAULT 0, closed_beads INTEGER NOT NULL DEFAULT 0,
    failed_beads INTEGER NOT NULL DEFAULT 0, landing_mr_attempts INTEGER NOT NULL DEFAULT 0,
    last_landing_mr_attempt_at TEXT, started_at TEXT, landed_at TEXT)`,
  `CREATE TABLE escalation_metadata (
    bead_id TEXT PRIMARY KEY, severity TEXT NOT NULL, category TEXT NOT NULL, source_agent_id TEXT,
    occurrences INTEGER NOT NULL DEFAULT 1, acknowledged INTEGER NOT NULL DEFAULT 0, acknowledged_at TEXT,
    acknowledged_by TEXT, re_escalation_count INTEGER NOT NULL DEFAULT 0, last_escalated_at TEXT)`,
  `CREATE TABLE agent_nudges (
    nudge_id TEXT PRIMARY KEY, agent_bead_id TEXT NOT NULL, message TEXT NOT NULL,
    mode TEXT NOT NULL DEFAULT 'wait-idle', priority TEXT NOT NULL DEFAULT 'normal', source TEXT,
    status TEXT NOT NULL DEFAULT 'pending', created_at TEXT NOT NULL, expires_at TEXT NOT NULL, delivered_at TEXT)`,
  `CREATE INDEX agent_nudges_agent ON agent_nudges(agent_bead_id, status)`,
  `CREATE TABLE town_events (
    event_id TEXT PRIMARY KEY, event_type TEXT NOT NULL, agent_id TEXT, bead_id TEXT,
    payload TEXT NOT NULL DEFAULT '{}', dedupe_key TEXT, created_at TEXT NOT NULL, processed_at TEXT,
    retry_count INTEGER NOT NULL DEFAULT 0, last_error TEXT, dead_lettered_at TEXT)`,
  `CREATE INDEX town_events_pending ON town_events(created_at) WHERE processed_at IS NULL`,
  `CREATE UNIQUE INDEX town_events_dedupe ON town_events(dedupe_key) WHERE processed_at IS NULL`,
];

function openBlockersOf(beadExpr: string): string {
  return `(SELECT COUNT(*) FROM bead_dependencies d JOIN beads o ON o.bead_id = d.depends_on_bead_id
     WHERE d.bead_id = ${beadExpr} AND d.dependency_type = 'blocks' AND o.status <> 'closed')`;
}

function recount(beadExpr: string): string {
  return `UPDATE beads SET open_blockers = ${openBlockersOf(beadExpr)} WHERE bead_id = ${beadExpr};`;
}

function recountDependentsOf(blockerExpr: string): string {
  return `UPDATE beads SET open_blockers = ${openBlockersOf('beads.bead_id')}
     WHERE bead_id IN (SELECT bead_id FROM bead_dependencies WHERE depends_on_bead_id = ${blockerExpr} AND dependency_type = 'blocks');`;
}

export function up(sql: SqlHandle): void {
  for (const statement of STATEMENTS) sql.run(statement);
}
