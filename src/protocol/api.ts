/**
 * The user-facing API contract (`http-api.md` §3, §4.1, §4.2): entity shapes returned by the
 * worker and the request bodies and queries it accepts. The dashboard imports these, the
 * worker validates with them (`@hono/zod-validator`), and the mayor-tool routes reuse them.
 */
import { z } from 'zod';
import {
  AgentRole,
  AgentStatus,
  BeadStatus,
  BeadType,
  ConvoyStatus,
  csvEnum,
  EscalationCategory,
  GitRef,
  IsoTime,
  JsonObject,
  MergeMode,
  NudgeMode,
  NudgePriority,
  PageQuery,
  Priority,
  Severity,
  UserLabel,
  Uuid,
} from './common.ts';
import { RigConfig, RigConfigPatch } from './config.ts';

// ---------------------------------------------------------------- entities (responses)

export const Town = z.object({
  id: z.string(),
  name: z.string(),
  owner_type: z.enum(['user', 'org']),
  owner_id: z.string(),
  created_at: IsoTime,
  updated_at: IsoTime,
});
export type Town = z.infer<typeof Town>;

export const TownSummary = z.object({
  rigs: z.number().int(),
  beads: z.record(BeadStatus, z.number().int()),
  agents: z.record(AgentStatus, z.number().int()),
  draining: z.boolean(),
  mayor_agent_id: z.string().nullable(),
});
export const TownDetail = Town.extend({ summary: TownSummary });
export type TownDetail = z.infer<typeof TownDetail>;

export const Rig = z.object({
  id: z.string(),
  town_id: z.string(),
  name: z.string(),
  git_url: z.string(),
  default_branch: z.string(),
  config: RigConfig,
  created_at: IsoTime,
  updated_at: IsoTime,
});
export type Rig = z.infer<typeof Rig>;

export const ReviewInfo = z.object({
  source_bead_id: z.string().nullable(),
  branch: z.string().nullable(),
  target_branch: z.string().nullable(),
  pr_url: z.string().nullable(),
  awaiting_approval: z.boolean(),
  review_decision: z.string().nullable(),
});

export const Bead = z.object({
  id: z.string(),
  type: BeadType,
  status: BeadStatus,
  rig_id: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  priority: Priority,
  labels: z.array(z.string()),
  held: z.boolean(),
  assignee_agent_id: z.string().nullable(),
  parent_bead_id: z.string().nullable(),
  convoy_id: z.string().nullable(),
  dispatch_attempts: z.number().int(),
  review: ReviewInfo.nullable(),
  metadata: JsonObject,
  created_by: z.string(),
  created_at: IsoTime,
  updated_at: IsoTime,
  closed_at: IsoTime.nullable(),
});
export type Bead = z.infer<typeof Bead>;

export const BeadRef = z.object({ id: z.string(), type: BeadType, status: BeadStatus, title: z.string() });
export type BeadRef = z.infer<typeof BeadRef>;

export const Agent = z.object({
  id: z.string(),
  rig_id: z.string().nullable(),
  role: AgentRole,
  name: z.string(),
  status: AgentStatus,
  hooked_bead_id: z.string().nullable(),
  status_message: z.string().nullable(),
  status_message_at: IsoTime.nullable(),
  last_heartbeat_at: IsoTime.nullable(),
  last_event_type: z.string().nullable(),
  last_event_at: IsoTime.nullable(),
  active_tools: z.array(z.string()),
  created_at: IsoTime,
});
export type Agent = z.infer<typeof Agent>;
export const AgentDetail = Agent.extend({ hooked_bead: BeadRef.nullable() });
export type AgentDetail = z.infer<typeof AgentDetail>;

export const RigDetail = Rig.extend({
  agents: z.array(Agent),
  beads: z.record(BeadStatus, z.number().int()),
});
export type RigDetail = z.infer<typeof RigDetail>;

export const ConvoyProgress = z.object({
  total: z.number().int(),
  closed: z.number().int(),
  failed: z.number().int(),
  active: z.number().int(),
});
export const Convoy = z.object({
  id: z.string(),
  title: z.string(),
  status: ConvoyStatus,
  merge_mode: MergeMode,
  feature_branch: z.string().nullable(),
  rig_ids: z.array(z.string()),
  progress: ConvoyProgress,
  created_by: z.string(),
  created_at: IsoTime,
  landed_at: IsoTime.nullable(),
});
export type Convoy = z.infer<typeof Convoy>;
export const ConvoyMember = BeadRef.extend({ assignee_name: z.string().nullable() });
export const ConvoyDetail = Convoy.extend({
  beads: z.array(ConvoyMember),
  edges: z.array(z.object({ bead_id: z.string(), depends_on_bead_id: z.string() })),
});
export type ConvoyDetail = z.infer<typeof ConvoyDetail>;

export const Mail = z.object({
  id: z.string(),
  from_agent_id: z.string().nullable(),
  to_agent_id: z.string().nullable(),
  subject: z.string(),
  body: z.string(),
  delivered_at: IsoTime.nullable(),
  created_at: IsoTime,
});
export type Mail = z.infer<typeof Mail>;

export const Nudge = z.object({
  id: z.string(),
  from: z.string().nullable(),
  message: z.string(),
  mode: NudgeMode,
  priority: NudgePriority,
  created_at: IsoTime,
  expires_at: IsoTime,
});
export type Nudge = z.infer<typeof Nudge>;

export const Escalation = z.object({
  id: z.string(),
  severity: Severity,
  category: EscalationCategory,
  title: z.string(),
  body: z.string(),
  source_agent_id: z.string().nullable(),
  bead_id: z.string().nullable(),
  convoy_id: z.string().nullable(),
  acknowledged: z.boolean(),
  acknowledged_at: IsoTime.nullable(),
  re_escalations: z.number().int(),
  created_at: IsoTime,
});
export type Escalation = z.infer<typeof Escalation>;

export const ActivityEvent = z.object({
  seq: z.number().int(),
  type: z.string(),
  rig_id: z.string().nullable(),
  bead_id: z.string().nullable(),
  agent_id: z.string().nullable(),
  actor: z.string(),
  data: JsonObject,
  created_at: IsoTime,
});
export type ActivityEvent = z.infer<typeof ActivityEvent>;

export const AgentEvent = z.object({ seq: z.number().int(), type: z.string(), data: JsonObject, created_at: IsoTime });
export type AgentEvent = z.infer<typeof AgentEvent>;

export const InboxEvent = z.object({
  id: z.string(),
  type: z.string(),
  agent_id: z.string().nullable(),
  bead_id: z.string().nullable(),
  payload: JsonObject,
  retry_count: z.number().int(),
  last_error: z.string().nullable(),
  created_at: IsoTime,
  processed_at: IsoTime.nullable(),
  dead_lettered_at: IsoTime.nullable(),
});
export type InboxEvent = z.infer<typeof InboxEvent>;

export const MergeItem = z.object({
  bead: Bead,
  source: BeadRef.nullable(),
  agent_id: z.string().nullable(),
  stale_since: IsoTime.nullable(),
  failure_reason: z.string().nullable(),
});
export type MergeItem = z.infer<typeof MergeItem>;
export const MergeQueue = z.object({
  pending: z.array(MergeItem),
  needs_attention: z.array(MergeItem),
  recent: z.array(ActivityEvent),
});
export type MergeQueue = z.infer<typeof MergeQueue>;

export const MayorStatus = z.object({
  agent_id: z.string().nullable(),
  status: AgentStatus.nullable(),
  session: z.enum(['none', 'starting', 'running']),
  model: z.string(),
  small_model: z.string(),
  status_message: z.string().nullable(),
  last_activity_at: IsoTime.nullable(),
});
export type MayorStatus = z.infer<typeof MayorStatus>;

export const BeadWithRelations = z.object({
  bead: Bead,
  blocked_by: z.array(BeadRef),
  blocks: z.array(BeadRef),
  recent_activity: z.array(ActivityEvent),
});
export type BeadWithRelations = z.infer<typeof BeadWithRelations>;

export const Health = z.object({ status: z.literal('ok'), environment: z.string(), version: z.string() });

// ---------------------------------------------------------------- requests

export const DevTokenRequest = z
  .object({
    user_id: z.string().min(1).max(128).optional(),
    admin: z.boolean().optional(),
    ttl_seconds: z.number().int().min(60).max(2_592_000).optional(),
  })
  .strict();
export const DevTokenResponse = z.object({
  token: z.string(),
  user_id: z.string(),
  admin: z.boolean(),
  expires_at: IsoTime,
});

export const TownCreate = z
  .object({ name: z.string().trim().min(1).max(64) })
  .strict();
export type TownCreate = z.infer<typeof TownCreate>;

export const RigName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'must be 1–64 chars of [A-Za-z0-9._-]');
export const BranchName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\s~^:?*[\\]+$/, 'must be a valid branch name')
  .refine((s) => !s.startsWith('-') && !s.includes('..') && !s.includes('@{') && !s.endsWith('/') && !s.endsWith('.lock'), 'must be a valid branch name');

export const RigCreate = z
  .object({
    name: RigName,
    git_url: z.string().min(1).max(2048),
    default_branch: BranchName.optional(),
    config: RigConfig.optional(),
  })
  .strict();
export type RigCreate = z.infer<typeof RigCreate>;

export const RigPatch = z
  .object({
    name: RigName.optional(),
    default_branch: BranchName.optional(),
    config: RigConfigPatch.optional(),
  })
  .strict();
export type RigPatch = z.infer<typeof RigPatch>;

const Labels = z.array(UserLabel).max(20);
const Metadata = JsonObject.refine((m) => JSON.stringify(m).length <= 16 * 1024, 'metadata must be at most 16 KB');

export const BeadCreate = z
  .object({
    rig_id: Uuid,
    title: z.string().min(1).max(200),
    body: z.string().max(65_536).optional(),
    priority: Priority.optional(),
    labels: Labels.optional(),
    held: z.boolean().optional(),
    parent_bead_id: Uuid.optional(),
    depends_on: z.array(Uuid).max(50).optional(),
    metadata: Metadata.optional(),
  })
  .strict();
export type BeadCreate = z.infer<typeof BeadCreate>;

export const BeadPatch = z
  .object({
    title: z.string().min(1).max(200).optional(),
    body: z.string().max(65_536).optional(),
    priority: Priority.optional(),
    labels: Labels.optional(),
    held: z.boolean().optional(),
    status: BeadStatus.optional(),
    depends_on: z.array(Uuid).max(50).optional(),
    metadata: Metadata.optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'at least one field is required');
export type BeadPatch = z.infer<typeof BeadPatch>;

export const BeadListQuery = PageQuery.extend({
  status: csvEnum(BeadStatus).optional(),
  type: csvEnum(BeadType).optional(),
  rig_id: Uuid.optional(),
  assignee_agent_id: Uuid.optional(),
  label: z.string().min(1).max(64).optional(),
});
export type BeadListQuery = z.infer<typeof BeadListQuery>;

export const BeadReassign = z.object({ agent_id: Uuid }).strict();
export const BulkDelete = z.object({ bead_ids: z.array(Uuid).min(1).max(500) }).strict();

export const PrFixup = z
  .object({ pr_url: z.string().url().max(2048), branch: GitRef, target_branch: GitRef })
  .strict();
export const Sling = z
  .object({
    rig_id: Uuid,
    title: z.string().min(1).max(200),
    body: z.string().max(65_536).optional(),
    priority: Priority.optional(),
    labels: Labels.optional(),
    model: z.string().min(1).max(200).optional(),
    pr_fixup: PrFixup.optional(),
  })
  .strict();
export type Sling = z.infer<typeof Sling>;

export const SlingTask = z
  .object({
    title: z.string().min(1).max(200),
    body: z.string().max(65_536).optional(),
    priority: Priority.optional(),
    labels: Labels.optional(),
    depends_on: z.array(z.number().int()).max(50).optional(),
  })
  .strict();
export const SlingBatch = z
  .object({
    rig_id: Uuid,
    title: z.string().min(1).max(200),
    tasks: z.array(SlingTask).min(1).max(50),
    merge_mode: MergeMode.optional(),
    staged: z.boolean().optional(),
    parallel: z.boolean().optional(),
    metadata: Metadata.optional(),
  })
  .strict()
  .superRefine((batch, ctx) => {
    // Index range and self-reference are shape errors (400); cycles and missing ordering are 422.
    batch.tasks.forEach((task, i) => {
      (task.depends_on ?? []).forEach((dep, j) => {
        if (dep < 0 || dep >= batch.tasks.length) {
          ctx.addIssue({ code: 'custom', path: ['tasks', i, 'depends_on', j], message: `index ${dep} is outside 0..${batch.tasks.length - 1}` });
        } else if (dep === i) {
          ctx.addIssue({ code: 'custom', path: ['tasks', i, 'depends_on', j], message: 'a task cannot depend on itself' });
        }
      });
    });
  });
export type SlingBatch = z.infer<typeof SlingBatch>;

export const ConvoyPatch = z
  .object({ title: z.string().min(1).max(200).optional(), merge_mode: MergeMode.optional() })
  .strict();
export const ConvoyAddBead = z.object({ bead_id: Uuid, depends_on: z.array(Uuid).max(50).optional() }).strict();
export const ConvoyListQuery = PageQuery.extend({ status: csvEnum(ConvoyStatus).optional() });

export const AgentListQuery = PageQuery.extend({
  rig_id: Uuid.optional(),
  role: csvEnum(AgentRole).optional(),
  status: csvEnum(AgentStatus).optional(),
});
export type AgentListQuery = z.infer<typeof AgentListQuery>;

export const MailListQuery = PageQuery.extend({ agent_id: Uuid.optional() });
const BoolQuery = z.enum(['true', 'false']).transform((s) => s === 'true');
export const EscalationListQuery = PageQuery.extend({
  acknowledged: BoolQuery.optional(),
  severity: csvEnum(Severity).optional(),
});
export const ActivityQuery = PageQuery.extend({
  rig_id: Uuid.optional(),
  bead_id: Uuid.optional(),
  agent_id: Uuid.optional(),
  type: z.string().min(1).max(200).optional(),
});
export type ActivityQuery = z.infer<typeof ActivityQuery>;
export const MergeQueueQuery = z.object({ rig_id: Uuid.optional() });

export const MayorMessage = z
  .object({ message: z.string().min(1).max(32_768), ui_context: z.string().max(10_240).optional() })
  .strict();
export const MayorMessageResult = z.object({ delivery: z.enum(['sent', 'starting']) });
export const ContainerRestart = z.object({ mode: z.enum(['graceful', 'hard']).optional() }).strict();
export const LiveTicket = z.object({ ticket: z.string(), expires_at: IsoTime, url: z.string() });
