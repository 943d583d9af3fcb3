/**
 * Support for the agent-tool, mayor-tool and db-snapshot tests: calls on an agent's P path with its
 * own token, the town's mayor as a session identity (`:rigId = :townId`), and a refinery holding a
 * merge request in review, reached through real routes and ticks of the harness town.
 */
import { expect } from 'vitest';
import { call, type CallResult } from './helpers.ts';
import { holderOf, type TownHarness } from './reconciler-support.ts';
import { seedAgent } from './seed.ts';
import { agentPath, agentToken, dispatchedPolecat, type AgentIdentity } from './report-support.ts';

/** A call on `who`'s P path (`route` relative to it) with `who`'s token unless one is given. */
export async function onAgent(who: AgentIdentity, method: string, route: string, opts: { body?: unknown; token?: string } = {}): Promise<CallResult> {
  return call(method, `${agentPath(who)}/${route}`, { token: opts.token ?? (await agentToken(who)), ...(opts.body === undefined ? {} : { body: opts.body }) });
}

/** A `working` mayor seeded in the harness town, as its session identity. */
export async function seededMayor(h: TownHarness): Promise<AgentIdentity> {
  const agentId = await seedAgent(h.townId, { role: 'mayor', rigId: null, status: 'working' });
  return { townId: h.townId, rigId: h.townId, agentId, role: 'mayor', dispatchId: null };
}

/** An idle polecat of the harness rig (no hook), as its session identity. */
export async function seededPolecat(h: TownHarness, name: string): Promise<AgentIdentity> {
  const agentId = await seedAgent(h.townId, { role: 'polecat', rigId: h.rigId, name });
  return { townId: h.townId, rigId: h.rigId, agentId, role: 'polecat', dispatchId: null };
}

export interface InReview {
  /** The polecat's issue, now `in_review`. */
  sourceId: string;
  mrId: string;
  /** The refinery dispatched for the MR, as its session identity (current dispatch id). */
  refinery: AgentIdentity;
}

/**
 * A polecat's `gt_done` through P`/done`, then ticks until a refinery holds the new MR in review:
 * the whole submit-for-review path through the real route and reconciler.
 */
export async function mergeRequestInReview(h: TownHarness, title = 'Build the thing'): Promise<InReview> {
  const polecat = await dispatchedPolecat(h, title);
  const done = await onAgent(polecat, 'POST', 'done', { body: { branch: `gt/toast/${polecat.beadId.slice(0, 8)}`, summary: 'built it', bead_id: polecat.beadId } });
  expect(done.status).toBe(200);
  for (let i = 0; i < 5; i += 1) {
    await h.advance(1000);
    await h.tick();
    const mrs = await h.sql<{ bead_id: string; status: string }>(
      `SELECT mr.bead_id, mr.status FROM beads mr JOIN bead_dependencies d ON d.bead_id = mr.bead_id
       WHERE d.depends_on_bead_id = ? AND d.dependency_type = 'tracks' AND mr.type = 'merge_request'`,
      polecat.beadId,
    );
    const mr = mrs[0];
    if (mr === undefined || mr.status !== 'in_progress') continue;
    const holder = await holderOf(h, mr.bead_id);
    if (holder === null) continue;
    const agent = await h.agent(holder);
    expect(agent.role).toBe('refinery');
    return {
      sourceId: polecat.beadId,
      mrId: mr.bead_id,
      refinery: { townId: h.townId, rigId: h.rigId, agentId: holder, role: 'refinery', dispatchId: String(agent.current_dispatch_id) },
    };
  }
  throw new Error('no refinery took the merge request into review');
}
