/**
 * The routes the plugin calls (`http-api.md` §4.3 P, §4.4 M) as the stub serves them: method,
 * path pattern, the exact body / query schema the worker validates with (imported from
 * `src/protocol/`) and a plausible default answer. `:name` segments are path ids.
 */
import type { z } from 'zod';
import { Checkpoint, Done, EscalationCreate, MailSend, NudgeCreate, RequestChanges, StatusMessage, UiActionRequest } from '../../../src/protocol/agent.ts';
import {
  AgentListQuery,
  BeadListQuery,
  BeadPatch,
  BeadReassign,
  BulkDelete,
  ConvoyAddBead,
  ConvoyListQuery,
  ConvoyPatch,
  Sling,
  SlingBatch,
} from '../../../src/protocol/api.ts';
import { PageQuery } from '../../../src/protocol/common.ts';

export type StubMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One request as the stub saw it. */
export interface StubRequest {
  method: string;
  path: string;
  /** The matched route pattern (`P/…`, `M/…`), or null for an unknown route. */
  route: string | null;
  params: Record<string, string>;
  query: Record<string, string>;
  /** The bearer token, or null. */
  auth: string | null;
  /** The parsed JSON body (undefined when empty). */
  body: unknown;
  /** Whether body and query passed the worker's schemas (false also for unknown routes and bad ids). */
  valid: boolean;
  /** The status the stub answered. */
  status: number;
}

/** A reply: status and full envelope. */
export interface StubReply {
  status: number;
  body: unknown;
}

/** One served route. */
export interface StubRoute {
  method: StubMethod;
  /** `P/…` (the agent's own path) or `M/…` (the mayor tools). */
  pattern: string;
  body?: z.ZodType;
  query?: z.ZodType;
  /** The default answer (the request already passed validation). */
  reply(req: StubRequest): StubReply;
}

const ok = (data: unknown): StubReply => ({ status: 200, body: { data } });
const created = (data: unknown): StubReply => ({ status: 201, body: { data } });
const list = (data: unknown[]): StubReply => ({ status: 200, body: { data, next_cursor: null } });

/** A fixed id for records the stub creates. */
export const STUB_RECORD_ID = 'abcdefab-cdef-4abc-8def-abcdefabcdef';

/** The worker's 422 for an unordered batch (`tools.md` §5). */
function slingBatchReply(req: StubRequest): StubReply {
  const batch = SlingBatch.parse(req.body);
  const unordered = batch.tasks.length >= 2 && batch.tasks.every((t) => (t.depends_on ?? []).length === 0);
  if (unordered && batch.parallel !== true) {
    return {
      status: 422,
      body: { error: { code: 'dependencies_required', message: 'A batch of two or more tasks needs depends_on on its tasks unless parallel is true.' } },
    };
  }
  return created({ convoy: { id: STUB_RECORD_ID, title: batch.title }, beads: batch.tasks.map((t, i) => ({ index: i, title: t.title })) });
}

/** Every route of P and M the plugin may call. */
export const STUB_ROUTES: readonly StubRoute[] = [
  { method: 'POST', pattern: 'P/prime', reply: () => ok({ agent: { id: 'agent' }, hooked_bead: null, mail: [], open_beads: [], context: {} }) },
  { method: 'POST', pattern: 'P/done', body: Done, reply: () => ok({ accepted: true }) },
  { method: 'POST', pattern: 'P/request-changes', body: RequestChanges, reply: () => created({ rework_bead: { id: STUB_RECORD_ID, title: 'Rework' } }) },
  { method: 'POST', pattern: 'P/mail', body: MailSend, reply: (r) => created({ id: STUB_RECORD_ID, ...MailSend.parse(r.body) }) },
  { method: 'POST', pattern: 'P/mail/check', reply: () => ok([]) },
  { method: 'POST', pattern: 'P/escalations', body: EscalationCreate, reply: () => created({ id: STUB_RECORD_ID, category: 'agent_request' }) },
  { method: 'POST', pattern: 'P/checkpoint', body: Checkpoint, reply: () => ok({ saved: true }) },
  { method: 'POST', pattern: 'P/status-message', body: StatusMessage, reply: (r) => ok({ id: 'agent', status_message: StatusMessage.parse(r.body).message }) },
  { method: 'POST', pattern: 'P/nudges', body: NudgeCreate, reply: () => created({ id: STUB_RECORD_ID }) },
  { method: 'POST', pattern: 'P/refresh-token', reply: () => ok({}) },

  { method: 'GET', pattern: 'M/rigs', query: PageQuery, reply: () => list([{ id: 'rig-1', name: 'app' }]) },
  { method: 'GET', pattern: 'M/beads', query: BeadListQuery, reply: () => list([{ id: STUB_RECORD_ID, title: 'A bead' }]) },
  { method: 'POST', pattern: 'M/beads/bulk-delete', body: BulkDelete, reply: (r) => ok({ deleted: BulkDelete.parse(r.body).bead_ids.length }) },
  { method: 'GET', pattern: 'M/beads/:beadId', reply: (r) => ok({ bead: { id: r.params.beadId }, blocked_by: [], blocks: [], recent_activity: [] }) },
  { method: 'PATCH', pattern: 'M/beads/:beadId', body: BeadPatch, reply: (r) => ok({ id: r.params.beadId, ...BeadPatch.parse(r.body) }) },
  { method: 'POST', pattern: 'M/beads/:beadId/reassign', body: BeadReassign, reply: (r) => ok({ id: r.params.beadId, assignee_agent_id: BeadReassign.parse(r.body).agent_id }) },
  { method: 'DELETE', pattern: 'M/beads/:beadId', reply: () => ok({ deleted: true }) },
  { method: 'GET', pattern: 'M/agents', query: AgentListQuery, reply: () => list([]) },
  { method: 'POST', pattern: 'M/agents/:agentId/reset', reply: (r) => ok({ id: r.params.agentId, status: 'idle' }) },
  { method: 'POST', pattern: 'M/sling', body: Sling, reply: (r) => created({ bead: { id: STUB_RECORD_ID, title: Sling.parse(r.body).title } }) },
  { method: 'POST', pattern: 'M/sling-batch', body: SlingBatch, reply: slingBatchReply },
  { method: 'GET', pattern: 'M/convoys', query: ConvoyListQuery, reply: () => list([]) },
  { method: 'GET', pattern: 'M/convoys/:convoyId', reply: (r) => ok({ id: r.params.convoyId, beads: [], edges: [] }) },
  { method: 'PATCH', pattern: 'M/convoys/:convoyId', body: ConvoyPatch, reply: (r) => ok({ id: r.params.convoyId, ...ConvoyPatch.parse(r.body) }) },
  { method: 'POST', pattern: 'M/convoys/:convoyId/start', reply: (r) => ok({ id: r.params.convoyId, status: 'open' }) },
  { method: 'POST', pattern: 'M/convoys/:convoyId/close', reply: (r) => ok({ id: r.params.convoyId, status: 'failed' }) },
  { method: 'POST', pattern: 'M/convoys/:convoyId/beads', body: ConvoyAddBead, reply: (r) => created({ convoy_id: r.params.convoyId, ...ConvoyAddBead.parse(r.body) }) },
  { method: 'DELETE', pattern: 'M/convoys/:convoyId/beads/:beadId', reply: () => ok({ deleted: true }) },
  { method: 'POST', pattern: 'M/escalations/:escalationId/acknowledge', reply: (r) => ok({ id: r.params.escalationId, acknowledged: true }) },
  { method: 'POST', pattern: 'M/ui-action', body: UiActionRequest, reply: () => ok({ delivered: 2 }) },
];
