/**
 * The control protocol (`container.md` §2): bodies and replies of the control server's routes,
 * which only the worker calls (TownContainerDO, with `X-Gastown-Control-Secret`). The worker builds
 * requests with these schemas; the control server validates them; the registry it stores reuses them.
 */
import { z } from 'zod';
import { AgentRole, GitRef, IsoTime, JsonObject, Uuid } from './common.ts';
import { ConfigUrl, ProviderConfig } from './config.ts';

/** Header carrying the HMAC control secret on every worker → control-server request (`http-api.md` §2 rule 6). */
export const CONTROL_SECRET_HEADER = 'X-Gastown-Control-Secret';

/**
 * An id the container may use as a path segment (`container.md` §9.2): a UUID, or 1–128 chars of
 * `[A-Za-z0-9._-]` other than `.` and `..`. Used for merge `request_id`s.
 */
export const RequestId = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be 1–128 chars of [A-Za-z0-9._-]')
  .refine((s) => s !== '.' && s !== '..', 'must not be . or ..');

/**
 * Town configuration as the container needs it (`domain.md` §8 names), serialised by one worker
 * function for every request. It replaces the control server's live config only if `version` is ≥
 * the current one. Secrets travel in clear here: this body never leaves worker → container.
 */
export const ContainerConfig = z.strictObject({
  version: z.number().int().min(0),
  town_id: Uuid,
  api_url: z.url(),
  kilo_api_url: z.url().optional(),
  provider: ProviderConfig.nullable(),
  git_auth: z.strictObject({
    github_token: z.string().min(1).optional(),
    gitlab_token: z.string().min(1).optional(),
    gitlab_instance_url: ConfigUrl.optional(),
  }),
  github_cli_pat: z.string().min(1).optional(),
  git_author_name: z.string().min(1).max(100).optional(),
  git_author_email: z.string().min(1).max(254).optional(),
  disable_ai_coauthor: z.boolean(),
  // Reserved names are dropped by the container with the name logged (`container.md` §6), so
  // they must pass here; the config API is where they are refused.
  env_vars: z.record(z.string(), z.string().max(4096)),
});
export type ContainerConfig = z.infer<typeof ContainerConfig>;

/** Git hosting of a rig as the agent env exposes it (`GASTOWN_SCM_*`); known hosts only (`scm.md` §1). */
export const RigScm = z.strictObject({
  provider: z.enum(['github', 'gitlab']),
  api_url: z.url(),
  repo: z.string().min(1).max(1024),
});
export type RigScm = z.infer<typeof RigScm>;

/** What a rig agent checks out: the rig's repo and the branch the worker named (`domain.md` §6.2). */
export const RigCheckout = z.strictObject({
  git_url: z.string().min(1).max(2048),
  default_branch: GitRef,
  branch: GitRef,
  base_branch: GitRef.optional(),
  scm: RigScm.optional(),
  git_push_flags: z.array(z.string().min(1).max(64)).max(32).optional(),
});
export type RigCheckout = z.infer<typeof RigCheckout>;

/** One rig the mayor can browse (read-only worktrees). */
export const MayorRig = z.strictObject({
  rig_id: Uuid,
  name: z.string().min(1).max(64),
  git_url: z.string().min(1).max(2048),
  default_branch: GitRef,
});
export type MayorRig = z.infer<typeof MayorRig>;

/** The largest dashboard context accepted (`ui_context` / `/dashboard-context`), in chars. */
export const DASHBOARD_CONTEXT_MAX = 10_240;

/**
 * `POST /agents/start`. `rig_id` is the town id for the mayor. Rig roles (polecat, refinery)
 * must carry `prompt` and `rig`; the mayor's `dashboard_context` is stored before its first prompt.
 */
export const StartAgentRequest = z
  .strictObject({
    dispatch_id: Uuid,
    agent_id: Uuid,
    town_id: Uuid,
    rig_id: Uuid,
    role: AgentRole,
    name: z.string().min(1).max(128),
    prompt: z.string().min(1).optional(),
    system_prompt: z.string().optional(),
    model: z.string().min(1).max(200),
    small_model: z.string().min(1).max(200),
    agent_token: z.string().min(1),
    rig: RigCheckout.optional(),
    rigs: z.array(MayorRig).optional(),
    dashboard_context: z.string().max(DASHBOARD_CONTEXT_MAX).optional(),
    config: ContainerConfig,
  })
  .superRefine((req, ctx) => {
    if (req.role === 'mayor') return;
    if (req.prompt === undefined) {
      ctx.addIssue({ code: 'custom', path: ['prompt'], message: `prompt is required for a ${req.role}` });
    }
    if (req.rig === undefined) {
      ctx.addIssue({ code: 'custom', path: ['rig'], message: `rig is required for a ${req.role}` });
    }
  });
export type StartAgentRequest = z.infer<typeof StartAgentRequest>;

/** Lifecycle of an agent record in the control server (`container.md` §5). */
export const ContainerAgentStatus = z.enum(['starting', 'running', 'stopping', 'exited', 'failed']);
export type ContainerAgentStatus = z.infer<typeof ContainerAgentStatus>;

/** The control server's view of one agent; never tokens or env. */
export const AgentView = z.object({
  agent_id: z.string(),
  role: AgentRole,
  rig_id: z.string(),
  dispatch_id: z.string(),
  status: ContainerAgentStatus,
  busy: z.boolean(),
  session_id: z.string().nullable(),
  started_at: IsoTime,
  last_activity_at: IsoTime.nullable(),
  last_event_type: z.string().nullable(),
  last_event_at: IsoTime.nullable(),
  active_tools: z.array(z.string()),
  message_count: z.number().int().min(0),
  exit_reason: z.string().nullable(),
  last_error: z.string().nullable(),
  server_up: z.boolean(),
});
export type AgentView = z.infer<typeof AgentView>;

/** `POST /agents/start` reply: 201 AgentView, or 200 with `duplicate: true` for a repeated `dispatch_id`. */
export const StartAgentResult = AgentView.extend({ duplicate: z.literal(true).optional() });
export type StartAgentResult = z.infer<typeof StartAgentResult>;

/** The start sequence's phases (`container.md` §5.2), named in `start_failed` details and telemetry. */
export const StartPhase = z.enum([
  'workspace',
  'git',
  'db_hydrated',
  'sdk_ready',
  'tools_check',
  'session_created',
  'prompt_sent',
]);
export type StartPhase = z.infer<typeof StartPhase>;

/**
 * `details` of a 500 `start_failed`. Known `error_type`s: `plugin_tools_missing`,
 * `no_provider_key`, `rate_limited` (with `action`); `status` is an upstream HTTP status.
 */
export const StartFailedDetails = z.object({
  phase: StartPhase,
  status: z.number().int().optional(),
  error_type: z.string().min(1).max(64).optional(),
  action: z.string().optional(),
});
export type StartFailedDetails = z.infer<typeof StartFailedDetails>;

/** `POST /agents/:id/stop`. */
export const StopAgentRequest = z.strictObject({ reason: z.string().min(1).max(1024).optional() });
export type StopAgentRequest = z.infer<typeof StopAgentRequest>;
export const StopAgentResult = z.object({ stopped: z.boolean(), status: ContainerAgentStatus });
export type StopAgentResult = z.infer<typeof StopAgentResult>;

/** `POST /agents/:id/message`: prompt now when idle, else queue (FIFO, ≤ 50). */
export const MessageRequest = z.strictObject({ text: z.string().min(1) });
export type MessageRequest = z.infer<typeof MessageRequest>;
/** `queued` is true when the session was busy and the text waits for its next idle. */
export const MessageResult = z.object({ sent: z.literal(true), queued: z.boolean() });
export type MessageResult = z.infer<typeof MessageResult>;

/** `GET /agents/:id/events?after=N`: events with a process-wide id above `after`. */
export const AgentEventsQuery = z.object({ after: z.coerce.number().int().min(0).optional() });
export type AgentEventsQuery = z.infer<typeof AgentEventsQuery>;
export const ContainerAgentEvents = z.object({
  events: z.array(
    z.object({ id: z.number().int().min(0), type: z.string(), at: IsoTime, data: JsonObject }),
  ),
});
export type ContainerAgentEvents = z.infer<typeof ContainerAgentEvents>;

/** `PATCH /agents/:id/model` (`container.md` §5.5). */
export const ModelPatch = z.strictObject({
  model: z.string().min(1).max(200),
  small_model: z.string().min(1).max(200).optional(),
  config: ContainerConfig.optional(),
});
export type ModelPatch = z.infer<typeof ModelPatch>;
/** 200 `{updated}` (false when the config is unchanged), or 202 `{deferred: true}` while busy. */
export const ModelPatchResult = z.union([
  z.object({ updated: z.boolean() }),
  z.object({ deferred: z.literal(true) }),
]);
export type ModelPatchResult = z.infer<typeof ModelPatchResult>;

/** `PUT /agents/:id/system-prompt` (mayor only): rewrites its `AGENTS.md`. */
export const SystemPromptPut = z.strictObject({ system_prompt: z.string() });
export type SystemPromptPut = z.infer<typeof SystemPromptPut>;
export const SystemPromptPutResult = z.object({ updated: z.literal(true) });

/** `POST /refresh-token`: a fresh container token pushed by the worker. */
export const RefreshTokenPush = z.strictObject({ token: z.string().min(1) });
export type RefreshTokenPush = z.infer<typeof RefreshTokenPush>;
export const RefreshTokenPushResult = z.object({ refreshed: z.literal(true) });

/** `POST /sync-config`. `restarts_scheduled` counts agents restarted at their next idle. */
export const SyncConfig = z.strictObject({ config: ContainerConfig });
export type SyncConfig = z.infer<typeof SyncConfig>;
export const SyncConfigResult = z.object({
  applied: z.boolean(),
  version: z.number().int().min(0),
  restarts_scheduled: z.number().int().min(0),
});
export type SyncConfigResult = z.infer<typeof SyncConfigResult>;

/** `POST /dashboard-context`: the mayor's view of the dashboard (untrusted text). */
export const DashboardContext = z.strictObject({ context: z.string().max(DASHBOARD_CONTEXT_MAX) });
export type DashboardContext = z.infer<typeof DashboardContext>;
export const DashboardContextResult = z.object({ stored: z.literal(true) });

/** `POST /repos/setup` (202 `{accepted: true}`): clone or fetch a rig in the background. */
export const ReposSetup = z.strictObject({
  rig_id: Uuid,
  git_url: z.string().min(1).max(2048),
  default_branch: GitRef,
  config: ContainerConfig,
});
export type ReposSetup = z.infer<typeof ReposSetup>;

/** `POST /git/merge` (202 `{accepted: true}`): the deterministic merge of §9.4, idempotent per `request_id`. */
export const GitMerge = z.strictObject({
  request_id: RequestId,
  rig_id: Uuid,
  git_url: z.string().min(1).max(2048),
  default_branch: GitRef,
  branch: GitRef,
  target_branch: GitRef,
  config: ContainerConfig,
});
export type GitMerge = z.infer<typeof GitMerge>;

/** `GET /health` of the control server; `agents` and `servers` are counts. */
export const ControlHealth = z.object({
  started_at: IsoTime,
  uptime_ms: z.number().min(0),
  hydrated: z.boolean(),
  draining: z.boolean(),
  agents: z.number().int().min(0),
  servers: z.number().int().min(0),
  mayor_ready_at: IsoTime.nullable(),
  container_instance_id: z.string(),
});
export type ControlHealth = z.infer<typeof ControlHealth>;

/** One resumable agent in the registry. */
export const RegistryAgent = z.object({
  agent_id: Uuid,
  role: AgentRole,
  workdir: z.string().min(1),
  request: StartAgentRequest,
});
export type RegistryAgent = z.infer<typeof RegistryAgent>;

/**
 * The registry the control server keeps in the worker (`container.md` §4, secret-bearing; the worker
 * stores it opaquely). `config` is null in an empty registry (written at the end of a drain).
 */
export const Registry = z.object({
  config: ContainerConfig.nullable(),
  agents: z.array(RegistryAgent),
});
export type Registry = z.infer<typeof Registry>;
