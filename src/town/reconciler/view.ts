/**
 * `TownView`: the read-only picture of a town the pure reconciler works on (`reconciler.md`).
 * One implementation, `SqlTownView` (view-sql.ts), reads the live tables inside the tick's
 * transaction, so each event sees the effects of the ones applied before it. Unit tests run the
 * same implementation over an in-memory `node:sqlite` database seeded by a builder.
 * Times are epoch ms (null when unset).
 */
import type { AgentRole, AgentStatus, BeadStatus, BeadType, ConvoyStatus, EscalationCategory, MergeMode, Severity } from '../../protocol/common.ts';
import type { TownConfig } from '../../protocol/config.ts';
import type { EffectiveRigConfig } from '../config/index.ts';

export interface AgentState {
  id: string;
  role: AgentRole;
  name: string;
  rig_id: string | null;
  status: AgentStatus;
  hooked_bead_id: string | null;
  current_dispatch_id: string | null;
  last_dispatch_at: number | null;
  working_since: number | null;
  last_heartbeat_at: number | null;
  last_event_at: number | null;
  active_tools: string[];
  stalled_at: number | null;
  created_at: number;
}

export interface FollowupContext {
  pr_url?: string | null;
  branch?: string;
  target_branch?: string;
  conflict_files?: string[];
  eviction?: { branch: string; commit_sha?: string; note?: string };
}

export interface BeadState {
  id: string;
  type: BeadType;
  status: BeadStatus;
  rig_id: string | null;
  title: string;
  body: string;
  labels: string[];
  priority: string;
  assignee_agent_id: string | null;
  parent_bead_id: string | null;
  dispatch_attempts: number;
  last_dispatch_attempt_at: number | null;
  status_changed_at: number;
  created_at: number;
  created_by: string;
  followup_context: FollowupContext | null;
}

export interface ReviewState {
  bead_id: string;
  branch: string | null;
  target_branch: string | null;
  pr_url: string | null;
  merge_commit: string | null;
  reviewed_at: number | null;
  awaiting_approval: boolean;
  awaiting_approval_since: number | null;
  review_decision: string | null;
  has_conflicts: boolean;
  last_poll_at: number | null;
  poll_transient_count: number;
  poll_non_transient_count: number;
  auto_merge_ready_since: number | null;
  auto_merge_pending: boolean;
  followup_count: number;
  last_feedback_check_at: number | null;
}

export interface ConvoyState {
  id: string;
  title: string;
  state: ConvoyStatus;
  merge_mode: MergeMode;
  feature_branch: string | null;
  total_beads: number;
  closed_beads: number;
  failed_beads: number;
  landing_mr_attempts: number;
  last_landing_mr_attempt_at: number | null;
  started_at: number | null;
}

export interface EscalationState {
  id: string;
  category: EscalationCategory;
  severity: Severity;
  parent_bead_id: string | null;
  acknowledged: boolean;
  occurrences: number;
  re_escalation_count: number;
  last_escalated_at: number | null;
  created_at: number;
  status: BeadStatus;
}

export interface NudgeState {
  id: string;
  agent_id: string;
  message: string;
  mode: 'wait-idle' | 'immediate' | 'queue';
  priority: 'normal' | 'urgent';
  source: string | null;
  status: string;
  created_at: number;
  expires_at: number;
  delivered_at: number | null;
}

export interface RigState {
  id: string;
  name: string;
  git_url: string;
  default_branch: string;
  config: EffectiveRigConfig;
}

/** Container drain bookkeeping (`container.md` §11, `town_state`). */
export interface DrainState {
  draining: boolean;
  drain_nonce: string | null;
  drain_started_at: number | null;
  container_instance_id: string | null;
}

/** Read-only queries the rules and event handlers use. */
export interface TownView {
  townId(): string;
  config(): TownConfig;
  rigs(): RigState[];
  rig(rigId: string): RigState | null;

  /** Every non-dead agent, oldest first. */
  agents(): AgentState[];
  /** An agent by id, dead ones included. */
  agent(agentId: string): AgentState | null;
  mayor(): AgentState | null;
  /** The non-dead agent whose hook holds `beadId`. */
  holderOf(beadId: string): AgentState | null;

  bead(beadId: string): BeadState | null;
  /** Beads of a type in the given statuses, in (priority, created_at, id) order. */
  beads(type: BeadType, statuses: readonly BeadStatus[]): BeadState[];
  /** As `beads`, only those with an assignee (B5 reads just these). */
  assignedBeads(type: BeadType, statuses: readonly BeadStatus[]): BeadState[];
  review(beadId: string): ReviewState | null;
  /** Beads that `tracks`-depend on `beadId` (an issue's MRs, a convoy's members), optionally of one type. */
  trackedBy(beadId: string, type?: BeadType): BeadState[];
  /** The beads `beadId` `tracks` (an MR's source issue, an issue's convoy). */
  tracks(beadId: string): BeadState[];
  /** `blocks` dependencies of `beadId` that are not closed. */
  openBlockers(beadId: string): BeadState[];
  /** The first `limit` ready beads of a rig, in dispatch order (`domain.md` §4). */
  readyBeads(rigId: string, limit: number): BeadState[];
  /** Beads whose `parent_bead_id` is `beadId` (follow-ups of an MR, escalations of a subject). */
  children(beadId: string, type?: BeadType): BeadState[];

  convoys(states: readonly ConvoyStatus[]): ConvoyState[];
  convoy(convoyId: string): ConvoyState | null;
  /** The convoy an issue belongs to, if any. */
  convoyOf(beadId: string): ConvoyState | null;

  /** Open (unacknowledged or not) escalation beads. */
  openEscalations(): EscalationState[];
  openEscalation(category: EscalationCategory, parentBeadId: string | null): EscalationState | null;
  /** The escalations ever raised for `parentBeadId` in `category` (open or closed). */
  escalationsFor(parentBeadId: string, category: EscalationCategory): EscalationState[];

  /** Open mail beads addressed to `agentId`, oldest first. */
  openMail(agentId: string, limit: number): BeadState[];
  /** Agents with open mail addressed to them. */
  agentsWithOpenMail(): string[];
  pendingNudges(mode: NudgeState['mode'] | null): NudgeState[];
  /** When the reconciler last nudged `agentId` with `tier` (`reconciler:<tier>`), or null. */
  lastReconcilerNudgeAt(agentId: string, tier: string): number | null;

  /** Non-terminal beads with ≥ `minAttempts` dispatches, the last within `sinceMs` (B0). */
  recentlyRetriedBeads(minAttempts: number, since: number): number;
  drain(): DrainState;
  /** Pending (unprocessed) town events and the age of the oldest. */
  pendingEvents(): { count: number; oldest_created_at: number | null };
  /** Beads whose `closed_at` disagrees with their status (I8). */
  closedAtMismatches(): string[];
  /** Events with `retry_count ≥ maxAttempts` that are not dead-lettered (I9). */
  poisonNotDeadLettered(maxAttempts: number): string[];
}
