/**
 * The reconciler's actions (`reconciler.md` §4) as a zod discriminated union: what rules and
 * event handlers return, what `apply-actions.ts` writes, what `/debug` dry runs show. SQL
 * actions compare-and-set on `from`; effect actions become intents run after commit.
 */
import { z } from 'zod';
import { AgentRole, AgentStatus, BeadStatus, EscalationCategory, Priority, Severity } from '../../protocol/common.ts';

export const Reason = z.object({ code: z.string(), message: z.string() });
export type Reason = z.infer<typeof Reason>;

const Id = z.string().min(1);

/** An edge of a bead created by `create_bead`: `out` = the new bead depends on `bead_id`. */
export const NewEdge = z.object({
  type: z.enum(['blocks', 'tracks', 'parent-child']),
  direction: z.enum(['out', 'in']),
  bead_id: Id,
});
export type NewEdge = z.infer<typeof NewEdge>;

export const NewBeadFields = z.object({
  type: z.enum(['issue', 'merge_request', 'message']),
  title: z.string(),
  body: z.string().default(''),
  rig_id: z.string().nullable(),
  priority: Priority.default('medium'),
  labels: z.array(z.string()).default([]),
  parent_bead_id: z.string().nullable().default(null),
  assignee_agent_id: z.string().nullable().default(null),
  followup_context: z.record(z.string(), z.unknown()).nullable().default(null),
  /** Merge requests: their review satellite. */
  review: z.object({ branch: z.string().nullable(), target_branch: z.string().nullable(), pr_url: z.string().nullable() }).optional(),
});
export type NewBeadFields = z.input<typeof NewBeadFields>;

export const ReviewPatch = z
  .object({
    branch: z.string().nullable(),
    target_branch: z.string().nullable(),
    pr_url: z.string().nullable(),
    merge_commit: z.string().nullable(),
    reviewed_at: z.number().nullable(),
    awaiting_approval: z.boolean(),
    awaiting_approval_since: z.number().nullable(),
    review_decision: z.string().nullable(),
    has_conflicts: z.boolean(),
    last_poll_at: z.number().nullable(),
    poll_transient_count: z.number().int(),
    poll_non_transient_count: z.number().int(),
    auto_merge_ready_since: z.number().nullable(),
    auto_merge_pending: z.boolean(),
    followup_count: z.number().int(),
    last_feedback_check_at: z.number().nullable(),
  })
  .partial();
export type ReviewPatch = z.infer<typeof ReviewPatch>;

export const ConvoyPatch = z
  .object({
    state: z.enum(['staged', 'open', 'landing', 'landed', 'failed']),
    total_beads: z.number().int(),
    closed_beads: z.number().int(),
    failed_beads: z.number().int(),
    landing_mr_attempts: z.number().int(),
    last_landing_mr_attempt_at: z.number().nullable(),
    landed_at: z.number().nullable(),
  })
  .partial();
export type ConvoyPatch = z.infer<typeof ConvoyPatch>;

export const Action = z.discriminatedUnion('type', [
  z.object({ type: z.literal('transition_bead'), bead_id: Id, from: BeadStatus, to: BeadStatus, reason: Reason }),
  z.object({ type: z.literal('transition_agent'), agent_id: Id, from: AgentStatus, to: AgentStatus, reason: Reason }),
  z.object({ type: z.literal('hook'), agent_id: Id, bead_id: Id }),
  z.object({ type: z.literal('unhook'), agent_id: Id, reason: z.string() }),
  z.object({ type: z.literal('clear_assignee'), bead_id: Id }),
  z.object({ type: z.literal('create_bead'), fields: NewBeadFields, edges: z.array(NewEdge).default([]) }),
  z.object({ type: z.literal('set_review_fields'), bead_id: Id, patch: ReviewPatch }),
  z.object({ type: z.literal('update_convoy'), convoy_id: Id, patch: ConvoyPatch }),
  z.object({
    type: z.literal('escalate'),
    category: EscalationCategory,
    severity: Severity,
    parent_bead_id: z.string().nullable(),
    title: z.string(),
    body: z.string(),
    source_agent_id: z.string().nullable().default(null),
  }),
  z.object({ type: z.literal('bump_escalation'), escalation_id: Id, severity: Severity }),
  z.object({ type: z.literal('notify_mayor'), subject: z.string(), body: z.string(), parent_bead_id: z.string().nullable().default(null) }),
  z.object({ type: z.literal('delete_agent'), agent_id: Id, reason: Reason }),
  z.object({ type: z.literal('dispatch_agent'), bead_id: Id, agent_id: z.string().nullable(), role: AgentRole }),
  z.object({ type: z.literal('stop_agent'), agent_id: Id, reason: z.string() }),
  z.object({ type: z.literal('poll_pr'), bead_id: Id }),
  z.object({ type: z.literal('git_merge'), bead_id: Id, request_id: Id }),
  z.object({ type: z.literal('merge_pr'), bead_id: Id }),
  z.object({ type: z.literal('send_nudge'), agent_id: Id, message: z.string(), tier: z.string() }),
  z.object({ type: z.literal('deliver_nudge'), nudge_id: Id, agent_id: Id }),
  z.object({ type: z.literal('deliver_mail'), agent_id: Id, message_ids: z.array(Id).min(1) }),
  /** A timeline row for a bead (dispatched, dispatch_failed, agent_exited, …). */
  z.object({ type: z.literal('bead_event'), bead_id: Id, event_type: z.string(), agent_id: z.string().nullable().default(null), data: z.record(z.string(), z.unknown()).default({}) }),
  z.object({ type: z.literal('set_followup_context'), bead_id: Id, patch: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('clear_checkpoint'), agent_id: Id }),
  z.object({ type: z.literal('mark_nudge'), nudge_id: Id, status: z.enum(['delivered', 'expired']) }),
  z.object({ type: z.literal('set_drain'), patch: z.object({ draining: z.boolean(), drain_nonce: z.string().nullable(), drain_started_at: z.number().nullable(), container_instance_id: z.string().nullable() }).partial() }),
  z.object({ type: z.literal('record_metric'), name: z.string(), data: z.record(z.string(), z.unknown()).default({}) }),
]);
export type Action = z.input<typeof Action>;
export type ParsedAction = z.output<typeof Action>;
export type ActionType = ParsedAction['type'];

/** Actions whose work is a network effect after commit (`reconciler.md` §4). */
export const EFFECT_ACTIONS: ReadonlySet<ActionType> = new Set([
  'dispatch_agent',
  'stop_agent',
  'poll_pr',
  'git_merge',
  'merge_pr',
  'send_nudge',
  'deliver_nudge',
  'deliver_mail',
]);
