/**
 * Entity builders of the fake worker API: an Agent, a Bead, an Escalation and a PrimeResult with
 * plausible defaults, each parsed by its shared protocol schema so a fake answer is always a
 * valid worker answer. Tests override single fields.
 */
import { PrimeResult } from '../../../src/protocol/agent.ts';
import { Agent, Bead, Escalation } from '../../../src/protocol/api.ts';
import type { EscalationCreate } from '../../../src/protocol/agent.ts';

const EPOCH = '2026-01-01T00:00:00.000Z';

/** An idle rig agent. */
export function fakeAgent(over: Partial<Agent> & { id: string }): Agent {
  return Agent.parse({
    rig_id: null,
    role: 'polecat',
    name: 'agent',
    status: 'working',
    hooked_bead_id: null,
    status_message: null,
    status_message_at: null,
    last_heartbeat_at: null,
    last_event_type: null,
    last_event_at: null,
    active_tools: [],
    created_at: EPOCH,
    ...over,
  });
}

/** An open issue bead. */
export function fakeBead(over: Partial<Bead> & { id: string }): Bead {
  return Bead.parse({
    type: 'issue',
    status: 'open',
    rig_id: null,
    title: 'A task',
    body: '',
    priority: 'medium',
    labels: [],
    held: false,
    assignee_agent_id: null,
    parent_bead_id: null,
    convoy_id: null,
    dispatch_attempts: 0,
    review: null,
    metadata: {},
    created_by: 'system',
    created_at: EPOCH,
    updated_at: EPOCH,
    closed_at: null,
    ...over,
  });
}

/** The escalation the worker would create from `input` (category `agent_request`). */
export function fakeEscalation(id: string, agentId: string, input: EscalationCreate): Escalation {
  return Escalation.parse({
    id,
    severity: input.severity ?? 'medium',
    category: 'agent_request',
    title: input.title,
    body: input.body ?? '',
    source_agent_id: agentId,
    bead_id: null,
    convoy_id: null,
    acknowledged: false,
    acknowledged_at: null,
    re_escalations: 0,
    created_at: new Date().toISOString(),
  });
}

/** A prime reply for `agentId` on `rigId`: no hooked bead, no mail, unless overridden. */
export function fakePrime(agentId: string, rigId: string, over: Partial<PrimeResult> = {}): PrimeResult {
  return PrimeResult.parse({
    agent: fakeAgent({ id: agentId, rig_id: rigId, hooked_bead_id: over.hooked_bead?.id ?? null }),
    hooked_bead: null,
    mail: [],
    open_beads: [],
    context: {},
    ...over,
  });
}
