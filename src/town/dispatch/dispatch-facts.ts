/**
 * What a start request is built from, read from SQL after commit (effects never write SQL):
 * the town, the agent, its bead, rig and effective config, and where it works (branches.ts).
 * A fact that is missing (bead or rig deleted since) is an error message, not a throw.
 */
import type { AgentRole } from '../../protocol/common.ts';
import { first, strOrNull, type SqlHandle } from '../db/sql.ts';
import { findAgentRecord } from '../agents/agent-rows.ts';
import { findTown, type TownRecord } from '../records/town-record.ts';
import { SqlTownView } from '../reconciler/view-sql.ts';
import type { BeadState, RigState } from '../reconciler/view.ts';
import { polecatCheckout, refineryCheckout, type Checkout } from './branches.ts';

export interface AgentFacts {
  id: string;
  name: string;
  role: AgentRole;
}

export interface RigStartFacts {
  town: TownRecord;
  agent: AgentFacts & { role: 'polecat' | 'refinery' };
  bead: BeadState;
  model_override: string | null;
  rig: RigState;
  checkout: Checkout;
}

export interface MayorStartFacts {
  town: TownRecord;
  agent: AgentFacts;
  rigs: RigState[];
}

export type Facts<T> = { ok: true; facts: T } | { ok: false; message: string };

function modelOverride(sql: SqlHandle, beadId: string): string | null {
  const row = first(sql, `SELECT model_override FROM beads WHERE bead_id = ?`, beadId);
  return row === null ? null : strOrNull(row, 'model_override');
}

/** Facts for a polecat or refinery start on `beadId`. */
export function rigStartFacts(sql: SqlHandle, agentId: string, beadId: string, development: boolean): Facts<RigStartFacts> {
  const town = findTown(sql);
  if (town === null) return { ok: false, message: 'the town no longer exists' };
  const agent = findAgentRecord(sql, agentId);
  if (agent === null || agent.status === 'dead') return { ok: false, message: `agent ${agentId} no longer exists` };
  if (agent.role === 'mayor') return { ok: false, message: 'the mayor is not a rig agent' };
  const view = new SqlTownView(sql, development);
  const bead = view.bead(beadId);
  if (bead === null) return { ok: false, message: `bead ${beadId} no longer exists` };
  const rig = bead.rig_id === null ? null : view.rig(bead.rig_id);
  if (rig === null) return { ok: false, message: `bead ${beadId} has no rig` };
  let checkout: Checkout | null;
  if (agent.role === 'polecat') {
    checkout = polecatCheckout({ agentName: agent.name, bead, convoy: view.convoyOf(bead.id), defaultBranch: rig.default_branch, rigStrategy: rig.config.merge_strategy });
  } else {
    const review = view.review(bead.id);
    checkout = review === null ? null : refineryCheckout(review, rig.default_branch, rig.config.merge_strategy);
  }
  if (checkout === null) return { ok: false, message: `merge request ${beadId} has no branch to review` };
  return { ok: true, facts: { town, agent: { id: agent.id, name: agent.name, role: agent.role }, bead, model_override: modelOverride(sql, beadId), rig, checkout } };
}

/** Facts for a mayor start: the town, the mayor and every rig. */
export function mayorStartFacts(sql: SqlHandle, agentId: string, development: boolean): Facts<MayorStartFacts> {
  const town = findTown(sql);
  if (town === null) return { ok: false, message: 'the town no longer exists' };
  const agent = findAgentRecord(sql, agentId);
  if (agent === null || agent.status === 'dead' || agent.role !== 'mayor') return { ok: false, message: `mayor ${agentId} no longer exists` };
  const view = new SqlTownView(sql, development);
  return { ok: true, facts: { town, agent: { id: agent.id, name: agent.name, role: 'mayor' }, rigs: view.rigs() } };
}
