/**
 * Shared primitives of every wire contract: ids, times, enumerations and the envelopes of
 * `http-api.md` §1. Imported by the worker, the control server and the plugin alike.
 */
import { z } from 'zod';

/** A UUID, compared in lowercase (`http-api.md` §1.4). */
export const Uuid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a UUID')
  .transform((s) => s.toLowerCase());

export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** ISO 8601 UTC with milliseconds, as every timestamp on the wire. */
export const IsoTime = z.iso.datetime({ offset: false, precision: 3 });
/** Looser input form: an ISO 8601 datetime, with or without an offset. */
export const IsoTimeInput = z.iso.datetime({ offset: true });

export const BeadType = z.enum(['issue', 'merge_request', 'convoy', 'escalation', 'message', 'agent']);
export type BeadType = z.infer<typeof BeadType>;
export const BeadStatus = z.enum(['open', 'in_progress', 'in_review', 'closed', 'failed']);
export type BeadStatus = z.infer<typeof BeadStatus>;
export const Priority = z.enum(['low', 'medium', 'high', 'critical']);
export type Priority = z.infer<typeof Priority>;
export const AgentRole = z.enum(['mayor', 'polecat', 'refinery']);
export type AgentRole = z.infer<typeof AgentRole>;
export const AgentStatus = z.enum(['idle', 'working', 'waiting', 'stalled', 'dead']);
export type AgentStatus = z.infer<typeof AgentStatus>;
export const ConvoyStatus = z.enum(['staged', 'open', 'landing', 'landed', 'failed']);
export type ConvoyStatus = z.infer<typeof ConvoyStatus>;
export const MergeMode = z.enum(['review-then-land', 'review-and-merge']);
export type MergeMode = z.infer<typeof MergeMode>;
export const Severity = z.enum(['low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof Severity>;
export const DependencyType = z.enum(['blocks', 'tracks', 'parent-child']);
export type DependencyType = z.infer<typeof DependencyType>;
export const EscalationCategory = z.enum([
  'agent_request',
  'stuck_agent',
  'dispatch_exhausted',
  'review_exhausted',
  'refinery_unhooked_done',
  'merge_conflict',
  'convoy_member_failed',
  'landing_exhausted',
  'circuit_breaker',
  'pr_poll_failed',
  'pr_awaiting_approval',
  'container_unhealthy',
]);
export type EscalationCategory = z.infer<typeof EscalationCategory>;
export const NudgeMode = z.enum(['wait-idle', 'immediate', 'queue']);
export const NudgePriority = z.enum(['normal', 'urgent']);

/** A user label: 1–64 chars of `^[a-z0-9][a-z0-9._:/-]*$`; the `gt:` prefix is the server's. */
export const UserLabel = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._:/-]*$/, 'must match ^[a-z0-9][a-z0-9._:/-]*$')
  .refine((s) => !s.startsWith('gt:'), 'the gt: prefix is reserved for the server');

/** A git ref name as agents report it (validated for shape by the container, `container.md` §9.2). */
export const GitRef = z.string().min(1).max(255);

/** A JSON object (caller metadata, event data). */
export const JsonObject = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObject>;

/** The error envelope of `http-api.md` §1.1. */
export const ErrorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** `{data}` success envelope. */
export function dataEnvelope<T extends z.ZodType>(inner: T) {
  return z.object({ data: inner });
}

/** `{data: [...], next_cursor}` list envelope. */
export function listEnvelope<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}

/** `?limit=&cursor=` of every list (`http-api.md` §1.4). */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(512).optional(),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** A comma-separated enumeration filter (`?status=open,in_progress`). */
export function csvEnum<T extends [string, ...string[]]>(values: z.ZodEnum<{ [K in T[number]]: K }>) {
  return z
    .string()
    .transform((s) => s.split(',').map((p) => p.trim()).filter((p) => p.length > 0))
    .pipe(z.array(values).min(1));
}

export const Deleted = z.object({ deleted: z.literal(true) });
export const Accepted = z.object({ accepted: z.literal(true) });
