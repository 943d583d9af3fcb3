/**
 * Worker routes called by agent sessions with their agent token (`http-api.md` §4.3: P =
 * `/api/towns/:townId/rigs/:rigId/agents/:agentId`) and the mayor's `gt_ui_action` (§4.4).
 * The worker validates with these; the control server (heartbeat, events) and the plugin's
 * tools build their bodies from them.
 */
import { z } from 'zod';
import { GitRef, IsoTime, IsoTimeInput, JsonObject, NudgeMode, NudgePriority, Severity, Uuid } from './common.ts';
import { Agent, Bead, BeadRef, Mail } from './api.ts';

/** A commit id: 7–64 hex chars (abbreviated SHA-1 up to full SHA-256). */
export const CommitSha = z.string().regex(/^[0-9a-fA-F]{7,64}$/, 'must be 7–64 hex chars');

/** A PR/MR URL as an agent reports it; the route refuses `http://` outside development loopback. */
export const AgentPrUrl = z.url({ protocol: /^https?$/ }).max(2048);

// ---------------------------------------------------------------- telemetry (unknown keys dropped)

/**
 * P`/heartbeat`, every 30 s per live agent. Unknown keys are dropped (not refused) so a container
 * one release ahead of the worker still works (`http-api.md` §1.1).
 */
export const Heartbeat = z.object({
  last_event_type: z.string().max(64).nullable(),
  last_event_at: IsoTimeInput.nullable(),
  active_tools: z.array(z.string()).max(50),
  container_instance_id: z.string().min(1).max(128),
});
export type Heartbeat = z.infer<typeof Heartbeat>;
/** A non-null `drain_nonce` tells the container the town is draining. */
export const HeartbeatResult = z.object({ drain_nonce: z.string().nullable() });
export type HeartbeatResult = z.infer<typeof HeartbeatResult>;

/** One session event forwarded by the container. */
export const AgentEventInput = z.object({
  type: z.string().min(1).max(64),
  data: JsonObject,
  at: IsoTimeInput,
});
export type AgentEventInput = z.infer<typeof AgentEventInput>;

/** P`/events`: 1–100 session events (unknown keys dropped; the 1 MB cap is a route limit). */
export const AgentEventsBatch = z.object({ events: z.array(AgentEventInput).min(1).max(100) });
export type AgentEventsBatch = z.infer<typeof AgentEventsBatch>;
export const AgentEventsBatchResult = z.object({
  appended: z.number().int().min(0),
  last_seq: z.number().int().min(0),
});
export type AgentEventsBatchResult = z.infer<typeof AgentEventsBatchResult>;

// ---------------------------------------------------------------- prime

/** WIP saved at a container eviction, shown to the bead's next agent. */
export const EvictionNote = z.object({
  branch: z.string(),
  commit_sha: z.string().optional(),
  note: z.string().optional(),
});

/**
 * Context a rig agent gets with prime: its last checkpoint and the hooked bead's follow-up
 * context (`domain.md` §2 `followup_context`). Each key is present only when it applies.
 */
export const PrimeContext = z.object({
  checkpoint: JsonObject.optional(),
  rework: JsonObject.optional(),
  pr_feedback: JsonObject.optional(),
  pr_conflict: JsonObject.optional(),
  conflict_files: z.array(z.string()).optional(),
  eviction: EvictionNote.optional(),
});
export type PrimeContext = z.infer<typeof PrimeContext>;

/** P`/prime` reply; the returned mail is marked delivered. */
export const PrimeResult = z.object({
  agent: Agent,
  hooked_bead: Bead.nullable(),
  mail: z.array(Mail),
  open_beads: z.array(BeadRef).max(20),
  context: PrimeContext,
});
export type PrimeResult = z.infer<typeof PrimeResult>;

// ---------------------------------------------------------------- lifecycle reports (town events)

/** P`/done` (`gt_done`), stored as an `agent_done` event; answers `{accepted: true}`. */
export const Done = z.strictObject({
  branch: GitRef,
  pr_url: AgentPrUrl.optional(),
  summary: z.string().max(4096).optional(),
  no_changes: z.boolean().optional(),
  merge_commit: CommitSha.optional(),
  bead_id: Uuid.optional(),
});
export type Done = z.infer<typeof Done>;

/** P`/completed`: the session ended (idle exit, error, eviction); an `agent_completed` event. */
export const Completed = z.strictObject({
  status: z.enum(['completed', 'failed']),
  reason: z.string().max(1024).optional(),
});
export type Completed = z.infer<typeof Completed>;

/** P`/waiting` (mayor): its turn ended; a `mayor_waiting` event. */
export const Waiting = z.strictObject({ fired_at: IsoTimeInput });
export type Waiting = z.infer<typeof Waiting>;

/** P`/eviction-context`: WIP pushed during a drain; an `eviction_context` event. */
export const EvictionContext = z.strictObject({
  branch: GitRef,
  commit_sha: CommitSha.optional(),
  note: z.string().max(2048).optional(),
});
export type EvictionContext = z.infer<typeof EvictionContext>;

// ---------------------------------------------------------------- synchronous writes

/** P`/status-message` (`gt_status`); answers the updated Agent. */
export const StatusMessage = z.strictObject({ message: z.string().min(1).max(280) });
export type StatusMessage = z.infer<typeof StatusMessage>;

/** The checkpoint size limit: 64 KB of UTF-8 JSON. */
export const CHECKPOINT_MAX_BYTES = 64 * 1024;

/** P`/checkpoint` (`gt_checkpoint`): an object of at most 64 KB as JSON. */
export const Checkpoint = z.strictObject({
  data: JsonObject.refine(
    (d) => new TextEncoder().encode(JSON.stringify(d)).length <= CHECKPOINT_MAX_BYTES,
    'checkpoint data must be at most 64 KB as JSON',
  ),
});
export type Checkpoint = z.infer<typeof Checkpoint>;
export const CheckpointResult = z.object({ saved: z.literal(true) });

/** P`/mail` (`gt_mail_send`): 201 Mail from the path agent. */
export const MailSend = z.strictObject({
  to_agent_id: Uuid,
  subject: z.string().min(1).max(200),
  body: z.string().max(32_768),
});
export type MailSend = z.infer<typeof MailSend>;

/** P`/nudges` (`gt_nudge`): 201 Nudge. */
export const NudgeCreate = z.strictObject({
  target_agent_id: Uuid,
  message: z.string().min(1).max(4096),
  mode: NudgeMode.optional(),
  priority: NudgePriority.optional(),
});
export type NudgeCreate = z.infer<typeof NudgeCreate>;

/** P`/nudge-delivered`: ack of a nudge the container prompted; idempotent. */
export const NudgeDelivered = z.strictObject({ nudge_id: Uuid });
export type NudgeDelivered = z.infer<typeof NudgeDelivered>;
export const NudgeDeliveredResult = z.object({ delivered: z.literal(true) });

/** P`/escalations` (`gt_escalate`): 201 Escalation with category `agent_request`. */
export const EscalationCreate = z.strictObject({
  title: z.string().min(1).max(200),
  body: z.string().max(65_536).optional(),
  severity: Severity.optional(),
});
export type EscalationCreate = z.infer<typeof EscalationCreate>;

/** P`/request-changes` (refinery, `gt_request_changes`): creates a `gt:rework` issue. */
export const RequestChanges = z.strictObject({
  feedback: z.string().min(1).max(16_384),
  files: z.array(z.string().min(1).max(4096)).max(100).optional(),
});
export type RequestChanges = z.infer<typeof RequestChanges>;
export const RequestChangesResult = z.object({ rework_bead: Bead });
export type RequestChangesResult = z.infer<typeof RequestChangesResult>;

// ---------------------------------------------------------------- credentials

/** P`/refresh-token` and C`/refresh-token`: a fresh 8 h token with the same claims. */
export const TokenResult = z.object({ token: z.string(), expires_at: IsoTime });
export type TokenResult = z.infer<typeof TokenResult>;

/** `…/rigs/:rigId/refresh-git-token`: a freshly resolved host token (`expires_at` null when unknown). */
export const GitTokenResult = z.object({ token: z.string(), expires_at: IsoTime.nullable() });
export type GitTokenResult = z.infer<typeof GitTokenResult>;

/** The largest kilo.db snapshot: the PUT P`/db-snapshot` body limit (`http-api.md` §6), also the container's upload cap. */
export const DB_SNAPSHOT_MAX_BYTES = 10 * 1024 * 1024;

/** P`/db-snapshot` PUT reply (the body itself is octet-stream ≤ 10 MB). */
export const DbSnapshotPutResult = z.object({
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type DbSnapshotPutResult = z.infer<typeof DbSnapshotPutResult>;

// ---------------------------------------------------------------- gt_ui_action (mayor tool)

/** Dashboard pages the mayor can navigate the user to. */
export const UiPage = z.enum(['overview', 'beads', 'agents', 'merge-queue', 'settings', 'rig']);
export type UiPage = z.infer<typeof UiPage>;

/** One `gt_ui_action` (`http-api.md` §4.4); `navigate` to `rig` needs `rig_id`. */
export const UiAction = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('open_bead'), bead_id: Uuid }),
  z.strictObject({ type: z.literal('open_convoy'), convoy_id: Uuid }),
  z.strictObject({ type: z.literal('open_agent'), agent_id: Uuid }),
  z
    .strictObject({ type: z.literal('navigate'), page: UiPage, rig_id: Uuid.optional() })
    .refine((a) => a.page !== 'rig' || a.rig_id !== undefined, {
      path: ['rig_id'],
      message: 'rig_id is required to navigate to a rig',
    }),
]);
export type UiAction = z.infer<typeof UiAction>;

/** M`/ui-action`: relayed to the town's live sockets. */
export const UiActionRequest = z.strictObject({ action: UiAction });
export type UiActionRequest = z.infer<typeof UiActionRequest>;
/** The number of open sockets the action reached. */
export const UiActionResult = z.object({ delivered: z.number().int().min(0) });
export type UiActionResult = z.infer<typeof UiActionResult>;
