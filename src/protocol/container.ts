/**
 * Worker routes called by the control server with its container token (`http-api.md` §4.5: C =
 * `/api/towns/:townId/container`). The worker validates with these; the control server's worker
 * client builds its bodies and reads the replies with them. C`/refresh-token` answers `TokenResult`.
 */
import { z } from 'zod';
import { AgentRole, IsoTime, IsoTimeInput, JsonObject, Uuid } from './common.ts';
import { CommitSha } from './agent.ts';
import { ContainerConfig, RequestId } from './control.ts';

/**
 * C`/registry` GET: the control server's registry, stored opaquely (its shape is `Registry` of
 * `control.ts`); `{}` and `updated_at: null` before the first PUT.
 */
export const RegistryGetResult = z.object({ registry: JsonObject, updated_at: IsoTime.nullable() });
export type RegistryGetResult = z.infer<typeof RegistryGetResult>;

/** C`/registry` PUT (secret-bearing; the 1 MB cap is a route limit). */
export const RegistryPut = z.strictObject({ registry: JsonObject });
export type RegistryPut = z.infer<typeof RegistryPut>;
export const RegistryPutResult = z.object({ updated_at: IsoTime });
export type RegistryPutResult = z.infer<typeof RegistryPutResult>;

/**
 * C`/mayor-id`: what the next mayor start will carry, so the container can prewarm it.
 * `agent_token` is a fresh mayor token with `dispatchId: null`.
 */
export const MayorIdResult = z.object({
  agent_id: z.string().nullable(),
  agent_token: z.string().nullable(),
  model: z.string(),
  small_model: z.string(),
  config: ContainerConfig,
});
export type MayorIdResult = z.infer<typeof MayorIdResult>;

/** C`/eviction`: the container got SIGTERM; a `container_eviction` event, drain starts. */
export const ContainerEviction = z.strictObject({
  container_instance_id: z.string().min(1).max(128),
  reason: z.string().max(1024).optional(),
});
export type ContainerEviction = z.infer<typeof ContainerEviction>;
/** A repeat from the same instance gets the same nonce. */
export const ContainerEvictionResult = z.object({ drain_nonce: z.string() });
export type ContainerEvictionResult = z.infer<typeof ContainerEvictionResult>;

/** C`/ready`: a fresh instance ends the drain with the nonce it read from drain-status. */
export const ContainerReady = z.strictObject({
  nonce: z.string().min(1).max(128),
  container_instance_id: z.string().min(1).max(128),
});
export type ContainerReady = z.infer<typeof ContainerReady>;
export const ContainerReadyResult = z.object({ draining: z.literal(false) });

/** C`/drain-status`. */
export const DrainStatus = z.object({
  draining: z.boolean(),
  drain_nonce: z.string().nullable(),
  drain_started_at: IsoTime.nullable(),
});
export type DrainStatus = z.infer<typeof DrainStatus>;

/** One container telemetry point (e.g. `agent.startup_phase`), forwarded to analytics only. */
export const ContainerTelemetryEvent = z.object({
  event: z.string().min(1).max(64),
  agent_id: Uuid.optional(),
  role: AgentRole.optional(),
  label: z.string().max(128).optional(),
  duration_ms: z.number().min(0).optional(),
  value: z.number().optional(),
  at: IsoTimeInput.optional(),
});
export type ContainerTelemetryEvent = z.infer<typeof ContainerTelemetryEvent>;

/**
 * C`/events`: 1–100 telemetry points. Unknown keys are dropped (not refused) so a container one
 * release ahead of the worker still works (`http-api.md` §1.1).
 */
export const ContainerTelemetryEvents = z.object({
  events: z.array(ContainerTelemetryEvent).min(1).max(100),
});
export type ContainerTelemetryEvents = z.infer<typeof ContainerTelemetryEvents>;
export const ContainerTelemetryResult = z.object({ accepted: z.number().int().min(0) });
export type ContainerTelemetryResult = z.infer<typeof ContainerTelemetryResult>;

/**
 * C`/merge-result`: the outcome of a `/git/merge` (`container.md` §9.4), stored as a
 * `merge_result` event. `ok` ⇒ merged (`merge_commit`); otherwise `conflict` or `error`.
 */
export const MergeResultReport = z.strictObject({
  request_id: RequestId,
  ok: z.boolean(),
  merge_commit: CommitSha.optional(),
  conflict: z.strictObject({ files: z.array(z.string().min(1).max(4096)).max(1000) }).optional(),
  error: z.string().max(1024).optional(),
});
export type MergeResultReport = z.infer<typeof MergeResultReport>;
