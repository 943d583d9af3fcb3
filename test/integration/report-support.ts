/**
 * Support for the agent-callback and container-route tests: tokens minted with the worker's
 * secret (agent tokens bound to an agent's town, rig, role and dispatch; container tokens), the
 * P and C paths, and a polecat dispatched through a real tick of the harness town.
 */
import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { mintAgentToken, mintContainerToken } from '../../src/auth/mint.ts';
import type { AgentRole } from '../../src/protocol/common.ts';
import { holderOf, type TownHarness } from './reconciler-support.ts';

export const HOUR_MS = 3600_000;

export interface AgentIdentity {
  townId: string;
  rigId: string;
  agentId: string;
  role: AgentRole;
  dispatchId: string | null;
}

/** An agent token for `who`, issued at `now` (real time by default). */
export async function agentToken(who: AgentIdentity, now = Date.now()): Promise<string> {
  return (await mintAgentToken(env.GASTOWN_JWT_SECRET, who, now)).token;
}

/** The container token of `townId`, issued at `now`. */
export async function containerToken(townId: string, now = Date.now()): Promise<string> {
  return (await mintContainerToken(env.GASTOWN_JWT_SECRET, townId, now)).token;
}

/** P = `/api/towns/:townId/rigs/:rigId/agents/:agentId`. */
export function agentPath(who: Pick<AgentIdentity, 'townId' | 'rigId' | 'agentId'>): string {
  return `/api/towns/${who.townId}/rigs/${who.rigId}/agents/${who.agentId}`;
}

/** C = `/api/towns/:townId/container`. */
export function containerPath(townId: string): string {
  return `/api/towns/${townId}/container`;
}

/** A heartbeat body from `instance`. */
export function heartbeatBody(instance = 'instance-a', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { last_event_type: 'message.updated', last_event_at: '2026-07-01T00:00:00.000Z', active_tools: ['bash'], container_instance_id: instance, ...extra };
}

/** Slings a bead and ticks once: the polecat the tick dispatched, as its session's identity. */
export async function dispatchedPolecat(h: TownHarness, title = 'Do the thing'): Promise<AgentIdentity & { beadId: string }> {
  const beadId = await h.sling(title);
  await h.tick();
  const agentId = await holderOf(h, beadId);
  if (agentId === null) throw new Error('the tick dispatched nobody');
  const agent = await h.agent(agentId);
  expect(agent.status).toBe('working');
  return { townId: h.townId, rigId: h.rigId, agentId, role: 'polecat', dispatchId: String(agent.current_dispatch_id), beadId };
}
